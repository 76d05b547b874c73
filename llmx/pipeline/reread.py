"""Re-read a cited sentence that tells a second event of its record's type.

The embedded model folds a person's second meeting into the first: it reports Kerry with
Abbas and cites, as more evidence of that meeting, "Kerry traf in Jordanien auch König
Abdullah II." A cited sentence that has one of the type's evidence words but names at
most one of the record's people tells of another event. It is asked again on its own,
with the article's prompt (whose static prefix the server keeps, so only the sentence is
new), and the events of that type the answer reports join the article's, unless the
article's answer already reports them (the same people): a re-read answer's other facts
can differ (the worked example's "Tokyo") and would keep a duplicate from merging.
"""

from __future__ import annotations

from typing import Any

from llmx.core.data import as_list
from llmx.normalize.persons import mentioned
from llmx.pipeline.checks import word_pattern
from llmx.pipeline.merge import event_facts
from llmx.schemas.base import Event
from llmx.schemas.identity import same_identity


def _names(value: Any) -> list[str]:
    return [str(getattr(item, "name", item)) for item in as_list(value) if item]


def second_event_sentences(events: list[Event], language: str) -> list[tuple[type[Event], str]]:
    """(type, sentence) for each cited sentence that tells of its event's type but names at most one of its people,
    once each; only records of two or more people, of types with ``evidence_words`` for ``language``, are looked at."""
    found: list[tuple[type[Event], str]] = []
    for event in events:
        cls = type(event)
        words = cls.evidence_words.get(language)
        if not words or not cls.person_fields:
            continue
        people = [name for field in cls.person_fields for name in _names(getattr(event, field, None))]
        if len(people) < 2:  # a warning's one issuer: every sentence names at most one of its people
            continue
        pattern = word_pattern(tuple(words))
        for quote in event.evidence:
            text = str(quote)
            if pattern.search(text) and sum(mentioned(name, text) for name in people) <= 1 and (cls, text) not in found:
                found.append((cls, text))
    return found


def new_events(found: list[Event], events: list[Event]) -> list[Event]:
    """The events of ``found`` that no event of ``events`` already reports by the merge's identity rule."""
    return [event for event in found
            if not any(type(other) is type(event) and same_identity(event_facts(other), event_facts(event), type(event).identity_spec())
                       for other in events)]
