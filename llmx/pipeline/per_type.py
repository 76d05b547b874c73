"""One extraction call per event type, the article shared: the focused alternative to one combined call.

Asked to fill one list per type in one answer, a small model tends to put something
in every list. Here each type gets its own call: the same messages (system prompt,
worked example, article) with the type's own instruction appended to the last one,
and a response model with only that type's list. Everything before the instruction
is the same for every type, so the server's prompt cache computes the article once;
each further type costs its instruction and its answer.

Off by default (``--per-type``): with the embedded 1.5B model it swings between answering
"none" (with "Answer [] if none") and filling every list, and scored below the combined
call on the dev sets either way (README, "Measuring quality").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from functools import cache

from llmx.pipeline.answer import ChunkRequest
from llmx.pipeline.prompt import render, type_prompt
from llmx.schemas.base import Event


def per_type_requests(request: ChunkRequest, only: Collection[str] | None = None) -> list[ChunkRequest]:
    """``request`` split into one request per type (of ``only``, when given), each asking for that type alone."""
    *head, last = request.messages
    split = []
    for t, asked in zip(request.types, request.asked):
        if only is not None and t.event_type not in only:
            continue
        ask = instruction(t)
        split.append(replace(request, types=[t], asked=(asked,), messages=[*head, {"role": "user", "content": f"{last['content']}\n\n{ask}"}]))
    return split


@cache
def instruction(t: type[Event]) -> str:
    """The type's own instruction, rendered once per type (its guidance is read from a file)."""
    return render("one_type.j2", t=type_prompt(t))
