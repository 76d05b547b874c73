"""A second look for missed events: the model is shown its own answer and asked for what it left out.

One combined call folds what a reader would count as several events into one: a person's
separate talks with two people become one meeting, two deals one deal. Microsoft GraphRAG's
"gleaning" asks again in the same conversation ("MANY entities were missed in the last
extraction. Add them below"); here the follow-up asks for the events the answer leaves out,
or empty lists. The conversation up to the answer is the one the server just computed, so
its prompt cache makes the follow-up cost its own few tokens and its answer.

Off by default (``--glean``), for stronger models: the embedded 1.5B model answered empty
lists for all 42 chunks of dev + dev2, and each follow-up took 5.0 s (median; 4-10 s).
Told instead, as GraphRAG tells it, that events were missed, it copied the worked
example's events into all 14 articles tried (every one dropped by the checks), at 92 s an
article (README, "Measuring quality").
"""

from __future__ import annotations

from dataclasses import replace

from llmx.pipeline.answer import ChunkRequest
from llmx.pipeline.prompt import render


def glean_request(request: ChunkRequest, answer: str) -> ChunkRequest:
    """``request`` continued: the model's ``answer`` as its turn, then the question for what it left out."""
    messages = [*request.messages, {"role": "assistant", "content": answer}, {"role": "user", "content": render("glean.j2")}]
    return replace(request, messages=messages, context=dict(request.context))
