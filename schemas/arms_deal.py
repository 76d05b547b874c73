"""ArmsDeal: weapons or military equipment change hands between two parties.

The model copies the amount as written ("1,7-Milliarden-Dollar"); llmx checks it
against the evidence (llmx/money.py) and parses it into ``value_usd`` or ``value`` + ``currency``. Parsing text is deterministic,
while small models routinely drop a "billion" when asked for the number.

Codes (PLOVER manual 2.0; CAMEO 1.1b3): a sale or delivery is COOPERATE, "mutual material
cooperation or exchange", context military, CAMEO 062 "Cooperate militarily"; a deal only
signed, approved or planned is AGREE ("promises, offers, or agreement for future cooperation
should be coded as AGREE", COOPERATE ambiguities), CAMEO 0312 "Express intent to cooperate
militarily". A cancelled deal gets no code (no category states it without guessing).
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, computed_field, model_validator

from llmx.normalize.money import parse_money, stated_amount, usd_fields
from llmx.normalize.weapons import english_weapon
from llmx.schemas.base import Actor, Event, IsoDate, OptionalText

Weapon = Annotated[str, AfterValidator(english_weapon)]
"""A weapon type in English ("Drohnen" -> "drones", see llmx/normalize/weapons.py)."""

Status = Literal["signed", "delivered", "approved", "planned", "alleged", "cancelled", "unknown"]


class ArmsDeal(Event):
    event_type = "arms_deal"
    description = "Weapons or military equipment are sold, given, licensed, contracted or delivered between two parties."
    identity_fields = ("supplier", "recipient")
    merge_window = 180  # a deal is reported when signed and again, months later, when delivered
    required_fields = ("supplier", "recipient")  # a transfer between two parties; a deal missing one can never match
    codes = {
        "plover": "COOPERATE", "plover_context": "military", "cameo": "062",
        "when": [({"status": ["signed", "approved", "planned"]}, {"plover": "AGREE", "plover_context": "military", "cameo": "0312"}),
                 ({"status": "cancelled"}, {})],
    }
    party_question = ("supplier", "Weapons in this text go to {recipient}. Which state supplies them "
                                  "(sells, exports, gives, licenses or delivers them)?")
    # No confirm question: asked "Does the text say that weapons (...) go from X to Y?", the
    # embedded model said yes to every deal in four dev-set runs (2 of the 3 wrong), and yes to
    # both Russia and the United States as the recipient of the seed's missiles; ~3 s a question.

    supplier: Actor = Field(description="Who provides the weapons: alpha-3 for a state, else English name.")
    recipient: Actor = Field(description="Who receives them: alpha-3 for a state, else English name.")
    weapons: list[Weapon] = Field(default_factory=list, description="Weapon types, e.g. drones.")
    amount: OptionalText = Field(
        default=None,
        description="The value exactly as written, with its currency, e.g. 1,7-Milliarden-Dollar.",
    )
    status: Status = Field(
        default="unknown",
        description="alleged when someone only claims or believes it.",
    )
    date: IsoDate = Field(default=None, description="YYYY-MM-DD if the text gives the date.")

    @model_validator(mode="after")
    def _amount_as_stated(self) -> ArmsDeal:
        """The amount in the evidence's own words: a value the evidence does not state is dropped."""
        if self.amount is not None and self.evidence and all(isinstance(q, str) for q in self.evidence):
            self.amount = stated_amount(self.amount, " ".join(self.evidence))
        return self

    @cached_property
    def money(self) -> dict[str, float | str]:
        """``amount`` parsed once: {"value_usd": ...} or {"value": ..., "currency": ...} (never converted)."""
        return usd_fields(parse_money(self.amount))

    @computed_field(description="Value in US dollars, only when the text states it in dollars.")
    @property
    def value_usd(self) -> float | None:
        return self.money.get("value_usd")

    @computed_field(description="Value in the stated currency when it is not USD (never converted).")
    @property
    def value(self) -> float | None:
        return self.money.get("value")

    @computed_field(description="ISO 4217 code of `value`.")
    @property
    def currency(self) -> str | None:
        return self.money.get("currency")
