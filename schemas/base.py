"""The shared base of every event type, and the field types they reuse.

A schema author subclasses :class:`Event`, adds fields with descriptions (the
model reads them) and declares four class attributes: ``event_type``,
``description``, ``identity_fields`` and optionally ``guidance``.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema, model_validator

from llmx.core.data import as_list
from llmx.normalize.cities import capital_state
from llmx.normalize.countries import country_code, is_alpha3
from llmx.normalize.dates import normalize_date
from llmx.normalize.offices import english_office
from llmx.normalize.persons import bare_name, english_name, english_name_of_unknown_state, mentioned
from llmx.normalize.text import latin_share
from llmx.schemas.identity import TypeSpec


def _min_chars(n: int):
    """A length check that stays out of the JSON Schema (OpenAI strict mode rejects minLength)."""

    def check(value: str) -> str:
        if len(value.strip()) < n:
            raise ValueError(f"must have at least {n} characters")
        return value

    return check


def _blank_to_none(value: object) -> object:
    """Treat "", "null", "unknown" and friends as missing: small models emit them."""
    if isinstance(value, str) and value.strip().lower() in {"", "null", "none", "unknown", "n/a", "-"}:
        return None
    return value


def _check_alpha3(value: str | None) -> str | None:
    if value is None:
        return None
    code = country_code(value)
    if code is None or not is_alpha3(code):
        raise ValueError(f"{value!r} is not a state; use an ISO 3166-1 alpha-3 code such as RUS, IRN, GBR")
    return code


def _state_or_name(value: str | None) -> str | None:
    """States become alpha-3 codes, and so do capitals standing for their government ("Moskau" → RUS);
    anything else (companies, groups) stays as written."""
    if value is None:
        return None
    return country_code(value) or capital_state(value) or value.strip()


def _check_date(value: str | None, info: ValidationInfo) -> str | None:
    """ISO dates pass, written dates are converted, weekday-only dates become null (or resolve with --date)."""
    if value is None:
        return None
    published = (info.context or {}).get("published")
    iso = normalize_date(value, published=published)
    if iso is None and any(ch.isdigit() for ch in value):
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD); use null if the text gives no date")
    return iso


ALPHA3 = sorted(c.alpha_3 for c in pycountry.countries)

CountryCode = Annotated[
    str | None,
    BeforeValidator(_blank_to_none),
    AfterValidator(_check_alpha3),
    # The enum lets grammar-constrained decoders (llama.cpp) and strict modes emit only real codes.
    WithJsonSchema({"anyOf": [{"type": "string", "enum": ALPHA3}, {"type": "null"}]}),
]
"""An ISO 3166-1 alpha-3 code; English or German state names are normalised first."""

Actor = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(_state_or_name)]
"""A state (alpha-3) or a non-state actor (English name)."""

ActorName = Annotated[str, AfterValidator(lambda v: _state_or_name(v) or v)]
"""A list item naming a state (alpha-3) or a non-state actor."""

IsoDate = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(_check_date)]
"""ISO 8601, as precise as the text allows."""

OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]


class Person(BaseModel):
    """A named person; ``name`` is the canonical English full name."""

    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, AfterValidator(_min_chars(2))] = Field(description="English full name.")
    role: OptionalText = Field(default=None, description="Office, e.g. President of Iran.")
    country: CountryCode = Field(default=None, description="State they represent (alpha-3).")

    @model_validator(mode="after")
    def _english_spelling(self, info: ValidationInfo) -> Person:
        """German transliterations from Cyrillic ("Sergej Lawrow") become English ("Sergey Lavrov"), and so do German
        offices ("US-Außenminister" → "US Foreign Minister")."""
        self.name = english_name(bare_name(self.name), self.country, article_text(info.context))
        self.role = english_office(self.role)
        return self


Quote = Annotated[str, AfterValidator(_min_chars(8))]


def article_text(context: dict | None) -> str | None:
    """The text the model saw, from the validation context (quoted or numbered-sentence mode)."""
    context = context or {}
    return context.get("source") or " ".join(context.get("sentences") or []) or None


def _literal(annotation: Any) -> bool:
    return get_origin(annotation) is Literal or any(_literal(a) for a in get_args(annotation))


@functools.cache
def _choice_fields(cls: type[BaseModel]) -> frozenset[str]:
    """Computed once per type, not once per record."""
    return frozenset(name for name, field in cls.model_fields.items() if _literal(field.annotation))


class Event(BaseModel):
    """Base of every event type: evidence first, so the model quotes before it fills facts."""

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    """Stable snake_case name used in outputs, on the command line and in gold files."""
    description: ClassVar[str]
    """One line: what this event is."""
    identity_fields: ClassVar[tuple[str, ...]]
    """Fields that decide whether two records describe the same event."""
    identity_match: ClassVar[Literal["all", "any"]] = "all"
    """Whether all identity fields must agree, or any one of them."""
    person_fields: ClassVar[tuple[str, ...]] = ()
    """Fields holding persons: compared by surname when merging and scoring."""
    guidance: ClassVar[str | None] = None
    """Inline prompt guidance; when None, llmx reads ``<event_type>.md`` beside the module or in prompts/types/."""
    merge_window: ClassVar[int | None] = None
    """Days between two articles' dates for this event to still be one (``llmx events merge``; None: its --window)."""
    codes: ClassVar[dict[str, Any] | None] = None
    """Codes in standard ontologies for exports (llmx/ontology.py): "plover", "plover_mode", "plover_context", "cameo",
    optionally "when": [({field: value(s)}, {codes}), ...]. Cite the codebook in the class docstring; leave out what does not fit."""
    confirm: ClassVar[str | None] = None
    """A yes/no question llmx asks about each record's evidence before keeping it (see llmx/pipeline/confirm.py).
    ``{field}`` is the record's value, ``{a|b}`` the first of a, b that is set. None: records are not re-checked."""
    near_misses: ClassVar[tuple[str, ...]] = ()
    """What this type is often mistaken for, as short noun phrases ("a humanitarian or moral warning"), at most
    six. The ``confirm`` question names them as cases to answer no (``bench/confirm.py`` measures the effect)."""
    required_fields: ClassVar[tuple[str, ...]] = ()
    """Fields a record must have set after llmx's checks, or it is dropped with a warning. Unlike a pydantic
    required field, the model may still leave them empty: a grammar that forced a value would make the model
    write one whether or not the article names it. SecurityWarning requires its ``issuer`` (measured in README "Measuring quality")."""
    evidence_words: ClassVar[dict[str, tuple[str, ...]]] = {}
    """Words that state this type, by the article's language (ISO 639-1 code): a record whose evidence has none of
    its language's words is dropped before any question. ``*`` stands for any letters ("*treff*" matches
    "Gipfeltreffen"), a space for any spaces. Articles in a language not listed are not checked. Meeting and
    SecurityWarning list their German and English words (measured in README "Measuring quality")."""
    ask_again: ClassVar[bool] = False
    """Asked once more on its own after the combined call (its per-type request: the article's prompt prefix is shared,
    so it costs its instruction and its answer), its records joining the combined answer's before the checks: for a
    type the combined call misses. ``--ask-again`` overrides it. SecurityWarning sets it (measured in README
    "Measuring quality")."""
    party_question: ClassVar[tuple[str, str] | None] = None
    """(field, question) asked when a record names one state as every party of its identity (a deal from Saudi Arabia
    to Saudi Arabia): the question about the record's cited sentences, ``{field}`` placeholders filled as in
    ``confirm``, its answer one of the other states they name or "not stated" (llmx/pipeline/mend.py). A named
    state replaces ``field``; otherwise the checks drop the record. None: not asked."""
    confirm_party: ClassVar[str | None] = None
    """A yes/no question about who the record's party is, from the type's definition ("Is {issuer_org|issuer}
    an official body?"), asked before ``confirm``: a record must pass both. A small model checks "is X an official"
    more reliably than a whole event; None: not asked."""

    @classmethod
    def choice_fields(cls) -> frozenset[str]:
        """Fields whose values come from a fixed list (``Literal``): there "unknown" is a choice, not a placeholder."""
        return _choice_fields(cls)

    @classmethod
    def identity_spec(cls) -> TypeSpec:
        """The type's "same event" rule, as merging and ``llmx eval`` use it."""
        return TypeSpec(cls.event_type, tuple(cls.identity_fields), cls.identity_match, tuple(cls.person_fields))

    evidence: list[Quote] = Field(
        min_length=1,
        description="One or more sentences copied character for character from the article that state this event. Keep the article's language.",
    )
    attributed_to: OptionalText = Field(
        default=None,
        description="Who the article says claims this (e.g. 'USA' for 'die USA glauben'), else null.",
    )

    @model_validator(mode="after")
    def _english_bare_names(self, info: ValidationInfo) -> Event:
        """A person field holding a name alone (no state to go by) is cut to the name (persons.bare_name) and still gets
        English spelling when the surname's ending shows a German transliteration from Russian ("Sergej Lawrow" → "Sergey Lavrov")."""
        for field in self.person_fields:
            value = getattr(self, field, None)
            if isinstance(value, str):
                setattr(self, field, english_name_of_unknown_state(bare_name(value), article_text(info.context)))
        return self

    @model_validator(mode="after")
    def _people_in_source(self, info: ValidationInfo) -> Event:
        """Every person must be named in the article: catches names carried over from the prompt's example."""
        source = article_text(info.context)
        if not source or latin_share(source) < 0.5:  # canonical English names of people written in other scripts
            return self
        missing = [name for name in self._person_names() if not mentioned(name, source)]
        if missing:
            raise ValueError(f"not named in the article: {', '.join(missing)}; report only people the article names")
        return self

    def _person_names(self) -> list[str]:
        names = []
        for field in self.person_fields:
            value = getattr(self, field, None)
            for item in as_list(value):
                name = getattr(item, "name", item)
                if isinstance(name, str) and name.strip():
                    names.append(name)
        return names
