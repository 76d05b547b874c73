"""Ask once more for a party that a record names on both sides.

The embedded model sometimes writes one state as both parties of a deal. For the Austrian
export licences of gnad-0914 it gave "SAU" → "SAU" in every run: the article names the buyer
in every sentence and the seller once ("Österreich ... ausgestellt hat", "Wien"). The
checks drop such a record, because a deal from Saudi Arabia to Saudi Arabia is no transfer
(checks.check_parties). A type that sets ``party_question`` first gets one short question
about the record's cited sentences ("Weapons in this text go to Saudi Arabia. Which state
supplies them ...?"). The answer is constrained to the other states those sentences name,
or "not stated". A named state replaces the party. "Not stated", no other state to choose
from, or no usable answer leaves the record as it is, and the checks then drop it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import create_model

from llmx.core.cache import ResponseCache
from llmx.core.data import Usage
from llmx.core.errors import ExtractionError
from llmx.normalize.countries import country_name, is_alpha3
from llmx.pipeline.call import SchemaOnce, call_model
from llmx.pipeline.checks import mentions
from llmx.pipeline.confirm import question
from llmx.pipeline.ground import ground
from llmx.pipeline.prepare import clean, sentences
from llmx.pipeline.prompt import render
from llmx.providers.base import Endpoint
from llmx.schemas.base import Event

NOT_STATED = "not stated"


def one_state_twice(event: Event) -> str | None:
    """The state code an event of an "all" identity names as every one of its (two or more) parties, else None."""
    cls = type(event)
    values = [getattr(event, name, None) for name in cls.identity_fields]
    if cls.identity_match != "all" or len(values) < 2 or len(set(map(str, values))) != 1:
        return None
    value = values[0]
    return value if isinstance(value, str) and is_alpha3(value) else None


@lru_cache(maxsize=64)  # bounded: a long run meets many sets of states
def answer_model(choices: tuple[str, ...]) -> type[SchemaOnce]:
    """A response model whose one field must be one of ``choices`` (made once per set of choices)."""
    return create_model("Party", __base__=SchemaOnce, answer=(Literal[choices], ...))


def asked_party(endpoint: Endpoint, event: Event, twice: str, cited: str, usage: Usage, *,
                cache: ResponseCache | None = None, article_id: str | None = None) -> tuple[str | None, str]:
    """The state other than ``twice`` the model names for the event's ``party_question`` field (None: not stated,
    or no answer), and the question asked ("" when there was nothing to choose from)."""
    field, template = type(event).party_question
    names = {country_name(code): code for code in sorted(mentions(cited)[0] - {twice})}
    if not names:
        return None, ""
    asked = question(template, {**event.model_dump(mode="json"), field: None})
    messages = [{"role": "system", "content": render("confirm_system.j2")},
                {"role": "user", "content": render("party.j2", text=cited, question=asked)}]
    try:
        answer = call_model(endpoint, answer_model((*names, NOT_STATED)), messages, usage, max_retries=0,
                            temperature=0.0, max_tokens=24, article_id=article_id, cache=cache)
    except ExtractionError:  # no usable answer: the record stays as it is and the checks drop it
        return None, asked
    return names.get(answer.answer), asked


def mended_events(endpoint: Endpoint, events: list[Event], text: str, usage: Usage, *,
                  cache: ResponseCache | None = None, article_id: str | None = None) -> tuple[list[Event], list[str]]:
    """``events`` with the party each one names on both sides asked again (types with a ``party_question``)."""
    parts: list[str] | None = None  # split only when a record needs its cited sentences
    asked: dict[tuple[str, str], str | None] = {}  # one question per party and cited text
    out: list[Event] = []
    notes: list[str] = []
    for event in events:
        twice = one_state_twice(event) if type(event).party_question else None
        if twice is None:
            out.append(event)
            continue
        parts = sentences(clean(text)) if parts is None else parts
        cited = "\n".join(span.text for span in ground(event, text, parts).evidence if span.text)
        key = (twice, cited)
        if key not in asked:
            asked[key], words = asked_party(endpoint.side or endpoint, event, twice, cited, usage, cache=cache,
                                            article_id=article_id)
            if words:
                notes.append(f"{event.event_type}: asked \"{words}\": {asked[key] or NOT_STATED}")
        code = asked[key]
        out.append(event.model_copy(update={type(event).party_question[0]: code}) if code else event)
    return out, notes
