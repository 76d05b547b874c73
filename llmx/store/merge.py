"""One real-world event across articles: group per-article records by identity, date window and place.

Blocking: records are bucketed by (type, identity key), so only records that already agree
on who did it are ever compared; inside a bucket they are swept in date order against the
few clusters still open within the window. Cost is O(n log n), never O(n²). The per-article
records are not changed: a merge rebuilds ``events`` and ``event_records`` from them, so it
can be redone with other settings. Disagreements (dates, values, statuses) are kept as
``conflicts``, never resolved silently.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

from llmx.core.data import as_list
from llmx.normalize.text import unaccent

DEFAULT_WINDOW = 7
"""Days between two reports' dates that still count as one event (meetings, sanctions …)."""


@dataclass
class Record:
    id: int
    article_id: str
    type: str
    date: str | None
    country: str | None
    facts: dict[str, Any]


@dataclass
class Cluster:
    records: list[Record] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    first: date | None = None
    """The earliest report's date: the window counts from it, so chains of reports never grow one event without end."""


def span(value: str | None) -> tuple[date, date] | None:
    """An ISO date as the days it may mean: "2024-03" is all of March."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value[:10].split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return (day := date(*parts[:3])), day
    except ValueError:
        return None


def _norm(value: Any, person: bool) -> str | None:
    """Comparable form: persons by surname (as the pipeline's merge and llmx eval do), names unaccented and folded."""
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str) or not value.strip():
        return None
    text = unaccent(value).casefold().strip()
    return text.split()[-1] if person else text


def identity_keys(facts: dict[str, Any], info: dict[str, Any]) -> list[tuple]:
    """The blocking keys of a record: one for 'all' (every identity field), one per field for 'any'."""
    fields, persons = info.get("identity_fields") or [], set(info.get("person_fields") or [])
    values = []
    for f in fields:
        raw = facts.get(f)
        normed = tuple(sorted({n for n in (_norm(v, f in persons or isinstance(v, dict)) for v in as_list(raw)) if n}))
        values.append((f, normed))
    if info.get("identity_match") == "any":
        return [(f, v) for f, v in values if v]
    return [tuple(values)] if values and all(v for _, v in values) else []


def cluster(records: Iterable[Record], types: dict[str, dict[str, Any]], window: int = DEFAULT_WINDOW,
            windows: dict[str, int] | None = None) -> list[list[Record]]:
    """Groups of records describing one event; a group holds at most one record per article."""
    buckets: dict[tuple, list[Record]] = defaultdict(list)
    singles: list[list[Record]] = []
    parent: dict[tuple, tuple] = {}

    def root(key: tuple) -> tuple:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keyed = []
    for record in records:
        keys = [(record.type, k) for k in identity_keys(record.facts, types.get(record.type, {}))]
        if not keys:
            singles.append([record])  # nothing to identify it by: it stays on its own
            continue
        for other in keys[1:]:  # 'any' types: records sharing any one key share a block (union-find, no pairwise scan)
            parent[root(other)] = root(keys[0])
        keyed.append((record, keys[0]))
    for record, key in keyed:
        buckets[root(key)].append(record)
    groups: list[list[Record]] = []
    for (kind, *_), members in buckets.items():
        days = (windows or {}).get(kind, window)
        groups.extend(_sweep(members, days))
    return groups + singles


def _sweep(members: list[Record], days: int) -> list[list[Record]]:
    """Date order; each record joins the first open cluster it is compatible with (within the window, same place, new article)."""
    dated = sorted((r for r in members if span(r.date)), key=lambda r: span(r.date)[0])
    undated = [r for r in members if not span(r.date)]
    open_clusters: list[Cluster] = []
    done: list[Cluster] = []
    for record in dated:
        start, end = span(record.date)
        still = []
        for c in open_clusters:
            (still if c.first and (start - c.first).days <= days else done).append(c)
        open_clusters = still
        target = next((c for c in open_clusters if _fits(c, record)), None)
        if target is None:
            target = Cluster()
            open_clusters.append(target)
        _add(target, record, start)
    clusters = done + open_clusters
    for record in undated:  # no date: joins the bucket's only compatible cluster, else stays alone
        fits = [c for c in clusters if _fits(c, record)]
        if len(fits) == 1:
            _add(fits[0], record, None)
        else:
            clusters.append(_add(Cluster(), record, None))
    return [c.records for c in clusters]


def _fits(c: Cluster, record: Record) -> bool:
    return record.article_id not in c.articles and (not record.country or not c.countries or record.country in c.countries)


