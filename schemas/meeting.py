"""Meeting: named people representing states or organisations talk face to face."""

from __future__ import annotations

from pydantic import Field, field_validator

from llmx.normalize import plausible_person
from llmx.schemas.base import CountryCode, Event, IsoDate, OptionalText, Person


class Meeting(Event):
    event_type = "meeting"
    description = "Named people representing states or organisations meet in person or hold face-to-face talks."
    identity_fields = ("participants",)
    person_fields = ("participants",)

    participants: list[Person] = Field(
        min_length=2,
        description="The named people who met (at least two), each with canonical English name, role and country.",
    )
    location: OptionalText = Field(default=None, description="English name of the city where they met; null if only a country is named.")
    country: CountryCode = Field(default=None, description="Country where they met, ISO 3166-1 alpha-3.")
    date: IsoDate = Field(default=None, description="ISO 8601 date of the meeting if the text gives it, else null.")
    topics: list[str] = Field(default_factory=list, description="What they discussed, short English phrases.")

    @field_validator("participants")
    @classmethod
    def _real_people(cls, people: list[Person]) -> list[Person]:
        bad = [p.name for p in people if not plausible_person(p.name)]
        if bad:
            raise ValueError(f"not persons: {', '.join(bad)}; participants must be named people, not places, states or organisations")
        return people
