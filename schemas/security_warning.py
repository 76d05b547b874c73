"""SecurityWarning: an official body or office holder warns of a security threat.

No ontology codes: PLOVER THREATEN is a threat made by the actor itself ("All threats,
coercive or forceful warnings with serious potential repercussions", PLOVER manual 2.0), not
an agency warning of someone else's threat, and PLOVER has no public-statement category
(CAMEO 01 "Make public statement" is too unspecific to be useful). Left out rather than guessed.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from llmx.normalize.persons import plausible_person
from llmx.schemas.base import Actor, ActorName, Event, IsoDate, OptionalText


class SecurityWarning(Event):
    event_type = "security_warning"
    description = "An official body or office holder warns of terrorism, sabotage, assassination, espionage, armed or cyber attack."
    identity_fields = ("issuer", "issuer_org")
    identity_match = "any"
    person_fields = ("issuer",)
    ask_again = True  # the combined call misses warnings it finds when asked for them alone (Clarke's, bbc-0014)
    required_fields = ("issuer",)  # the gold warnings of dev + dev2 all name one; the shipped run's false ones named none
    confirm = "Does the text say that {issuer|issuer_org} warned of a security threat?"
    confirm_party = "Is {issuer_org|issuer} a government, a minister, an intelligence service, a police force or a military?"
    near_misses = (
        "a humanitarian, economic, health or moral warning",
        "a warning by an NGO, aid group, academic, journalist or opposition politician",
        "a threat made by an adversary itself",
        "a report or condemnation of an attack or plot that already happened",
    )

    # The words that say someone warns, or name a threat of the definition's kinds (FORMAT: terrorism, sabotage,
    # assassination, espionage, armed or cyber attack). The model reports as warnings sentences that say neither
    # ("Sie jubelten dem Oberhaupt der katholischen Kirche zu"); measured in README "Measuring quality".
    evidence_words = {
        "de": ("warn*", "*bedroh*", "*gefahr*", "*gefährd*", "*terror*", "*anschlag*", "*anschläge*", "*sabotage*",
               "*spionage*", "*angriff*", "*angriffe*", "attentat*", "cyber*"),
        "en": ("warn*", "*threat*", "danger*", "*terror*", "attack*", "sabotage*", "espionage", "spying", "assassinat*",
               "cyber*"),
    }

    issuer: OptionalText = Field(default=None, description="English full name of the person who warns.")
    issuer_org: OptionalText = Field(default=None, description="Organisation that warns, e.g. MI5.")
    threat_actors: list[ActorName] = Field(
        default_factory=list,
        description="Who poses the threat: alpha-3 for states, else English names.",
    )
    target: Actor = Field(default=None, description="Who is threatened: alpha-3 for a state, else English name.")
    threats: list[str] = Field(default_factory=list, description="Kinds of threat, e.g. sabotage.")
    date: IsoDate = Field(default=None, description="YYYY-MM-DD if the text gives the date.")

    @model_validator(mode="before")
    @classmethod
    def _organisation_as_issuer(cls, data: Any) -> Any:
        """An organisation or state given as the issuing person ("MI5") is the issuing organisation."""
        if isinstance(data, dict) and data.get("issuer") and not plausible_person(data["issuer"]):
            data = dict(data)
            data["issuer_org"] = data.get("issuer_org") or data["issuer"]
            data["issuer"] = None
        return data
