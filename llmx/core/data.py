"""The typed data that passes between llmx's stages, and its one JSON form.

read → :class:`Article` (or :class:`InputFailure`); the model's validated events are
grounded into :class:`Record` objects with :class:`Span` evidence; one article ends as
one :class:`Document`, with its :class:`Usage`. Writers, the event store, the review page
and the scorer all read these, and ``to_dict``/``from_dict`` are the only places that
know the JSON keys and their order. This module imports nothing from llmx.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

MatchKind = Literal["exact", "normalized", "fuzzy"]


def as_list(value: Any) -> list[Any]:
    """A fact's items: a list as it is, a single value as a list of one (facts hold either)."""
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    source: str
    """Where the text came from: a path, 'stdin' or 'file.jsonl:LINE'."""
    published: date | None = None
    """The page's own publication date (HTML inputs), which resolves "on Sunday"."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """What an HTML page states about itself (title, url, published, extracted text): copied to the document."""


@dataclass(frozen=True)
class InputFailure:
    id: str
    source: str
    error: str


@dataclass(frozen=True)
class Span:
    """One piece of evidence: ``text`` is ``source[start:end]``, or unlocated (start/end/match None)."""

    text: str
    start: int | None = None
    end: int | None = None
    match: MatchKind | None = None
    score: float = 100.0
    """rapidfuzz score; shown for fuzzy matches only."""

    @property
    def grounded(self) -> bool:
        return self.match is not None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "match": self.match}
        if self.match == "fuzzy":
            d["score"] = round(self.score, 2)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(str(d.get("text") or ""), d.get("start"), d.get("end"), d.get("match"), float(d.get("score", 100.0)))


@dataclass
class Record:
    """One extracted event: its type, its facts (the type's fields, as JSON values) and its evidence."""

    type: str
    facts: dict[str, Any]
    evidence: list[Span] = field(default_factory=list)

    @property
    def grounded(self) -> bool:
        return all(span.grounded for span in self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.facts, "evidence": [s.to_dict() for s in self.evidence], "grounded": self.grounded}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        facts = {k: v for k, v in d.items() if k not in ("type", "evidence", "grounded")}
        evidence = d.get("evidence") or []
        spans = [Span.from_dict(e) if isinstance(e, dict) else Span(str(e)) for e in as_list(evidence)]
        return cls(str(d.get("type") or ""), facts, spans)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached: int = 0
    """Answers served from the response cache (no request, no tokens)."""

    def record(self, response: Any) -> None:
        """instructor hook: one raw completion arrived."""
        self.calls += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.prompt_tokens += getattr(usage, "prompt_tokens", 0) or 0
            self.completion_tokens += getattr(usage, "completion_tokens", 0) or 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.calls += other.calls
        self.cached += other.cached

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Usage:
        d = d or {}
        return cls(*(int(d.get(k) or 0) for k in ("prompt_tokens", "completion_tokens", "calls", "cached")))


@dataclass
class Document:
    """The result for one article: what ``llmx extract`` writes, one per input."""

    id: str
    source: str
    model: str | None
    events: list[Record] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    seconds: float | None = 0.0
    """None only in saved documents that lack it."""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    """Page metadata of HTML inputs (title, url, published, text): offsets refer to that text."""

    @classmethod
    def failed(cls, failure: InputFailure, model: str | None = None) -> Document:
        """The document of an input that could not be read or extracted."""
        return cls(failure.id, failure.source, model, errors=[failure.error])

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "source": self.source, "model": self.model,
            "events": [r.to_dict() for r in self.events], "usage": self.usage.to_dict(),
            "seconds": self.seconds, "errors": list(self.errors), **self.meta,
        }
        if self.warnings:
            d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        known = {"id", "source", "model", "events", "usage", "seconds", "errors", "warnings"}
        return cls(
            id=str(d.get("id")), source=str(d.get("source") or ""), model=d.get("model"),
            events=[Record.from_dict(e) for e in d.get("events") or [] if isinstance(e, dict)],
            usage=Usage.from_dict(d.get("usage")), seconds=None if d.get("seconds") is None else float(d["seconds"]),
            errors=[str(e) for e in d.get("errors") or []], warnings=[str(w) for w in d.get("warnings") or []],
            meta={k: v for k, v in d.items() if k not in known},
        )
