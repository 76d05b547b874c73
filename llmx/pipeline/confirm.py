"""Confirm each extracted record with one short question about its own evidence.

Extraction asks a small model to do everything at once (find, classify, fill
fields) and it over-reports: measured on the dev set, most of its false
meetings and warnings were plausible-looking records for things the article
does not state. Asked afterwards a plain question about the few sentences a
record cites ("Does the text say that A and B met in person?"), the same model
rejects some of them. It is cheap: the prompt is only the cited sentences
(about 200 tokens) and the answer is one word or letter.

A type opts in with a ``confirm`` template (see :class:`llmx.schemas.base.Event`);
``{field}`` is replaced by the record's value, ``{a|b}`` by the first of a, b that is set.
A type that also lists ``near_misses`` gets a multiple-choice question: "Yes", one
"No: it is <near miss>" per entry and "No: the text does not say so". A yes/no
question invites a yes; named alternatives give the model something else to pick.
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any, Literal

from pydantic import create_model

from llmx.core.cache import ResponseCache
from llmx.core.data import Record, Usage
from llmx.pipeline.call import SchemaOnce, call_model
from llmx.core.errors import ExtractionError
from llmx.pipeline.prompt import render
from llmx.providers.base import Endpoint

PLACEHOLDER = re.compile(r"\{([\w|]+)\}")
MAX_OPTIONS = 8
"""Yes, up to six near misses, and "the text does not say so"."""


class Verdict(SchemaOnce):
    answer: Literal["yes", "no"]


@cache
def choice_model(count: int) -> type[SchemaOnce]:
    """``{"answer": "A" | "B" | ...}`` with ``count`` letters."""
    letters = tuple(string.ascii_uppercase[:count])
    return create_model("Choice", __base__=SchemaOnce, answer=(Literal[letters], ...))


def _text(value: Any) -> str:
    """A field value as words: persons by name, lists joined."""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        items = [t for t in (_text(v) for v in value) if t]
        return " and ".join(items) if all(isinstance(v, dict) for v in value) else ", ".join(items)
    return "" if value is None else str(value)


def question(template: str, facts: dict[str, Any]) -> str:
    """``template`` filled from a record's ``facts``; an unset field reads "unspecified"."""

    def fill(match: re.Match[str]) -> str:
        for name in match.group(1).split("|"):
            text = _text(facts.get(name))
            if text:
                return text
        return "unspecified"

    return PLACEHOLDER.sub(fill, template)


def options(near_misses: tuple[str, ...]) -> list[str]:
    """The answers offered: "Yes" first, then each near miss, then a plain "No"."""
    return ["Yes.", *(f"No: it is {miss}." for miss in near_misses[:MAX_OPTIONS - 2]), "No: the text does not say so."]


def messages(record: Record, template: str, near_misses: tuple[str, ...] = ()) -> list[dict[str, str]]:
    text = "\n".join(span.text for span in record.evidence if span.text)
    offered = options(near_misses) if near_misses else []
    return [
        {"role": "system", "content": render("confirm_system.j2")},
        {"role": "user", "content": render("confirm.j2", text=text, question=question(template, record.facts),
                                           options=list(zip(string.ascii_uppercase, offered)))},
    ]


def confirmed(endpoint: Endpoint, record: Record, template: str, usage: Usage, *, near_misses: tuple[str, ...] = (),
              cache: ResponseCache | None = None, article_id: str | None = None) -> bool | None:
    """True/False as the model answers; None when it could not answer (the record is then kept)."""
    model = choice_model(len(options(near_misses))) if near_misses else Verdict
    try:
        verdict = call_model(endpoint, model, messages(record, template, near_misses), usage, max_retries=0,
                             temperature=0.0, max_tokens=16, article_id=article_id, cache=cache)
    except ExtractionError:  # no usable answer: keep the record rather than guess (provider errors propagate)
        return None
    return verdict.answer in ("yes", "A")
