"""Facts must be traceable to their evidence: a state a record names must be mentioned there.

Small models fill supplier/recipient/target with states from elsewhere in the
article, or from the prompt's example ("FIN" in a story about Cologne). A state
counts as mentioned when its evidence names it in any language: its name or code
("Russland", "USA"), a demonym ("iranische") or one of its cities ("Teheran").
An unmentioned state in an identity field (who supplied, who received) drops the
record; elsewhere the value is removed. Both are reported as warnings.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from llmx.core.data import Record
from llmx.normalize.cities import find_city
from llmx.normalize.countries import country_code, is_alpha3

MENTION_CITY = 100_000
"""Cities this large name their state ("Teheran" → IRN); smaller ones collide with ordinary words."""
FUNCTION_WORDS = frozenset(
    "die der das den dem des ein eine einer und oder aber auch nach bei mit von vor zur zum aus als wie was wer "
    "sie er es wir ihr am im an auf für über unter the and but for with from into this that these those".split()
)
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


def states_mentioned(text: str) -> set[str]:
    """Alpha-3 codes of the states a text names, by name, code, demonym or city, in 1–3 word spans."""
    words = [w.strip(".-'’") for w in WORD.findall(text)]
    caseless = not any(c.isupper() for c in text)
    found: set[str] = set()
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            span = " ".join(words[i:i + size])
            if not span or (not caseless and not span[0].isupper()):
                continue  # names are capitalised: "can", "den" are words, not CAN or a town
            if size == 1 and ((len(span) <= 2 and not span.isupper()) or span.casefold() in FUNCTION_WORDS):
                continue  # "In", "Die", "Und" at a sentence start: not IND or a town
            code = country_code(span)
            city = find_city(span) if code is None else None
            if code:
                found.add(code)
            elif city and city.country and city.population >= MENTION_CITY:
                found.add(city.country)
    return found


def _state(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isupper() and is_alpha3(value)


def check_states(record: Record, identity_fields: tuple[str, ...]) -> tuple[Record | None, list[str]]:
    """The record with unmentioned states removed, or None when an identity field names one."""
    evidence = " ".join(span.text for span in record.evidence)
    if not evidence:
        return record, []
    # The record's own place names count too: a meeting "in Ashgabat" is in TKM.
    places = " ".join(v for v in record.facts.values() if isinstance(v, str) and not _state(v))
    mentioned = states_mentioned(evidence) | {c.country for c in [find_city(places)] if c and c.country}
    facts = dict(record.facts)
    notes: list[str] = []
    for name, value in record.facts.items():
        if name == "attributed_to":
            continue
        if _state(value) and value not in mentioned:
            if name in identity_fields:
                return None, [f"dropped a {record.type}: its evidence does not mention {name} {value}"]
            facts[name] = None
            notes.append(f"{record.type}.{name} {value} removed: not mentioned in its evidence")
        elif isinstance(value, list) and any(_state(v) and v not in mentioned for v in value):
            facts[name] = [v for v in value if not (_state(v) and v not in mentioned)]
            notes.append(f"{record.type}.{name}: states not mentioned in its evidence removed")
    return replace(record, facts=facts), notes
