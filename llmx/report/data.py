"""The review page's view model: per article its text, records, evidence spans and verdicts.

Built from typed :class:`~llmx.core.data.Document` objects (and, with gold, from the
scorer's own pairing in :mod:`llmx.evaluation.score`), so the page's script only draws
and the page can never disagree with ``llmx eval``. Everything here is plain data that
``dataclasses.asdict`` turns into the JSON embedded in the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llmx.core.data import Article, Document, Record, Span, as_list
from llmx.evaluation.score import PRF, SKIP, match_article, predicted_events, score
from llmx.output.write import flat
from llmx.pipeline.read import read_inputs
from llmx.schemas.identity import TypeSpec

Verdict = Literal["matched", "false", "missed"]

PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#8c564b")
"""Okabe-Ito based: distinguishable with the common colour-vision deficiencies."""


@dataclass(frozen=True)
class SpanView:
    """One evidence quote; ``start``/``end`` are None when it is not located in the shown text."""

    text: str
    start: int | None
    end: int | None
    match: str | None


@dataclass(frozen=True)
class RecordView:
    """A predicted record, or (verdict "missed") a gold event the run did not find."""

    type: str
    facts: list[tuple[str, str]]
    spans: list[SpanView]
    grounded: bool
    verdict: Verdict | None = None


@dataclass(frozen=True)
class ArticleView:
    id: str
    source: str
    model: str | None
    title: str | None
    text: str | None
    """None when neither the document nor --articles had the article's text."""
    records: list[RecordView]
    missed: list[RecordView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the page itself found: no text, offsets that do not fit it, no gold for this id."""


@dataclass(frozen=True)
class ReportView:
    title: str
    colours: dict[str, str]
    """Event type → its highlight colour, in legend order."""
    articles: list[ArticleView]
    scores: dict[str, PRF] | None = None
    """P/R/F1 per type and "all", from the scorer, when the page was built with gold."""
    gold: str | None = None
    """The gold file's name, shown beside the scores."""


def facts_of(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The facts worth a row: name and flattened value, empty values left out."""
    return [(k, flat(v)) for k, v in facts.items() if k not in SKIP and v not in (None, "", [], {})]


def _plain(message: str, source: str) -> str:
    """A message without its leading "SOURCE: ", which the page already shows once."""
    return message[len(source) + 2:] if source and message.startswith(source + ": ") else message


def _spans(spans: Iterable[Span], text: str | None) -> tuple[list[SpanView], int]:
    """Spans as shown, and how many had offsets that do not fit ``text`` (then shown unlocated)."""
    out, misfits = [], 0
    for s in spans:
        fits = (text is not None and s.start is not None and s.end is not None
                and 0 <= s.start <= s.end <= len(text) and text[s.start:s.end] == s.text)
        misfits += s.start is not None and text is not None and not fits
        out.append(SpanView(s.text, s.start, s.end, s.match) if fits else SpanView(s.text, None, None, None))
    return out, misfits


def _gold_event(event: dict[str, Any], text: str | None) -> RecordView:
    """A missed gold event; its evidence strings are found in the text by plain substring search (FORMAT.md)."""
    quotes = event.get("evidence") or []
    spans = []
    for quote in as_list(quotes):
        quote = str(quote)
        at = text.find(quote) if text and quote else -1
        spans.append(Span(quote, at, at + len(quote), "exact") if at >= 0 else Span(quote))
    shown, _ = _spans(spans, text)
    return RecordView(str(event.get("type") or ""), facts_of(event), shown, all(s.start is not None for s in shown), "missed")


def _record(record: Record, text: str | None, verdict: Verdict | None) -> tuple[RecordView, int]:
    spans, misfits = _spans(record.evidence, text)
    return RecordView(record.type, facts_of(record.facts), spans, record.grounded, verdict), misfits


def article_view(doc: Document, text: str | None, gold_events: list[dict[str, Any]] | None,
                 specs: dict[str, TypeSpec], notes: Iterable[str] = ()) -> ArticleView:
    """One article's view; with ``gold_events``, each record's verdict and the events it missed."""
    verdicts: list[Verdict | None] = [None] * len(doc.events)
    missed: list[RecordView] = []
    notes = list(notes)
    if text is None:
        notes.append("The article's text is not available: pass it with --articles to see the evidence in place.")
    if gold_events is not None:
        matched_gold: set[int] = set()
        for m in match_article(gold_events, predicted_events(doc), specs):
            for j in m.predicted:
                verdicts[j] = "false"
            for i, j in m.pairs:
                verdicts[j] = "matched"
                matched_gold.add(i)
        missed = [_gold_event(e, text) for i, e in enumerate(gold_events) if i not in matched_gold]
    records, misfits = [], 0
    for record, verdict in zip(doc.events, verdicts):
        view, bad = _record(record, text, verdict)
        records.append(view)
        misfits += bad
    if misfits:
        notes.append(f"{misfits} evidence offset(s) do not fit this text (was it changed since the run?): those quotes are listed, not highlighted.")
    return ArticleView(
        doc.id, doc.source, doc.model, doc.meta.get("title"), text, records, missed,
        [_plain(e, doc.source) for e in doc.errors], [_plain(w, doc.source) for w in doc.warnings], notes,
    )


def texts_from_sources(docs: list[Document]) -> dict[str, str]:
    """The texts the documents name: their own ``text`` (HTML inputs), else the source file when it still exists."""
    texts = {d.id: d.meta["text"] for d in docs if isinstance(d.meta.get("text"), str)}
    paths = set()
    for d in docs:
        if d.id not in texts:
            path = d.source.rsplit(":", 1)[0] if ".jsonl:" in d.source else d.source
            if path and Path(path).is_file():
                paths.add(path)
    for article in read_inputs(sorted(paths)):
        if isinstance(article, Article):
            texts.setdefault(article.id, article.text)
    return texts


def build_report(docs: list[Document], articles: Iterable[Article] = (), gold: list[dict[str, Any]] | None = None,
                 specs: dict[str, TypeSpec] | None = None, title: str = "llmx review",
                 gold_name: str | None = None) -> ReportView:
    """The page's data. Texts: ``articles`` (--articles) first, then the documents' own, then the gold file's.

    With ``gold``, gold articles without a document are shown too (everything in them is missed).
    """
    specs = specs or {}
    given = {a.id: a.text for a in articles}
    texts = {**texts_from_sources([d for d in docs if d.id not in given]), **given}
    gold_by_id = {str(g["id"]): g for g in gold or []}
    for gid, row in gold_by_id.items():
        if isinstance(row.get("text"), str):
            texts.setdefault(gid, row["text"])
    have = {d.id for d in docs}
    unpredicted = [Document(gid, str(row.get("source") or "gold"), None) for gid, row in gold_by_id.items() if gid not in have]
    views = []
    for doc in [*docs, *unpredicted]:
        row = gold_by_id.get(doc.id)
        notes = ["Not in the gold file: its records are not scored."] if gold is not None and row is None else []
        if doc.id not in have:
            notes.append("Not in the results file: every gold event here counts as missed.")
        views.append(article_view(doc, texts.get(doc.id), (row.get("events") or []) if row else None, specs, notes))
    scores = score(gold, docs, specs).types if gold is not None else None
    types = sorted({r.type for v in views for r in v.records + v.missed if r.type})
    colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
    return ReportView(title, colours, views, scores, gold_name if gold is not None else None)
