"""Merge events of the same event: an article (or overlapping chunks) may report it twice.

Two events merge when their type's identity fields name the same event
(:func:`llmx.schemas.identity.same_identity`) and no other fact contradicts: the
seed's signed drone deal and the alleged missile transfer share supplier and
recipient but differ in status, so they stay two events.
"""

from __future__ import annotations

from typing import Any

from llmx.schemas.base import Event
from llmx.schemas.identity import TypeSpec, same_identity, value_key

NOT_FACTS = ("evidence", "attributed_to")


def event_facts(event: Event) -> dict[str, Any]:
    """An event's fields by name (what the identity and conflict rules compare)."""
    return {name: getattr(event, name) for name in type(event).model_fields}


def conflicts(a: dict[str, Any], b: dict[str, Any], spec: TypeSpec) -> bool:
    """True when a scalar fact is given in both events and differs."""
    for name, left in a.items():
        right = b.get(name)
        if name in NOT_FACTS or name in spec.identity_fields or isinstance(left, list) or left is None or right is None:
            continue
        person = name in spec.person_fields
        if value_key(left, person) != value_key(right, person):
            return True
    return False


def union(left: list[Any], right: list[Any], person: bool) -> list[Any]:
    keys = {value_key(v, person) for v in left}
    return left + [v for v in right if value_key(v, person) not in keys]


def combine(a: Event, b: Event, spec: TypeSpec) -> Event:
    """``a`` with ``b``'s list items added and ``b``'s facts where ``a`` has none."""
    mine, theirs = event_facts(a), event_facts(b)
    update: dict[str, Any] = {}
    for name, value in theirs.items():
        if isinstance(value, list):
            update[name] = union(mine.get(name) or [], value, name in spec.person_fields)
        elif mine.get(name) is None and value is not None:
            update[name] = value
    return a.model_copy(update=update)


def merge_events(events: list[Event]) -> list[Event]:
    """Events in first-seen order, duplicates folded into the first one with all their evidence."""
    kept: list[Event] = []
    for event in events:
        cls, spec, facts = type(event), type(event).identity_spec(), event_facts(event)
        for i, other in enumerate(kept):
            theirs = event_facts(other) if type(other) is cls else None
            if theirs is not None and same_identity(theirs, facts, spec) and not conflicts(theirs, facts, spec):
                kept[i] = combine(other, event, spec)
                break
        else:
            kept.append(event)
    return kept
