"""Ground LLM evidence quotes in the source article.

LLMs paraphrase punctuation, re-wrap lines, swap quote styles and occasionally
misspell a word when they "quote" evidence.  To keep every extracted fact
traceable we locate the quote in the original text and return character offsets
into the *source* (never the quote), trying progressively looser strategies:
exact substring -> normalized substring -> fuzzy alignment (rapidfuzz).
"""

from __future__ import annotations

import unicodedata
from array import array
from functools import cache, lru_cache

from pydantic import ValidationInfo, create_model, field_validator
from rapidfuzz import fuzz

from llmx.core.data import MatchKind, Record, Span
from llmx.normalize.text import QUOTE_CHARS, fold_with_offsets
from llmx.schemas.base import Event


# What LLMs wrap around quotes: whitespace, quote marks, ellipses, a final period.
_EDGE_JUNK = QUOTE_CHARS + "….。 \t\r\n\u00a0"
_MAX_WORD_EXTEND = 40  # bound on growing a fuzzy span to a word boundary


def _candidates(quote: str) -> list[str]:
    """Quote variants from most to least literal: as given, stripped, de-decorated."""
    seen: list[str] = []
    for q in (quote, quote.strip(), quote.strip(_EDGE_JUNK)):
        if q and q not in seen:
            seen.append(q)
    return seen


def _is_word_char(c: str) -> bool:
    # CJK has no spaces, so there a single character is already a boundary.
    return c.isalnum() and unicodedata.east_asian_width(c) not in ("W", "F")


def _snap_to_words(source: str, start: int, end: int) -> tuple[int, int]:
    """Grow a fuzzy span over cut words and drop edge whitespace."""
    lo = max(0, start - _MAX_WORD_EXTEND)
    while start > lo and _is_word_char(source[start - 1]) and _is_word_char(source[start]):
        start -= 1
    hi = min(len(source), end + _MAX_WORD_EXTEND)
    while end < hi and _is_word_char(source[end - 1]) and _is_word_char(source[end]):
        end += 1
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    return start, end


def _span(source: str, start: int, end: int, match: MatchKind, score: float = 100.0) -> Span:
    return Span(source[start:end], start, end, match, score)


@lru_cache(maxsize=64)
def _folded(source: str) -> tuple[str, array, array]:
    """An article folded once: each of its non-exact quotes (the validator's, then grounding's) is found in it.

    Offsets are kept as arrays (4 bytes each, not a list's ~36), so 64 folded articles stay small.
    """
    folded, starts, ends = fold_with_offsets(source)
    return folded, array("i", starts), array("i", ends)


def align_quote(quote: str, source: str, *, min_score: float = 88.0) -> Span | None:
    """Locate `quote` in `source`; return the first/best Span, or None if not grounded.

    `min_score` is the rapidfuzz partial-ratio threshold for the fuzzy fallback.
    """
    candidates = _candidates(quote)
    core = quote.strip(_EDGE_JUNK)
    if not core or not source:
        return None

    for q in candidates:
        pos = source.find(q)
        if pos >= 0:
            return _span(source, pos, pos + len(q), "exact")

    norm_src, starts, ends = _folded(source)
    for q in candidates:
        nq = fold_with_offsets(q)[0].strip()
        pos = norm_src.find(nq) if nq else -1
        if pos >= 0:
            return _span(source, starts[pos], ends[pos + len(nq) - 1], "normalized")

    nq = fold_with_offsets(core)[0].strip()
    if not nq:
        return None
    al = fuzz.partial_ratio_alignment(nq, norm_src, score_cutoff=min_score)
    if al is None or al.dest_end - al.dest_start < 0.6 * len(nq):
        return None
    start, end = _snap_to_words(source, starts[al.dest_start], ends[al.dest_end - 1])
    if start >= end:
        return None
    return _span(source, start, end, "fuzzy", al.score)


REPEAT_SIMILARITY = 85
"""rapidfuzz ratio from which two sentences are one statement told twice (the seed's repeated
paragraph scores 92 against its first telling; its other sentences score 48 or less)."""


def repeats(quote: str, sentences: list[str]) -> list[str]:
    """Other sentences that restate ``quote`` almost word for word: an event told twice cites both."""
    if len(quote) < 40:  # short lines ("Share.", headlines) repeat without restating an event
        return []
    return [s for s in sentences if s != quote and len(s) >= 40 and fuzz.ratio(quote, s, score_cutoff=REPEAT_SIMILARITY)]



def ground(event: Event, text: str, parts: list[str] | None = None) -> Record:
    """The record of a validated event: its facts, and its evidence aligned to offsets in ``text``.

    ``parts`` are the article's sentences: one that repeats a cited sentence is cited too.
    """
    spans: list[Span] = []
    seen: set[tuple[int, int]] = set()
    repeated = [r for q in event.evidence for r in repeats(q, parts or [])]
    for quote in dict.fromkeys([*event.evidence, *repeated]):
        span = align_quote(quote, text)
        if span is None:
            spans.append(Span(quote))
        elif (span.start, span.end) not in seen:
            seen.add((span.start, span.end))
            spans.append(span)
    return Record(event.event_type, event.model_dump(mode="json", exclude={"evidence"}), spans)


def _quotes_in_source(cls: type, quotes: list[str], info: ValidationInfo) -> list[str]:
    """Re-ask when a quote is not in the article; on the last attempt let it through to be marked ungrounded."""
    context = info.context or {}
    source = context.get("source")
    if not source or context.get("attempt", 1) > context.get("reasks", 0):
        return quotes
    missing = [q for q in quotes if isinstance(q, str) and align_quote(q, source) is None]
    if missing:
        listed = "; ".join(repr(q[:100]) for q in missing)
        raise ValueError(f"evidence not found in the article: {listed}. Copy whole sentences from the article exactly, without translating")
    return quotes


@cache
def quoting_model(cls: type[Event]) -> type[Event]:
    """``cls`` whose quotes must be found in the article (``--evidence quote``): the twin of cite.citing_model."""
    return create_model(cls.__name__, __base__=cls, __module__=cls.__module__,
                        __validators__={"_quotes_in_source": field_validator("evidence")(classmethod(_quotes_in_source))})
