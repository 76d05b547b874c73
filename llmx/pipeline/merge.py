"""Merge records of the same event: an article (or overlapping chunks) may report it twice.

Two records merge when their type's identity fields match (the same rule
``llmx eval`` uses) and no other fact contradicts: the seed's signed drone deal
and the alleged missile transfer share supplier and recipient but differ in
status, so they stay two events.
"""

from __future__ import annotations

from typing import Any

from llmx.registry import type_specs
from llmx.schemas.base import Event
from llmx.evaluation.score import SKIP, TypeSpec, value_key, value_keys

NOT_FACTS = (*SKIP, "attributed_to")


def same_identity(a: dict[str, Any], b: dict[str, Any], spec: TypeSpec) -> bool:
    """Identity as in scoring, but lists must nest: Putin+Pezeshkian and Putin+Zardari are two meetings."""
    hits = []
    for name in spec.identity_fields:
        person = name in spec.person_fields
        left, right = set(value_keys(a.get(name), person)), set(value_keys(b.get(name), person))
        hits.append(bool(left and right) and len(left & right) == min(len(left), len(right)))
    return any(hits) if spec.identity_match == "any" else all(hits)


def conflicts(a: dict[str, Any], b: dict[str, Any], spec: TypeSpec) -> bool:
    """True when a scalar fact is given in both records and differs."""
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


def combine(a: dict[str, Any], b: dict[str, Any], spec: TypeSpec) -> dict[str, Any]:
    merged = dict(a)
    for name, value in b.items():
        if isinstance(value, list):
            merged[name] = union(merged.get(name) or [], value, name in spec.person_fields)
        elif merged.get(name) is None:
            merged[name] = value
    return merged


def merge_events(events: list[Event]) -> list[Event]:
    """Events in first-seen order, duplicates folded into the first record with all their evidence."""
    specs = type_specs({type(e).event_type: type(e) for e in events})
    kept: list[tuple[type[Event], dict[str, Any]]] = []
    for event in events:
        cls, record = type(event), event.model_dump(mode="json")
        spec = specs[cls.event_type]
        for i, (other_cls, other) in enumerate(kept):
            if other_cls is cls and same_identity(other, record, spec) and not conflicts(other, record, spec):
                kept[i] = (cls, combine(other, record, spec))
                break
        else:
            kept.append((cls, record))
    return [cls.model_validate(record) for cls, record in kept]
