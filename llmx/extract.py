"""The pipeline for one article: prepare → prompt → call → ground → merge → result document.

Each stage lives in its own module; this one only wires them and turns
failures into the result document's ``errors`` so a batch never loses an
article silently.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

import jiter
from pydantic import BaseModel, Field, ValidationError, create_model

from llmx.cache import ResponseCache
from llmx.call import Usage, call_model
from llmx.errors import ExtractionError, LlmxError, ProviderError
from llmx.facts import check_states
from llmx.ground import align_quote, repeats
from llmx.merge import merge_events
from llmx.cite import citing_model, numbered, resolve
from llmx.confirm import confirmed
from llmx.prepare import DEFAULT_CHUNK_CHARS, chunk, clean, sentences
from llmx.prompt import build_messages
from llmx.providers.base import Endpoint
from llmx.read import Article, InputFailure
from llmx.schemas.base import Event


@dataclass
class ExtractOptions:
    types: list[type[Event]]
    max_retries: int = 1
    temperature: float = 0.0
    max_tokens: int | None = 1024
    published: date | None = None
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    strict: bool = False
    """Drop events whose evidence cannot be found in the text (default: keep, marked grounded=false)."""
    confirm: bool = True
    """Re-check each record with its type's yes/no ``confirm`` question (llmx/confirm.py) and drop the ones denied."""
    evidence: str = "cite"
    """"cite": the model cites numbered sentences (see cite.py); "quote": it copies quotes itself."""
    cache: ResponseCache | None = None


MAX_EVENTS_PER_TYPE = 6
"""Per chunk. As maxItems in the schema it also stops a looping model under constrained decoding."""


@cache
def response_model(types: tuple[type[Event], ...]) -> type[BaseModel]:
    """One model holding a list per requested type: one call extracts them all."""
    fields: dict[str, Any] = {
        t.event_type: (list[t], Field(default_factory=list, max_length=MAX_EVENTS_PER_TYPE, description=t.description)) for t in types
    }
    return create_model("Extraction", **fields)


def ground_event(event: Event, text: str, parts: list[str] | None = None) -> dict[str, Any]:
    """The output record: type first, facts, evidence aligned to offsets in the original text.

    ``parts`` are the article's sentences: one that repeats a cited sentence is cited too.
    """
    record: dict[str, Any] = {"type": event.event_type}
    record.update(event.model_dump(mode="json", exclude={"evidence"}))
    spans, seen = [], set()
    repeated = [r for q in event.evidence for r in repeats(q, parts or [])]
    for quote in dict.fromkeys([*event.evidence, *repeated]):
        span = align_quote(quote, text)
        if span is None:
            spans.append({"text": quote, "start": None, "end": None, "match": None})
        elif (span.start, span.end) not in seen:
            seen.add((span.start, span.end))
            spans.append(span.as_dict())
    record["evidence"] = spans
    record["grounded"] = all(s["match"] is not None for s in spans)
    return record


def failure_document(failure: InputFailure) -> dict[str, Any]:
    return {"id": failure.id, "source": failure.source, "model": None, "events": [],
            "usage": Usage().to_dict(), "seconds": 0.0, "errors": [failure.error]}


def salvaged(request: ChunkRequest, answer: str | None, reason: str) -> tuple[list[Event], list[str]] | None:
    """Events kept from an invalid answer with the warning that says so, or None if none could be kept."""
    kept, problems = salvage(answer, request.asked, request.context) if answer else ([], [])
    if not kept:
        return None
    return to_events(request, kept), [f"{reason}; kept {len(kept)} valid event(s), dropped {len(problems)}: {'; '.join(problems)[:300]}"]


def salvage(answer: str, asked: tuple[type[Event], ...], context: dict[str, Any]) -> tuple[list[Event], list[str]]:
    """Keep the events of an invalid or cut-off answer that validate one by one.

    A small model may get one event wrong, or loop until max_tokens; the other
    events in its answer are still good and losing them all helps nobody.
    """
    try:
        data = jiter.from_json(answer.encode("utf-8"), partial_mode=True)
    except ValueError:
        return [], ["answer is not JSON"]
    kept: list[Event] = []
    problems: list[str] = []
    for t in asked:
        items = data.get(t.event_type) if isinstance(data, dict) else None
        for item in (items if isinstance(items, list) else [])[:MAX_EVENTS_PER_TYPE]:
            try:
                kept.append(t.model_validate(item, context={**context, "attempt": 99, "reasks": 0}))
            except ValidationError as exc:
                problems.append(f"{t.event_type}: {exc.errors()[0]['msg']}")
    return kept, problems


@dataclass(frozen=True)
class ChunkRequest:
    """Everything one call for one chunk needs, and what turns its answer back into events."""

    types: list[type[Event]]
    asked: tuple[type[Event], ...]
    sentences: list[str]
    messages: list[dict[str, str]]
    context: dict[str, Any]

    @property
    def response_model(self) -> type[BaseModel]:
        return response_model(self.asked)


def prepare_chunk(text: str, options: ExtractOptions) -> ChunkRequest:
    """Messages and validation context for one chunk, evidence cited or quoted."""
    cite = options.evidence == "cite"
    parts = sentences(text) if cite else []
    asked = tuple(citing_model(t) for t in options.types) if cite else tuple(options.types)
    context: dict[str, Any] = {"published": options.published, "sentences": parts, "source": None if cite else text}
    messages = build_messages(options.types, numbered(parts) if cite else text, options.published, cite=cite)
    return ChunkRequest(list(options.types), asked, parts, messages, context)