def _add(c: Cluster, record: Record, start: date | None) -> Cluster:
    c.records.append(record)
    c.articles.add(record.article_id)
    if record.country:
        c.countries.add(record.country)
    if start and c.first is None:
        c.first = start  # records arrive in date order
    return c


def _hashable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def summarize(group: list[Record]) -> dict[str, Any]:
    """A merged event: the facts all sources agree on, list values united, every disagreement kept in ``conflicts``."""
    facts: dict[str, Any] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}
    names = dict.fromkeys(k for r in group for k in r.facts)
    for name in names:
        seen: dict[str, dict[str, Any]] = {}
        for r in group:
            value = r.facts.get(name)
            if value is None or value == [] or value == "":
                continue
            if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
                facts.setdefault(name, [])
                facts[name] += [v for v in value if v not in facts[name]]
                continue
            entry = seen.setdefault(_hashable(value), {"value": value, "articles": []})
            entry["articles"].append(r.article_id)
        if len(seen) == 1:
            facts[name] = next(iter(seen.values()))["value"]
        elif len(seen) > 1 and not _same_people(list(seen.values())):
            conflicts[name] = sorted(seen.values(), key=lambda e: -len(e["articles"]))
        elif seen:
            facts[name] = max(seen.values(), key=lambda e: len(e["articles"]))["value"]
    spans = [span(r.date) for r in group if span(r.date)]
    return {"type": group[0].type, "facts": facts, "conflicts": conflicts,
            "date": min(s[0] for s in spans).isoformat() if spans else None,
            "date_end": max(s[1] for s in spans).isoformat() if spans else None,
            "country": facts.get("country"), "location": facts.get("location"),
            "articles": sorted({r.article_id for r in group}), "records": [r.id for r in group]}


def _same_people(entries: list[dict[str, Any]]) -> bool:
    """Person lists that differ only in roles or spelling of first names are the same people, not a conflict."""
    values = [e["value"] for e in entries]
    if not all(isinstance(v, list) and all(isinstance(p, dict) for p in v) for v in values):
        return False
    return len({tuple(sorted(_norm(p, True) or "" for p in v)) for v in values}) == 1


def pairwise(predicted: list[set[Any]], truth: list[set[Any]]) -> tuple[float, float]:
    """Pairwise precision and recall of a grouping: the share of predicted same-event pairs that are true, and found."""
    def pairs(groups: list[set[Any]]) -> set[frozenset]:
        return {frozenset(p) for g in groups for p in combinations(sorted(g, key=str), 2)}

    got, want = pairs(predicted), pairs(truth)
    precision = len(got & want) / len(got) if got else 1.0
    recall = len(got & want) / len(want) if want else 1.0
    return precision, recall


def merge_store(store: Any, window: int = DEFAULT_WINDOW, windows: dict[str, int] | None = None) -> dict[str, Any]:
    """Rebuild the store's merged events from its per-article records, in one transaction (a failed merge keeps the last)."""
    types = store.type_info()
    per_type = {t: i["merge_window"] for t, i in types.items() if i.get("merge_window") is not None}
    per_type.update(windows or {})
    rows = store.conn.execute("SELECT id, article_id, type, date, country, facts FROM records ORDER BY id")
    records = [Record(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]
    groups = cluster(records, types, window, per_type)
    settings = {"window": window, "windows": per_type}
    with store.write() as db:
        for table in ("event_records", "events", "merges"):
            store.conn.execute(f"DELETE FROM {table}")
        merge_id = db["merges"].insert({"created": _now(), "settings": json.dumps(settings), "records": len(records),
                                        "events": len(groups)}).last_pk
        links = []
        for group in groups:
            event = summarize(group)
            event_id = db["events"].insert({
                "merge_id": merge_id, "type": event["type"], "date": event["date"], "date_end": event["date_end"],
                "location": _str(event["location"]), "country": _str(event["country"]),
                "identity": json.dumps(_identity(event["facts"], types.get(event["type"], {})), ensure_ascii=False),
                "articles": len(event["articles"]), "records": len(group),
                "facts": json.dumps(event["facts"], ensure_ascii=False), "conflicts": json.dumps(event["conflicts"], ensure_ascii=False),
            }).last_pk
            links += [{"event_id": event_id, "record_id": r.id} for r in group]
        db["event_records"].insert_all(links, batch_size=5000)
    multi = sum(1 for g in groups if len({r.article_id for r in g}) > 1)
    return {"records": len(records), "events": len(groups), "multi_source": multi, "settings": settings,
            "conflicted": store.conn.execute("SELECT COUNT(*) FROM events WHERE conflicts != '{}'").fetchone()[0]}


def _identity(facts: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    return {f: facts.get(f) for f in info.get("identity_fields") or []}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _now() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
