"""Sanction: a state or bloc imposes, extends, eases or lifts sanctions on a target.

Added with the schema authors' kit (`llmx schemas new sanction`), touching no file under llmx/.

Codes: imposing, extending or tightening is PLOVER SANCTION mode discontinue ("International
(political or economic) sanctions are coded as 'discontinue'", PLOVER manual 2.0, SANCTION
modes) and CAMEO 163 "Impose embargo, boycott, or sanctions" (CAMEO 1.1b3); announced but not
decided is THREATEN mode restrict, CAMEO 1312 "Threaten to boycott, embargo, or sanction";
easing or lifting is RETREAT (CAMEO 085 "Ease economic sanctions, boycott, embargo", mapped to
RETREAT in openeventdata/PLOVER CAMEO2PLOVER-2021.txt; the manual's RETREAT modes have no
easing mode, so none is set). Only called for (proposed), or easing only planned: no code.
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
    codes = {
        "plover": "SANCTION", "plover_mode": "discontinue", "cameo": "163",
        "when": [({"status": "proposed"}, {}),
                 ({"action": ["ease", "lift"], "status": ["decided", "unknown"]}, {"plover": "RETREAT", "cameo": "085"}),
                 ({"action": ["ease", "lift"]}, {}),
                 ({"status": "planned"}, {"plover": "THREATEN", "plover_mode": "restrict", "cameo": "1312"})],
    }
    confirm = "Does the text say that {imposer} imposes, extends, eases or lifts sanctions on {target}?"
    confirm_party = "Is {imposer} a state, a government or an international body such as the EU or the UN?"
    near_misses = (
        "tariffs, a trade dispute or one refused export licence",
        "criticism or a demand with no sanctions measure",
        "sanctions mentioned only as past background",
        "a court ruling, arrest or ban within one country",
    )

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
