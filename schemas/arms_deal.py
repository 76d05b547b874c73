"""ArmsDeal: weapons or military equipment change hands between two parties.

The model copies the amount as written ("1,7-Milliarden-Dollar"); llmx parses it
into ``value_usd`` or ``value`` + ``currency``. Parsing text is deterministic,
while small models routinely drop a "billion" when asked for the number.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, computed_field

from llmx.normalize import parse_money
from llmx.schemas.base import Actor, Event, IsoDate, OptionalText

Status = Literal["signed", "delivered", "approved", "planned", "alleged", "cancelled", "unknown"]


class ArmsDeal(Event):
    event_type = "arms_deal"
    description = "Weapons or military equipment are sold, given, licensed, contracted or delivered between two parties."
    identity_fields = ("supplier", "recipient")

    supplier: Actor = Field(description="Who provides the weapons: ISO alpha-3 code for a state, English name otherwise.")
    recipient: Actor = Field(description="Who receives the weapons: ISO alpha-3 code for a state, English name otherwise.")
    weapons: list[str] = Field(default_factory=list, description="Weapon types in English, plural nouns, e.g. 'drones'.")
    amount: OptionalText = Field(
        default=None,
        description="The deal's value exactly as the article writes it, with its currency, e.g. '1,7-Milliarden-Dollar' or '$300m'; null if none.",
    )
    status: Status = Field(
        default="unknown",
        description="signed, delivered, approved, planned, alleged (someone claims it happened), cancelled or unknown.",
    )
    date: IsoDate = Field(default=None, description="ISO 8601 date of the deal if the text gives it, else null.")

    @computed_field(description="Value in US dollars, only when the text states it in dollars.")
    @property
    def value_usd(self) -> float | None:
        money = parse_money(self.amount)
        return money.value if money and money.currency == "USD" else None

    @computed_field(description="Value in the stated currency when it is not USD (never converted).")
    @property
    def value(self) -> float | None:
        money = parse_money(self.amount)
        return money.value if money and money.currency != "USD" else None

    @computed_field(description="ISO 4217 code of `value`.")
    @property
    def currency(self) -> str | None:
        money = parse_money(self.amount)
        return money.currency if money and money.currency != "USD" else None
