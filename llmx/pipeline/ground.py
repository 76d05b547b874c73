"""Ground LLM evidence quotes in the source article.

LLMs paraphrase punctuation, re-wrap lines, swap quote styles and occasionally
misspell a word when they "quote" evidence.  To keep every extracted fact
traceable we locate the quote in the original text and return character offsets
into the *source* (never the quote), trying progressively looser strategies:
exact substring -> normalized substring -> fuzzy alignment (rapidfuzz).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from llmx.normalize.text import QUOTE_CHARS, fold_with_offsets

MatchKind = Literal["exact", "normalized", "fuzzy"]

# What LLMs wrap around quotes: whitespace, quote marks, ellipses, a final period.
_EDGE_JUNK = QUOTE_CHARS + "….。 \t\r\n\u00a0"
_MAX_WORD_EXTEND = 40  # bound on growing a fuzzy span to a word boundary


@dataclass(frozen=True)
class Span:
    """A located quote; `text` is source[start:end] so offsets are verifiable."""

    text: str
    start: int
    end: int
    match: MatchKind
    score: float

    def as_dict(self) -> dict:
        """JSON-friendly form; score is only informative for fuzzy matches."""
        d: dict = {"text": self.text, "start": self.start, "end": self.end, "match": self.match}
        if self.match == "fuzzy":
            d["score"] = round(self.score, 2)
        return d


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

    norm_src, starts, ends = fold_with_offsets(source)
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

