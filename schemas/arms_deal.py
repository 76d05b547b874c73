"""ArmsDeal: weapons or military equipment change hands between two parties.

The model copies the amount as written ("1,7-Milliarden-Dollar"); llmx parses it
into ``value_usd`` or ``value`` + ``currency``. Parsing text is deterministic,
while small models routinely drop a "billion" when asked for the number.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, computed_field

from llmx.normalize import parse_money, usd_fields
from llmx.schemas.base import Actor, Event, IsoDate, OptionalText

Status = Literal["signed", "delivered", "approved", "planned", "alleged", "cancelled", "unknown"]


class ArmsDeal(Event):
    event_type = "arms_deal"
    description = "Weapons or military equipment are sold, given, licensed, contracted or delivered between two parties."
    identity_fields = ("supplier", "recipient")

    supplier: Actor = Field(description="Who provides the weapons: alpha-3 for a state, else English name.")
    recipient: Actor = Field(description="Who receives them: alpha-3 for a state, else English name.")
    weapons: list[str] = Field(default_factory=list, description="Weapon types, e.g. drones.")
    amount: OptionalText = Field(
        default=None,
        description="The value exactly as written, with its currency, e.g. 1,7-Milliarden-Dollar.",
    )
    status: Status = Field(
        default="unknown",
        description="alleged when someone only claims or believes it.",
    )
    date: IsoDate = Field(default=None, description="YYYY-MM-DD if the text gives the date.")

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
