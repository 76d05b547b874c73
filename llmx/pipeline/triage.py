"""Triage: which of the requested types does this chunk report at all, before extraction.

Asked to fill one list per type, a small model tends to put something in every list,
even when the article reports no such event (measured on dev2: most false events came
from articles with no event of our types). A short first question (for each type, the
numbers of the sentences that report one) lets extraction ask only for the types found,
and skip the call when none is. The question is appended to the extraction prompt's own
last message, so the server's KV cache computes the article once for both calls.

Citing mode only: the question asks for sentence numbers.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from pydantic import BaseModel, Field, create_model

from llmx.core.cache import ResponseCache
from llmx.core.data import Usage
from llmx.core.errors import ExtractionError
from llmx.pipeline.answer import ChunkRequest
from llmx.pipeline.call import call_model
from llmx.pipeline.cite import MAX_CITED
from llmx.pipeline.prompt import render
from llmx.providers.base import Endpoint
from llmx.schemas.base import Event


@cache
def triage_model(types: tuple[type[Event], ...]) -> type[BaseModel]:
    fields = {
        t.event_type: (list[int], Field(default_factory=list, max_length=MAX_CITED, description=f"sentences that report a {t.event_type}; [] if none"))
        for t in types
    }
    return create_model("Triage", **fields)


def triage_messages(request: ChunkRequest) -> list[dict[str, str]]:
    *head, last = request.messages
    question = render("triage.j2", names=[t.event_type for t in request.types])
    return [*head, {"role": "user", "content": f"{last['content']}\n\n{question}"}]


def narrowed(request: ChunkRequest, names: set[str]) -> ChunkRequest:
    """The same request (same messages: the cached prefix stays valid) asking only for ``names``."""
    keep = [i for i, t in enumerate(request.types) if t.event_type in names]
    return replace(request, types=[request.types[i] for i in keep], asked=tuple(request.asked[i] for i in keep))


def triaged(endpoint: Endpoint, request: ChunkRequest, usage: Usage, *, temperature: float = 0.0,
            cache: ResponseCache | None = None, article_id: str | None = None) -> ChunkRequest | None:
    """``request`` narrowed to the types the chunk reports; None when it reports none.

    An unusable triage answer narrows nothing: extraction then asks for every type, as without triage.
    """
    if not request.sentences:  # quoting mode has no sentence numbers to ask for
        return request
    try:
        found = call_model(endpoint, triage_model(tuple(request.types)), triage_messages(request), usage, max_retries=0,
                           temperature=temperature, max_tokens=64, article_id=article_id, cache=cache)
    except ExtractionError:
        return request
    names = {t.event_type for t in request.types if getattr(found, t.event_type)}
    return narrowed(request, names) if names else None
