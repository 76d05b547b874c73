"""Sanction: a state or bloc imposes, extends, eases or lifts sanctions on a target.

Added with the schema authors' kit (`llmx schemas new sanction`), touching no file under llmx/.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from llmx.schemas.base import Actor, ActorName, Event, IsoDate


class Sanction(Event):
    event_type = "sanction"
    description = "A state, bloc or international body imposes, extends, eases or lifts sanctions or an embargo on a target."
    identity_fields = ("imposer", "target")
    identity_match = "all"
    confirm = "Does the text say that {imposer} imposes, extends, eases or lifts sanctions on {target}?"

    imposer: Actor = Field(description="Who imposes or lifts them: alpha-3 for a state, else English name (EU, UN).")
    target: Actor = Field(description="Who is sanctioned: alpha-3 for a state, else English name.")
    measures: list[str] = Field(default_factory=list, description="Measures, e.g. arms embargo, asset freeze.")
    action: Literal["impose", "extend", "tighten", "ease", "lift"] = Field(description="What is done to the sanctions.")
    status: Literal["decided", "planned", "proposed", "unknown"] = Field(
        default="unknown",
        description="planned if announced or pledged, proposed if only called for.",
    )
    co_imposers: list[ActorName] = Field(default_factory=list, description="Others joining the measure.")
    date: IsoDate = Field(default=None, description="YYYY-MM-DD if the text gives the date.")
