"""When two records describe the same event: the rules merging and scoring share.

Each event type declares its ``identity_fields`` (and whether ``all`` or ``any`` must
agree, and which fields hold persons); :class:`TypeSpec` carries that declaration.
Values compare after case, accent and whitespace folding; persons compare by surname.
Merging records of one article asks for nested lists (Putin+Pezeshkian is not
Putin+Zardari); scoring against gold asks for a majority of the gold list.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from llmx.normalize.text import unaccent


@dataclass(frozen=True)
class TypeSpec:
    """How to decide that two events of one type are the same event."""

    name: str
    identity_fields: tuple[str, ...]
    identity_match: Literal["all", "any"]
    person_fields: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Case-, accent- and whitespace-insensitive form, so "Erdő" equals "erdo"."""
    return " ".join(unaccent(text).casefold().split())


def _unwrap(value: Any) -> Any:
    """Persons ({"name": ...} or objects with .name) and quotes ({"text": ...}) compare by their text."""
    if isinstance(value, dict):
        return value.get("name", value.get("text"))
    return getattr(value, "name", value) if isinstance(value, BaseModel) else value


def value_key(value: Any, person: bool) -> Any:
    """Comparison key; None means "no value", which never matches for identity."""
    value = _unwrap(value)
    if isinstance(value, str):
        value = fold(value)
        if person:
            tokens = re.sub(r"[^\w\s-]", " ", value).split()
            value = tokens[-1] if tokens else ""
        return value or None
    return value


def value_keys(value: Any, person: bool) -> list[Any]:
    items = [] if value is None else value if isinstance(value, list) else [value]
    return [k for k in (value_key(x, person) for x in items) if k is not None]


def overlap(left: list[Any], right: list[Any]) -> int:
    return sum((Counter(left) & Counter(right)).values())


def _majority(gold: Any, pred: Any, person: bool) -> bool:
    """Scoring: a list matches when it holds at least half of the gold list; scalars must be equal."""
    if isinstance(gold, list) or isinstance(pred, list):
        gk, pk = value_keys(gold, person), value_keys(pred, person)
        if not gk:
            return not pk
        return overlap(gk, pk) >= max(1, math.ceil(len(gk) / 2))
    gk = value_key(gold, person)
    return gk is not None and gk == value_key(pred, person)


def _nested(a: Any, b: Any, person: bool) -> bool:
    """Merging: both set, and the smaller list inside the larger one."""
    left, right = set(value_keys(a, person)), set(value_keys(b, person))
    return bool(left and right) and len(left & right) == min(len(left), len(right))


def _decide(spec: TypeSpec, hits: Any) -> bool:
    return any(hits) if spec.identity_match == "any" else all(hits)


def matches_gold(gold: dict[str, Any], predicted: dict[str, Any], spec: TypeSpec) -> bool:
    """Scoring's rule: does a predicted event report the gold event?"""
    return _decide(spec, (_majority(gold.get(f), predicted.get(f), f in spec.person_fields) for f in spec.identity_fields))


def same_identity(a: dict[str, Any], b: dict[str, Any], spec: TypeSpec) -> bool:
    """Merging's rule: do two records of one article name the same event?"""
    return _decide(spec, (_nested(a.get(f), b.get(f), f in spec.person_fields) for f in spec.identity_fields))
