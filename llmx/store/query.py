"""Read the store: per-article records and merged events, filtered; full-text search over evidence.

Every value from the command line reaches SQL as a parameter, never as SQL text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from llmx.store.db import Store


@dataclass
class Filters:
    type: str | None = None
    state: str | None = None
    """An ISO alpha-3 code: any actor of the record is this state or represents it (or the event took place there)."""
    person: str | None = None
    """A person's name or surname, case-insensitive."""
    since: str | None = None
    until: str | None = None
    source: str | None = None
    """Part of an article's id, source path or URL."""
    search: str | None = None
    """Full-text search (SQLite FTS) over the evidence."""
    limit: int | None = None


def _where(f: Filters) -> tuple[str, list[Any]]:
    clauses, params = ["1 = 1"], []
    if f.type:
        clauses.append("r.type = ?")
        params.append(f.type)
    if f.state:
        clauses.append("(r.country = ? OR r.id IN (SELECT record_id FROM actors WHERE country = ? OR name = ?))")
        params += [f.state.upper()] * 3
    if f.person:
        clauses.append("r.id IN (SELECT record_id FROM actors WHERE kind = 'person' AND (lower(name) = lower(?) OR lower(name) LIKE '% ' || lower(?)))")
        params += [f.person, f.person]
    if f.since:
        clauses.append("r.date >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("substr(r.date, 1, length(?)) <= ?")
        params += [f.until, f.until]
    if f.source:
        clauses.append("(instr(a.id, ?) > 0 OR instr(coalesce(a.source, ''), ?) > 0 OR instr(coalesce(a.url, ''), ?) > 0)")
        params += [f.source] * 3
    if f.search:
        clauses.append("r.id IN (SELECT e.record_id FROM evidence e JOIN evidence_fts ON evidence_fts.rowid = e.id WHERE evidence_fts MATCH ?)")
        params.append(f.search)
    return " AND ".join(clauses), params


def records(store: Store, f: Filters | None = None) -> list[dict[str, Any]]:
    """Per-article records as result-document events, with their article id, source, url and published date."""
    where, params = _where(f or Filters())
    sql = (f"SELECT r.id, r.type, r.facts, r.grounded, a.id, a.source, a.url, a.published, a.title FROM records r "
           f"JOIN articles a ON a.id = r.article_id WHERE {where} ORDER BY r.date IS NULL, r.date, a.id, r.position")
    if f and f.limit:
        sql += " LIMIT ?"
        params.append(f.limit)
    rows = store.conn.execute(sql, params).fetchall()
    evidence = _evidence(store, [r[0] for r in rows])
    return [{"record": r[0], "article": r[4], "source": r[5], "url": r[6], "published": r[7], "title": r[8], "type": r[1],
             **json.loads(r[2]), "evidence": evidence.get(r[0], []), "grounded": bool(r[3])} for r in rows]


def _evidence(store: Store, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        marks = ",".join("?" * len(chunk))
        for rid, text, start, end, match in store.conn.execute(
                f"SELECT record_id, text, start, \"end\", match FROM evidence WHERE record_id IN ({marks}) ORDER BY record_id, position", chunk):
            out.setdefault(rid, []).append({"text": text, "start": start, "end": end, "match": match})
    return out


def events(store: Store, f: Filters | None = None) -> list[dict[str, Any]]:
    """Merged events (after ``llmx events merge``), each with its sources: article, url, date and evidence per record."""
    where, params = _where(f or Filters())
    rows = store.conn.execute(
        f"SELECT DISTINCT ev.id, ev.type, ev.date, ev.date_end, ev.facts, ev.conflicts, ev.identity FROM events ev "
        f"JOIN event_records er ON er.event_id = ev.id JOIN records r ON r.id = er.record_id JOIN articles a ON a.id = r.article_id "
        f"WHERE {where} ORDER BY ev.date IS NULL, ev.date, ev.id" + (" LIMIT ?" if f and f.limit else ""),
        params + ([f.limit] if f and f.limit else [])).fetchall()
    out = []
    for eid, kind, day, day_end, facts, conflicts, identity in rows:
        members = store.conn.execute(
            "SELECT r.id, a.id, a.source, a.url, a.title, a.published, r.date, r.facts FROM event_records er "
            "JOIN records r ON r.id = er.record_id JOIN articles a ON a.id = r.article_id WHERE er.event_id = ? ORDER BY a.id", [eid]).fetchall()
        evidence = _evidence(store, [m[0] for m in members])
        sources = [{"record": m[0], "article": m[1], "source": m[2], "url": m[3], "title": m[4], "published": m[5], "date": m[6],
                    "status": json.loads(m[7]).get("status"), "evidence": evidence.get(m[0], [])} for m in members]
        out.append({"event": eid, "type": kind, "date": day, "date_end": day_end, **json.loads(facts),
                    "conflicts": json.loads(conflicts), "identity": json.loads(identity), "sources": sources})
    return out
