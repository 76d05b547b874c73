"""Evidence by sentence number: the model cites ``[n]``, llmx copies sentence n verbatim.

Copying a 300-character German sentence costs a small model ~80 output tokens
and often comes back altered; citing its number costs two and cannot drift
from the source. Each type gets a *citing* twin whose ``evidence`` is a list of
sentence numbers; answers are resolved back into the real type, whose
validators then run as usual.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import Field, ValidationError, ValidationInfo, create_model, field_validator

from llmx.schemas.base import Event

CITE_DESCRIPTION = "Numbers of the article's sentences that state this event, e.g. [3] or [3, 9]."


MAX_CITED = 3
"""Sentences one event may cite: enough for an event told twice, too few to cite the whole article."""


def numbered(sentences: list[str]) -> str:
    """The article as the model sees it in citing mode: one ``[n] sentence`` per line."""
    return "\n".join(f"[{i}] {s}" for i, s in enumerate(sentences, start=1))


def _valid_numbers(cls: type, numbers: list[int], info: ValidationInfo) -> list[int]:
    count = len((info.context or {}).get("sentences") or [])
    bad = [n for n in numbers if count and not 1 <= n <= count]
    if bad:
        raise ValueError(f"sentence numbers {bad} do not exist; the article has sentences 1 to {count}")
    return list(dict.fromkeys(numbers))


@cache
def citing_model(cls: type[Event]) -> type[Event]:
    """``cls`` with ``evidence: list[int]`` (sentence numbers) instead of quotes."""
    return create_model(
        cls.__name__,
        __base__=cls,
        __module__=cls.__module__,
        __validators__={"_valid_numbers": field_validator("evidence")(classmethod(_valid_numbers))},
        # maxItems: a small model otherwise counts up [1, 2, 3, ...] through the whole article.
        evidence=(list[int], Field(min_length=1, max_length=MAX_CITED, description=CITE_DESCRIPTION)),
    )


def resolve(event: Event, cls: type[Event], sentences: list[str], context: dict[str, Any]) -> Event | None:
    """The real event: cited numbers replaced by the sentences' exact text (None if nothing usable is cited)."""
    data = event.model_dump(exclude={"evidence"})
    data["evidence"] = [sentences[n - 1] for n in event.evidence if 1 <= n <= len(sentences)]
    try:
        return cls.model_validate(data, context={**context, "source": None})
    except ValidationError:
        return None
