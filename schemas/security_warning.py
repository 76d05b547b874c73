"""SecurityWarning: an official body or office holder warns of a security threat."""

from __future__ import annotations

from pydantic import Field

from llmx.schemas.base import Actor, ActorName, Event, IsoDate, OptionalText


class SecurityWarning(Event):
    event_type = "security_warning"
    description = "An official body or office holder warns of terrorism, sabotage, assassination, espionage, armed or cyber attack."
    identity_fields = ("issuer", "issuer_org")
    identity_match = "any"
    person_fields = ("issuer",)

    issuer: OptionalText = Field(default=None, description="Canonical English full name of the person who warns, else null.")
    issuer_org: OptionalText = Field(default=None, description="Organisation that warns, English name, e.g. 'MI5'.")
    threat_actors: list[ActorName] = Field(
        default_factory=list,
        description="Who poses the threat: ISO alpha-3 codes for states, English names for groups; [] if unnamed.",
    )
    target: Actor = Field(default=None, description="Who or what is threatened: ISO alpha-3 for a state, else English name.")
    threats: list[str] = Field(default_factory=list, description="Kinds of threat in English, e.g. 'sabotage', 'assassination'.")
    date: IsoDate = Field(default=None, description="ISO 8601 date of the warning if the text gives it, else null.")
