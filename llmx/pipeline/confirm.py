"""Confirm each extracted record with one short question about its own evidence.

Extraction asks a small model to do everything at once (find, classify, fill
fields) and it over-reports: measured on the dev set, most of its false
meetings and warnings were plausible-looking records for things the article
does not state. Asked afterwards a plain question about the few sentences a
record cites ("Does the text say that A and B met in person?"), the same model
rejects some of them. It is cheap: the prompt is only the cited sentences
(about 200 tokens) and the answer is one word.

A type opts in with a ``confirm`` template (see :class:`llmx.schemas.base.Event`);
``{field}`` is replaced by the record's value, ``{a|b}`` by the first of a, b that is set.
A type that also lists ``near_misses`` has them named in the question: "Answer no if
it is only a humanitarian or moral warning, or ...". Measured with bench/confirm.py on
dev + dev2: the same true events kept as the plain question, a quarter fewer false ones;
offering them as lettered answers instead made the model reject nearly every record.
A type's ``confirm_party`` question ("Is MI5 a government, ... or a military?") is asked
first (pipeline/article.py::confirm_records); state codes read as names in every question.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from llmx.core.cache import ResponseCache
from llmx.core.data import Record, Usage
from llmx.pipeline.call import SchemaOnce, call_model
from llmx.core.errors import ExtractionError
from llmx.normalize.countries import country_name
from llmx.pipeline.prompt import render
from llmx.providers.base import Endpoint

PLACEHOLDER = re.compile(r"\{([\w|]+)\}")
MAX_NEAR_MISSES = 6
"""More would make the question longer than the cited sentences it is about."""


class Verdict(SchemaOnce):
    answer: Literal["yes", "no"]


def _text(value: Any) -> str:
    """A field value as words: persons by name, lists joined."""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        items = [t for t in (_text(v) for v in value) if t]
        return " and ".join(items) if all(isinstance(v, dict) for v in value) else ", ".join(items)
    if isinstance(value, str):
        return country_name(value)  # "Is IRN a state?" means little to a small model; "Is Iran a state?" does
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


def messages(record: Record, template: str, near_misses: tuple[str, ...] = ()) -> list[dict[str, str]]:
    text = "\n".join(span.text for span in record.evidence if span.text)
    return [
        {"role": "system", "content": render("confirm_system.j2")},
        {"role": "user", "content": render("confirm.j2", text=text, question=question(template, record.facts),
                                           near_misses=near_misses[:MAX_NEAR_MISSES])},
    ]


def confirmed(endpoint: Endpoint, record: Record, template: str, usage: Usage, *, near_misses: tuple[str, ...] = (),
              cache: ResponseCache | None = None, article_id: str | None = None) -> bool | None:
    """True/False as the model answers; None when it could not answer (the record is then kept)."""
    try:
        verdict = call_model(endpoint, Verdict, messages(record, template, near_misses), usage, max_retries=0,
                             temperature=0.0, max_tokens=16, article_id=article_id, cache=cache)
    except ExtractionError:  # no usable answer: keep the record rather than guess (provider errors propagate)
        return None
    return verdict.answer == "yes"
