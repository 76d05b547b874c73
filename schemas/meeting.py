"""Meeting: named people representing states or organisations talk face to face.

Codes: PLOVER CONSULT, "all consultations and meetings: this includes visiting and hosting
visits, as well as meeting at a neutral location" (PLOVER manual 2.0, CONSULT); CAMEO 040
"Consult, not specified below" (CAMEO 1.1b3). The mode varies with the record: the export
sets PLOVER's "third-party" (CAMEO 044 "Meet at a 'third' location") when the meeting's
country is none of the participants' countries; visit/host is not told apart, so it is left out.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from llmx.normalize.cities import find_city
from llmx.normalize.countries import country_code
from llmx.normalize.persons import plausible_person
from llmx.schemas.base import CountryCode, Event, IsoDate, OptionalText, Person
from llmx.schemas.identity import value_key


class Meeting(Event):
    event_type = "meeting"
    description = "Named people representing states or organisations meet in person or hold face-to-face talks."
    identity_fields = ("participants",)
    person_fields = ("participants",)
    confirm = "Does the text say that {participants} met or held talks in person?"
    near_misses = (
        "a phone call, letter or video call",
        "a speech, statement, interview or press conference",
        "a visit or plan with no named counterpart or no fixed date",
        "a meeting within one government, party or organisation",
    )
    codes = {"plover": "CONSULT", "cameo": "040"}
    # The words news uses to say that people met, talked or visited (FORMAT: "meet in person or hold talks face
    # to face"). The embedded model cites sentences that only name people together ("Netanjahu zitierte seinen
    # Verteidigungsminister"); a record whose evidence has none of these is dropped before its question.
    evidence_words = {
        "de": ("traf", "trafen", "trifft", "*treff*", "*getroffen", "*gespräch*", "unterred*", "*begegn*",
               "*empfang*", "empfing*", "empfängt", "*besuch*", "*gipfel*", "*konferenz*", "konsultation*",
               "verhandl*", "verhandel*", "*verhandlung*", "beraten", "beriet*", "berät", "beratung*",
               "zusammenkunft", "zusammenkommen", "diskut*", "audienz*", "sprach mit", "sprachen mit",
               "sprechen mit", "spricht mit"),
        "en": ("meet*", "met", "talk", "talks", "talked", "*visit*", "summit*", "host", "hosts", "hosted", "hosting",
               "receive*", "welcomed", "conferen*", "negotiat*", "discuss*", "consult*", "audience",
               "sat down", "spoke with", "spoke to", "speaks with"),
    }

    participants: list[Person] = Field(
        min_length=2,
        description="The named people who met (two or more).",
    )
    location: OptionalText = Field(default=None, description="City where they met, in English; leave out if only a country is named.")
    country: CountryCode = Field(default=None, description="Country where they met (alpha-3).")
    date: IsoDate = Field(default=None, description="YYYY-MM-DD if the text gives the date.")
    topics: list[str] = Field(default_factory=list, description="What they discussed, short phrases.")

    @model_validator(mode="after")
    def _place(self) -> Meeting:
        """Cities in any language become their English name, and fix the country ("Aschgabat" → Ashgabat, TKM).

        The city is the more specific fact and the one quoted from the text, so its
        country wins over a conflicting code; a country named as location moves to ``country``. Several cities
        ("Wien/Berlin", copied from a dateline) are no one place: removed.
        """
        places = {find_city(part) for part in (self.location or "").split("/")}  # "Kyiv/Kiev" is one city
        if len(places) > 1 and None not in places:
            self.location = None  # a dateline naming several cities ("Wien/Berlin"): where the meeting was is not told
        city = next(iter(places)) if len(places) == 1 else None
        if city is not None:
            self.location, self.country = city.name, city.country or self.country
        elif self.location and country_code(self.location):
            self.country, self.location = country_code(self.location), None
        return self

    @field_validator("participants")
    @classmethod
    def _real_people(cls, people: list[Person]) -> list[Person]:
        """Places, states and organisations are dropped, and one person named twice is kept once;
        fewer than two people left is no meeting (re-ask)."""
        real = [p for p in people if plausible_person(p.name)]
        if len(real) < 2:
            bad = ", ".join(p.name for p in people if p not in real)
            raise ValueError(f"not persons: {bad}; participants must be named people, not places, states or organisations")
        distinct, seen = [], set()
        for person in real:  # "Pilz" and "Peter Pilz" are one person (as scoring and merging see it): the first is kept
            key = value_key(person.name, person=True)
            if key not in seen:
                seen.add(key)
                distinct.append(person)
        if len(distinct) < 2:
            raise ValueError(f"{real[0].name} is one person named twice; a meeting needs two or more different people")
        return distinct