def to_events(request: ChunkRequest, answered: list[Event]) -> list[Event]:
    """Validated answers as real events (cited sentence numbers become verbatim sentences)."""
    events = []
    for t in request.types:
        for event in answered:
            if event.event_type != t.event_type:
                continue
            resolved = resolve(event, t, request.sentences, request.context) if request.sentences else event
            if resolved is not None:
                events.append(resolved)
    return events


def events_from_answer(request: ChunkRequest, answer: str) -> tuple[list[Event], list[str]]:
    """Validate a raw answer obtained elsewhere (e.g. the OpenAI Batch API): whole if valid, else event by event."""
    try:
        result = request.response_model.model_validate_json(answer, context={**request.context, "attempt": 99, "reasks": 0})
        return to_events(request, [e for t in request.asked for e in getattr(result, t.event_type)]), []
    except ValidationError as exc:
        result = salvaged(request, answer, "invalid answer")
        if result is None:
            raise ExtractionError(f"invalid answer: {exc.errors()[0]['msg'] if exc.errors() else exc}", answer) from None
        return result


def extract_chunk(endpoint: Endpoint, text: str, options: ExtractOptions, usage: Usage, article_id: str) -> tuple[list[Event], list[str]]:
    """One call for one chunk: all requested types at once. Returns events and warnings."""
    request = prepare_chunk(text, options)
    try:
        result = call_model(endpoint, request.response_model, request.messages, usage, max_retries=options.max_retries,
                            temperature=options.temperature, max_tokens=options.max_tokens, context=request.context,
                            article_id=article_id, cache=options.cache)
        return to_events(request, [e for t in request.asked for e in getattr(result, t.event_type)]), []
    except ExtractionError as exc:
        result = salvaged(request, exc.last_answer, str(exc))
        if result is None:
            raise
        return result


def checked_records(events: list[Event], text: str, strict: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """The model-free tail of the pipeline: merge, ground (repeated sentences cited too), check states, --strict."""
    parts = sentences(clean(text))
    records: list[dict[str, Any]] = []
    warnings: list[str] = []
    for event in merge_events(events):
        record, notes = check_states(ground_event(event, text, parts), type(event).identity_fields)
        warnings.extend(notes)
        if record is not None:
            records.append(record)
    if strict:
        kept = [r for r in records if r["grounded"]]
        if len(kept) < len(records):
            warnings.append(f"--strict dropped {len(records) - len(kept)} event(s) whose evidence is not in the text")
        records = kept
    return records, warnings


def confirm_records(endpoint: Endpoint, records: list[dict[str, Any]], options: ExtractOptions, usage: Usage,
                    article_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Records whose type has a ``confirm`` question and that the model denies are dropped (llmx/confirm.py)."""
    templates = {t.event_type: t.confirm for t in options.types}
    kept, warnings = [], []
    for record in records:
        template = templates.get(record["type"])
        if template and confirmed(endpoint.side or endpoint, record, template, usage, cache=options.cache, article_id=article_id) is False:
            warnings.append(f"dropped a {record['type']}: the model denied it when asked about its evidence")
        else:
            kept.append(record)
    return kept, warnings


def extract_article(endpoint: Endpoint, article: Article, options: ExtractOptions) -> dict[str, Any]:
    """Extract, ground and merge the events of one article; never raises for model trouble."""
    started = time.perf_counter()
    if article.published:  # a web page's own date resolves its "on Sunday"; --date covers the rest
        options = replace(options, published=article.published)
    usage = Usage()
    errors: list[str] = []
    warnings: list[str] = []
    text = clean(article.text)
    chunks = chunk(text, options.chunk_chars)
    if len(chunks) > 1:
        warnings.append(f"{len(text)} characters: split into {len(chunks)} chunks on sentence boundaries")
    events: list[Event] = []
    down = False  # the endpoint failed: records are then kept unconfirmed rather than failing once each
    for part in chunks:
        try:
            found, notes = extract_chunk(endpoint, part.text, options, usage, article.id)
            events.extend(found)
            warnings.extend(f"{article.source}: {note}" for note in notes)
        except ProviderError as exc:
            errors.append(f"{article.source}: {exc}")
            down = True
            break  # the endpoint is down or refuses us: the other chunks would fail the same way
        except LlmxError as exc:
            where = f" (chunk {part.index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
            errors.append(f"{article.source}{where}: {exc}")
    records, notes = checked_records(events, article.text, options.strict)
    warnings.extend(f"{article.source}: {note}" for note in notes)
    if options.confirm and not down:
        try:
            records, notes = confirm_records(endpoint, records, options, usage, article.id)
            warnings.extend(f"{article.source}: {note}" for note in notes)
        except ProviderError as exc:
            errors.append(f"{article.source}: {exc}")
    doc: dict[str, Any] = {
        "id": article.id, "source": article.source, "model": f"{endpoint.provider}/{endpoint.model}",
        "events": records, "usage": usage.to_dict(), "seconds": round(time.perf_counter() - started, 3),
        "errors": errors, **article.meta,
    }
    if warnings:
        doc["warnings"] = warnings
    return doc


def extract_all(endpoint: Endpoint, inputs: Iterable[Article | InputFailure], options: ExtractOptions) -> Iterator[dict[str, Any]]:
    """Result documents in input order; unreadable inputs become documents with an error."""
    for item in inputs:
        if isinstance(item, InputFailure):
            yield failure_document(item)
        else:
            yield extract_article(endpoint, item, options)
