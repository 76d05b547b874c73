"""Facts must be traceable to their evidence: a state or a city a record names must be mentioned there,
and the parties that identify a record must be real and distinct.

Small models fill supplier/recipient/target with states from elsewhere in the
article, or from the prompt's example ("FIN" in a story about Cologne; a meeting "in
Tokyo", the example's city, in a story that names no Tokyo). A city a record names must
be named somewhere in its article, in any language ("Tokio", "Aschgabat"): the sentence
that says where a meeting took place is often not the one cited for it. A state
counts as mentioned when its evidence names it in any language: its name or code
("Russland", "USA"), a demonym ("iranische") or one of its cities ("Teheran").
An unmentioned state in an identity field (who supplied, who received) drops the
record; elsewhere the value is removed. Both are reported as warnings. Before that, a code
that is no state the evidence mentions but spells one of them from the wrong letters
("UAU" for Ukraine, whose alpha-2 is UA; "KAT" for Katar) is read as that state.

Small models also invent codes ("GER", "SRO" for a region) where a field asks for
"alpha-3 for a state, else English name": an all-capitals code that is no ISO state,
no international body llmx knows and not written in the article is removed, and so is
a placeholder ("unknown") put where the article gives nothing. A record
left with none of its identity fields set (a warning with no issuer) identifies nothing,
and one that names the same party on both sides of an "all" identity (a deal from Saudi
Arabia to Saudi Arabia) is no transfer between two parties: both are dropped, and so is a
record without a field its type requires (``Event.required_fields``: a warning with no
named person who warns).

A type may also list the words that state it in each language (``Event.evidence_words``): a meeting record whose
cited sentences say nothing of meeting, talks or a visit ("Netanjahu zitierte seinen Verteidigungsminister") is
dropped, in an article of a language the list covers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from llmx.core.data import Record, as_list
from llmx.normalize.cities import City, find_city
from llmx.normalize.countries import country_code, is_alpha3, misspelled_code
from llmx.normalize.persons import mentioned
from llmx.normalize.text import fold_key
from llmx.pipeline.prepare import language
from llmx.schemas.base import Event
from llmx.schemas.identity import TypeSpec

MENTION_CITY = 100_000
"""Cities this large name their state ("Teheran" → IRN); smaller ones collide with ordinary words."""
FUNCTION_WORDS = frozenset(
    "die der das den dem des ein eine einer und oder aber auch nach bei mit von vor zur zum aus als wie was wer "
    "sie er es wir ihr am im an auf für über unter the and but for with from into this that these those".split()
)
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


def mentions(text: str) -> tuple[set[str], set[City]]:
    """The states (alpha-3) and the cities a text names, in 1–3 word spans, in any language."""
    words = [w.strip(".-'’") for w in WORD.findall(text)]
    caseless = not any(c.isupper() for c in text)
    found: set[str] = set()
    cities: set[City] = set()
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            span = " ".join(words[i:i + size])
            if not span or (not caseless and not span[0].isupper()):
                continue  # names are capitalised: "can", "den" are words, not CAN or a town
            if size == 1 and ((len(span) <= 2 and not span.isupper()) or span.casefold() in FUNCTION_WORDS):
                continue  # "In", "Die", "Und" at a sentence start: not IND or a town
            code = country_code(span)
            city = find_city(span) if code is None else None
            if code:
                found.add(code)
            elif city:
                cities.add(city)
                if city.country and city.population >= MENTION_CITY:
                    found.add(city.country)
    return found, cities


def _state(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isupper() and is_alpha3(value)


@lru_cache(maxsize=16)
def cities_in(text: str) -> frozenset[City]:
    """The cities an article names (cached: every record of the article asks)."""
    return frozenset(mentions(text)[1])


def check_states(record: Record, identity_fields: tuple[str, ...], article: str = "") -> tuple[Record | None, list[str]]:
    """The record with cities its article does not name and states its evidence does not name removed,
    or None when an identity field names such a state."""
    evidence = " ".join(span.text for span in record.evidence)
    if not evidence:
        return record, []
    mentioned, cities = mentions(evidence)
    cities |= cities_in(article)
    facts = dict(record.facts)
    notes: list[str] = []
    for name, value in record.facts.items():
        city = find_city(value) if isinstance(value, str) and not _state(value) and name not in identity_fields else None
        if city is not None and city not in cities:
            facts[name] = None
            notes.append(f"{record.type}.{name} {value} removed: the article does not name it")
        elif city is not None and city.country:
            mentioned.add(city.country)  # the record's own, mentioned city names its state: a meeting "in Ashgabat" is in TKM
    taken = {v for field in identity_fields for v in as_list(facts.get(field)) if isinstance(v, str)}  # not people
    for name, value in list(facts.items()):
        if (fixed := _respelled(value, mentioned - taken, article)) != value:
            facts[name] = fixed
            notes.append(f"{record.type}.{name} {value} read as {fixed}: the state its evidence names with those letters")
    for name, value in facts.items():
        if name == "attributed_to" or value is None:
            continue
        if _state(value) and value not in mentioned:
            if name in identity_fields:
                return None, [f"dropped a {record.type}: its evidence does not mention {name} {value}"]
            facts[name] = None
            notes.append(f"{record.type}.{name} {value} removed: not mentioned in its evidence")
        elif isinstance(value, list) and any(_state(v) and v not in mentioned for v in value):
            facts[name] = [v for v in value if not (_state(v) and v not in mentioned)]
            notes.append(f"{record.type}.{name}: states not mentioned in its evidence removed")
    return replace(record, facts=facts), notes


def _respelled(value: Any, states: set[str], article: str) -> Any:
    """``value`` with each all-capitals code that is no state of ``states`` and not written in the article ("IS")
    replaced by the one of them it misspells ("UAU" → UKR when the evidence names Ukraine;
    countries.misspelled_code), else unchanged."""
    if isinstance(value, list):
        return [_respelled(item, states, article) for item in value]
    if (isinstance(value, str) and CODE.fullmatch(value) and value not in states and value not in BODIES
            and not re.search(rf"\b{value}\b", article)):
        return misspelled_code(value, states) or value
    return value


CODE = re.compile(r"[A-Z]{2,5}")
BODIES = frozenset("EU UN NATO OSCE IAEA OPEC ASEAN WHO ICC G7 G20".split())
"""International bodies by their usual English acronym, which German texts spell otherwise (UNO, Nato, OSZE)."""


@lru_cache(maxsize=16)
def _words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in re.findall(r"[^\W_]+", text))


PLACEHOLDERS = frozenset("unknown unspecified unnamed none n/a na null various other others".split())
"""What a small model writes where the article gives no value: a fact it does not state."""


def invented(value: Any, article: str) -> str | None:
    """Why ``value`` states nothing the article says: a placeholder ("unknown"), or an all-capitals code that is
    no ISO state, no known body and not written in the article; None for a real value."""
    if not isinstance(value, str):
        return None
    if value.strip().casefold() in PLACEHOLDERS:
        return "a placeholder"
    if CODE.fullmatch(value) and not is_alpha3(value) and value not in BODIES and value.casefold() not in _words(article):
        return "no state code and not in the article"
    return None


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def check_parties(record: Record, spec: TypeSpec, article: str, choices: frozenset[str] = frozenset(),
                  required: tuple[str, ...] = ()) -> tuple[Record | None, list[str]]:
    """The record without invented codes and placeholders (``choices``: fields whose fixed values are left alone);
    None when no identity field is left set, when an "all" identity names one party twice, or when a
    ``required`` field is empty."""
    facts = dict(record.facts)
    notes: list[str] = []
    for name, value in record.facts.items():
        if name in choices:
            continue
        if why := invented(value, article):
            facts[name] = None
            notes.append(f"{record.type}.{name} {value} removed: {why}")
        elif isinstance(value, list):
            real = [v for v in value if not invented(v, article)]
            if len(real) < len(value):
                facts[name] = real
                notes.append(f"{record.type}.{name}: {', '.join(sorted(set(value) - set(real)))} removed: placeholders, or no state codes and not in the article")
    identity = [facts.get(name) for name in spec.identity_fields]
    if all(_empty(v) for v in identity):
        return None, notes + [f"dropped a {record.type}: none of {', '.join(spec.identity_fields)} is set"]
    if spec.identity_match == "all" and len(identity) > 1 and all(isinstance(v, str) for v in identity) and len(set(identity)) == 1:
        return None, notes + [f"dropped a {record.type}: {' and '.join(spec.identity_fields)} are both {identity[0]}"]
    if missing := [name for name in required if _empty(facts.get(name))]:
        return None, notes + [f"dropped a {record.type}: it needs {', '.join(missing)}, which is not set"]
    return replace(record, facts=facts), notes


@lru_cache(maxsize=32)
def word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One case-blind pattern for ``words``: ``*`` is any letters, a space any spaces, each matched as whole words."""
    parts = [r"\w*".join(r"\s+".join(map(re.escape, piece.split())) for piece in word.split("*")) for word in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def check_words(record: Record, words: dict[str, tuple[str, ...]], language: str) -> tuple[Record | None, list[str]]:
    """None when the record's evidence has none of the words that state its type in ``language``;
    the record as it is when the type lists no words for that language."""
    listed = words.get(language)
    if not listed or not record.evidence or any(word_pattern(tuple(listed)).search(span.text) for span in record.evidence):
        return record, []
    return None, [f"dropped a {record.type}: its evidence has none of the words that state one in {language} "
                  f"({', '.join(listed[:3])}, ...)"]


def _plain(value: Any) -> bool:
    """A value the checks can remove or shorten: none, a string, or a list of strings (not people or other models)."""
    return value is None or isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def kept_values(event: Event, record: Record) -> Event:
    """``event`` without the values the checks removed from its ``record`` (a state its evidence does not mention,
    an invented code, a placeholder), so that merging compares only what will be kept."""
    fields, dumped = type(event).model_fields, event.model_dump(mode="json")  # facts are JSON values: compare like with like
    update = {name: value for name, value in record.facts.items()
              if name in fields and name != "evidence" and _plain(value) and value != dumped.get(name)}
    return event.model_copy(update=update) if update else event


def check_record(record: Record, cls: type[Event], article: str) -> tuple[Record | None, list[str]]:
    """Every model-free check of one grounded record of type ``cls``, in order: states, parties, the type's words."""
    checked, notes = check_states(record, cls.identity_fields, article)
    if checked is not None:
        checked, more = check_parties(checked, cls.identity_spec(), article, cls.choice_fields(), cls.required_fields)
        notes += more
    if checked is not None and cls.evidence_words:
        checked, more = check_words(checked, cls.evidence_words, language(article))
        notes += more
    return checked, notes


def names_a_party(record: Record, cls: type[Event], sentence: str) -> bool:
    """Whether ``sentence`` names a value that identifies ``record``: a person by surname, a state by any mention
    (name, demonym, city), another party by its name as whole words."""
    words = f" {fold_key(sentence)} "
    states: set[str] | None = None  # the sentence's state mentions, found once and only when a party is a state
    for field in cls.identity_fields:
        value = record.facts.get(field)
        for item in as_list(value):
            name = item.get("name") if isinstance(item, dict) else item
            if not isinstance(name, str) or not name:
                continue
            if (isinstance(item, dict) or field in cls.person_fields) and mentioned(name, sentence):
                return True
            if _state(name):
                states = mentions(sentence)[0] if states is None else states
                if name in states:
                    return True
            if fold_key(name) and f" {fold_key(name)} " in words:
                return True
    return False


def focused(record: Record, cls: type[Event]) -> tuple[Record, list[str]]:
    """``record`` without the cited sentences that name none of its parties, unless none would remain.

    A small model cites sentences near the event that are about something else: the seed's meeting of
    Putin and Pezeshkian cited a sentence on McCallum's warning. Run last, on the evidence shown to the
    reader; the checks and questions before it see everything the model cited."""
    kept = [span for span in record.evidence if names_a_party(record, cls, span.text)]
    if not kept or len(kept) == len(record.evidence):
        return record, []
    dropped = len(record.evidence) - len(kept)
    return replace(record, evidence=kept), [f"{record.type}: {dropped} cited sentence(s) naming none of its "
                                            f"{' or '.join(cls.identity_fields)} removed from its evidence"]


def focused_records(records: list[Record], types: list[type[Event]]) -> tuple[list[Record], list[str]]:
    """Every record :func:`focused`; the notes counted."""
    by_name = {cls.event_type: cls for cls in types}
    out: list[Record] = []
    notes: list[str] = []
    for record in records:
        cls = by_name.get(record.type)
        record, more = focused(record, cls) if cls else (record, [])
        out.append(record)
        notes += more
    return out, notes
