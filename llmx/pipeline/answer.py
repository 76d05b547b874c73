"""From the model's answer to validated events: the response model, a chunk's request, salvage.

One call asks for a list per requested type. A valid answer becomes events at once; an
invalid or cut-off one (a small model may get one item wrong, or loop until max_tokens)
keeps the items that validate one by one, with a warning naming what was dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jiter
import openai
from pydantic import BaseModel, Field, ValidationError, create_model

from llmx.core.errors import ExtractionError
from llmx.pipeline.call import SchemaOnce
from llmx.pipeline.cite import citing_model, numbered, resolve
from llmx.pipeline.ground import quoting_model
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.prepare import sentences
from llmx.pipeline.prompt import build_messages
from llmx.schemas.base import Event

MAX_EVENTS_PER_TYPE = 6
"""Per chunk. As maxItems in the schema it also stops a looping model under constrained decoding."""

LAST_ATTEMPT = {"attempt": 99, "reasks": 0}
"""Validation context for answers that get no re-ask (salvage, Batch API): grounding lets quotes through."""


@cache
def response_model(types: tuple[type[Event], ...]) -> type[BaseModel]:
    """One model holding a list per requested type: one call extracts them all."""
    fields: dict[str, Any] = {
        t.event_type: (list[t], Field(default_factory=list, max_length=MAX_EVENTS_PER_TYPE, description=t.description)) for t in types
    }
    return create_model("Extraction", __base__=SchemaOnce, **fields)


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The schema OpenAI's strict structured outputs accept, through openai's public helper."""
    return openai.pydantic_function_tool(model)["function"]["parameters"]


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
    asked = tuple((citing_model if cite else quoting_model)(t) for t in options.types)
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


def answered_events(request: ChunkRequest, result: BaseModel) -> list[Event]:
    """The events of a whole valid answer."""
    return to_events(request, [e for t in request.asked for e in getattr(result, t.event_type)])


def salvage(answer: str, asked: tuple[type[Event], ...], context: dict[str, Any]) -> tuple[list[Event], list[str]]:
    """Keep the events of an invalid or cut-off answer that validate one by one."""
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
                kept.append(t.model_validate(item, context={**context, **LAST_ATTEMPT}))
            except ValidationError as exc:
                problems.append(f"{t.event_type}: {exc.errors()[0]['msg']}")
    return kept, problems


def salvaged(request: ChunkRequest, answer: str | None, reason: str) -> tuple[list[Event], list[str]] | None:
    """Events kept from an invalid answer with the warning that says so; None when the answer holds no items at all.

    An answer whose every item is invalid still loses only those items: the article keeps
    its other chunks' events and gets a warning, not an error.
    """
    kept, problems = salvage(answer, request.asked, request.context) if answer else ([], [])
    if not kept and (not problems or problems == ["answer is not JSON"]):
        return None
    return to_events(request, kept), [f"{reason}; kept {len(kept)} valid event(s), dropped {len(problems)}: {'; '.join(problems)[:300]}"]


def events_from_answer(request: ChunkRequest, answer: str) -> tuple[list[Event], list[str]]:
    """Validate a raw answer obtained elsewhere (e.g. the OpenAI Batch API): whole if valid, else event by event."""
    try:
        return answered_events(request, request.response_model.model_validate_json(answer, context={**request.context, **LAST_ATTEMPT})), []
    except ValidationError as exc:
        result = salvaged(request, answer, "invalid answer")
        if result is None:
            raise ExtractionError(f"invalid answer: {exc.errors()[0]['msg'] if exc.errors() else exc}", answer) from None
        return result
