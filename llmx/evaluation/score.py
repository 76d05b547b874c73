"""Score llmx predictions against gold annotations (tests/data/eval/FORMAT.md, "Scoring").

Pure functions, no LLM calls, so an evaluation can be re-scored offline and in CI.

Conventions beyond FORMAT.md, chosen so that every number is defined:
- Values compare after case folding, accent stripping (NFKD) and whitespace collapsing;
  person fields compare by surname (the last token after folding).
- Predicted participants/evidence may be plain strings or dicts (``name`` / ``text`` is used).
- Types without a spec use as identity every field whose gold value is a string, all of
  which must match (a gold event with no string field matches any prediction of its type).
- Events are paired one-to-one per article and type: greedily by agreement (the sum of the
  field scores below), then augmenting paths so that the number of matches is maximal.
- P/R/F1: 0/0 is 0.0, except that a type with no gold and no predicted events scores 1.0.
- Field scores use the gold event's keys (minus ``type``/``evidence``); fields found only in
  predictions are not scored. Lists score F1 (None counts as [], two empty lists are 1.0);
  scalars score accuracy (None == None counts as equal).
- Predictions whose id is not in the gold set are left out and listed in ``unknown_ids``.
- Grounding: a quote counts when, after NFC and whitespace collapsing on both sides, it is a
  case-sensitive substring of the gold text (empty quotes never count).
- Duplicate ids (in gold or in predictions) raise ValueError rather than double-count.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from os import PathLike
from typing import Any, Literal

from llmx.core.data import Document
from llmx.schemas.identity import TypeSpec, matches_gold, overlap, value_key, value_keys

SKIP = ("type", "evidence")  # never compared as fields


@dataclass(frozen=True)
class PRF:
    """Event-level counts and rates for one type (or "all")."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        if tp + fp == 0 and fn == 0:  # nothing to find and nothing claimed: perfect
            return cls(tp, fp, fn, 1.0, 1.0, 1.0)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return cls(tp, fp, fn, p, r, 2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class FieldScore:
    """Mean field score over matched pairs: accuracy for scalars, F1 for lists."""

    kind: Literal["accuracy", "f1"]
    value: float
    n: int


@dataclass(frozen=True)
class ArticleResult:
    """Per-article counts, so a bad aggregate can be traced to its articles."""

    id: str
    gold_events: int
    predicted_events: int
    tp: int
    fp: int
    fn: int
    errors: int
    predicted: bool  # False: no prediction for this gold id (all its events are missed)


@dataclass(frozen=True)
class Totals:
    """Volume and cost of the run, summed from the predictions' usage/seconds."""

    articles: int
    predicted_articles: int
    gold_events: int
    predicted_events: int
    prompt_tokens: int
    completion_tokens: int
    calls: int
    errors: int
    seconds: float
    seconds_per_article: float | None  # mean over predictions that report seconds


@dataclass(frozen=True)
class Report:
    """Everything `llmx eval` prints; ``to_dict`` is its JSON form."""

    types: dict[str, PRF]  # per type, plus "all" (micro-averaged)
    fields: dict[str, dict[str, FieldScore]]  # type -> field -> score
    grounding_rate: float | None  # None when no evidence was predicted
    evidence_total: int
    evidence_grounded: int
    totals: Totals
    articles: list[ArticleResult]
    unknown_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_jsonl(path: str | PathLike[str]) -> list[dict]:
    """Read one JSON object per line; a bad line raises ValueError naming path:line."""
    rows: list[dict] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: invalid JSON: {exc.msg} (column {exc.colno})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{n}: expected a JSON object, got {type(obj).__name__}")
            rows.append(obj)
    return rows


# ---------------------------------------------------------------- value comparison

def _field_score(g: Any, p: Any, person: bool) -> tuple[str, float]:
    """List F1 or scalar equality of one field of a gold/predicted pair."""
    if isinstance(g, list) or isinstance(p, list):
        gk, pk = value_keys(g, person), value_keys(p, person)
        if not gk and not pk:
            return "f1", 1.0
        return "f1", 2 * overlap(gk, pk) / (len(gk) + len(pk))
    return "accuracy", float(value_key(g, person) == value_key(p, person))


def _spec_for(etype: str, gold_event: dict, specs: dict[str, TypeSpec]) -> TypeSpec:
    if etype in specs:
        return specs[etype]
    ident = tuple(k for k, v in gold_event.items() if k not in SKIP and isinstance(v, str))
    return TypeSpec(etype, ident, "all")


def _agreement(g: dict, p: dict, spec: TypeSpec) -> float:
    return sum(_field_score(g[f], p.get(f), f in spec.person_fields)[1] for f in g if f not in SKIP)


# ---------------------------------------------------------------- matching

def _match(golds: list[dict], preds: list[dict], specs: list[TypeSpec]) -> list[tuple[int, int]]:
    """One-to-one pairs: greedy by agreement, then augmented to the maximum number of matches."""
    cands = [(-_agreement(g, p, specs[i]), i, j) for i, g in enumerate(golds)
             for j, p in enumerate(preds) if matches_gold(g, p, specs[i])]
    cands.sort()
    g2p: dict[int, int] = {}
    p2g: dict[int, int] = {}
    for _, i, j in cands:
        if i not in g2p and j not in p2g:
            g2p[i], p2g[j] = j, i
    adj: dict[int, list[int]] = {}
    for _, i, j in cands:
        adj.setdefault(i, []).append(j)

    def augment(i: int, seen: set[int]) -> bool:
        for j in adj.get(i, []):
            if j not in seen:
                seen.add(j)
                if j not in p2g or augment(p2g[j], seen):
                    g2p[i], p2g[j] = j, i
                    return True
        return False

    for i in adj:
        if i not in g2p:
            augment(i, set())
    return sorted(g2p.items())


def _type(event: dict) -> str:
    return str(event.get("type") or "").strip().casefold()


def _ws(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class TypeMatch:
    """One article's events of one type, paired: indices into the article's gold and predicted lists."""

    type: str
    gold: list[int]
    predicted: list[int]
    pairs: list[tuple[int, int]]
    """(gold index, predicted index), both into the article's full lists."""


def predicted_events(doc: Document | None) -> list[dict]:
    """A document's records as the scorer compares them: type plus facts."""
    return [{"type": r.type, **r.facts} for r in doc.events] if doc else []


def match_article(g_events: list[dict], p_events: list[dict], specs: dict[str, TypeSpec]) -> list[TypeMatch]:
    """Pair one article's gold and predicted events, type by type (the matching ``score`` counts)."""
    out: list[TypeMatch] = []
    for etype in sorted({_type(e) for e in g_events + p_events}):
        gi = [i for i, e in enumerate(g_events) if _type(e) == etype]
        pi = [j for j, e in enumerate(p_events) if _type(e) == etype]
        sp = [_spec_for(etype, g_events[i], specs) for i in gi]
        pairs = _match([g_events[i] for i in gi], [p_events[j] for j in pi], sp)
        out.append(TypeMatch(etype, gi, pi, [(gi[i], pi[j]) for i, j in pairs]))
    return out


def score(gold: list[dict], predicted: list[Document], specs: dict[str, TypeSpec] | None = None) -> Report:
    """Compare predictions with gold, article by article (matched by ``id``).

    ``specs`` are the types' identity rules (``Event.identity_spec()``); a type without one
    uses the fallback described above.
    """
    specs = specs or {}
    preds: dict[str, Document] = {}
    for doc in predicted:
        key = str(doc.id)
        if key in preds:
            raise ValueError(f"duplicate prediction id {key!r}")
        preds[key] = doc
    gold_ids = [str(a["id"]) for a in gold]
    if len(set(gold_ids)) != len(gold_ids):
        raise ValueError("duplicate id in gold")

    counts: dict[str, list[int]] = {}  # type -> [tp, fp, fn]
    sums: dict[str, dict[str, list]] = {}  # type -> field -> [kind, total, n]
    articles: list[ArticleResult] = []
    ev_total = ev_ok = 0
    tok_p = tok_c = calls = n_errors = 0
    secs: list[float] = []
    for art in gold:
        doc = preds.get(str(art["id"]))
        g_events = art.get("events") or []
        p_events = predicted_events(doc)
        text = _ws(art.get("text", ""))
        a_tp = a_fp = a_fn = 0
        for m in match_article(g_events, p_events, specs):
            c = counts.setdefault(m.type, [0, 0, 0])
            tp, fp, fn = len(m.pairs), len(m.predicted) - len(m.pairs), len(m.gold) - len(m.pairs)
            c[0], c[1], c[2] = c[0] + tp, c[1] + fp, c[2] + fn
            a_tp, a_fp, a_fn = a_tp + tp, a_fp + fp, a_fn + fn
            for i, j in m.pairs:
                g, persons = g_events[i], _spec_for(m.type, g_events[i], specs).person_fields
                for f in g:
                    if f in SKIP:
                        continue
                    kind, val = _field_score(g[f], p_events[j].get(f), f in persons)
                    acc = sums.setdefault(m.type, {}).setdefault(f, [kind, 0.0, 0])
                    acc[0] = "f1" if "f1" in (acc[0], kind) else kind
                    acc[1] += val
                    acc[2] += 1
        for span in (s for r in (doc.events if doc else []) for s in r.evidence):
            ev_total += 1
            ev_ok += bool(_ws(span.text)) and _ws(span.text) in text
        errs = len(doc.errors) if doc else 0
        if doc:
            tok_p += doc.usage.prompt_tokens
            tok_c += doc.usage.completion_tokens
            calls += doc.usage.calls
            if doc.seconds is not None:
                secs.append(doc.seconds)
        n_errors += errs
        articles.append(ArticleResult(str(art["id"]), len(g_events), len(p_events),
                                      a_tp, a_fp, a_fn, errs, doc is not None))

    order = [t for t in specs if t in counts] + sorted(t for t in counts if t not in specs)
    types = {t: PRF.of(*counts[t]) for t in order}
    types["all"] = PRF.of(*(sum(c[k] for c in counts.values()) for k in range(3)))
    fields = {t: {f: FieldScore(k, s / n, n) for f, (k, s, n) in sums[t].items()}
              for t in order if t in sums}
    totals = Totals(
        articles=len(gold), predicted_articles=sum(a.predicted for a in articles),
        gold_events=sum(a.gold_events for a in articles),
        predicted_events=sum(a.predicted_events for a in articles),
        prompt_tokens=tok_p, completion_tokens=tok_c, calls=calls, errors=n_errors,
        seconds=sum(secs), seconds_per_article=sum(secs) / len(secs) if secs else None)
    unknown = sorted(set(preds) - set(gold_ids))
    return Report(types, fields, ev_ok / ev_total if ev_total else None, ev_total, ev_ok,
                  totals, articles, unknown)
