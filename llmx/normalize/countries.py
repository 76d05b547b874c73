"""State names in any language → ISO 3166-1 alpha-3, or None: never a guess.

The model copies values in the article's language ("Irans", "russische", "Türkei"); records
need ISO codes. No capital-to-state metonymy here (a party's capital is read as its state by
the schemas, through cities.capital_state), no fuzzy matching that turns "Airbus" into a
country. The name index loads lazily.
"""

from __future__ import annotations

import functools
import gettext
import json
import re
from collections.abc import Iterable
from importlib import resources

import pycountry
from rapidfuzz import fuzz, process

from llmx.normalize.text import fold_key

# Languages whose pycountry (iso-codes) translations feed the name index.
_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "pl", "sv", "ru", "uk", "tr", "ar", "fa", "he")

# Regular demonyms/adjectives: strip the suffix, try each ending, accept only a known name.
# Order matters ("Nigerian" must reach "Nigeria" before "Niger").
_DEMONYM_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("esisch", ("a", "", "on")),  # chinesisch, vietnamesisch, libanesisch
    ("anisch", ("a", "o")),  # mexikanisch, kubanisch, kenianisch
    ("isch", ("", "e", "en", "ien", "ei", "land", "istan", "a")),  # iranisch, ukrainisch, russisch
    ("ian", ("ia", "", "e", "y", "a")),  # Nigerian, Iranian, Ukrainian, Hungarian, Canadian
    ("ese", ("a", "", "on")),  # Chinese, Japanese, Lebanese
    ("ish", ("en", "land")),  # Swedish, Finnish
    ("an", ("a", "", "o")),  # Kenyan, Chilean, Mexican
    ("i", ("",)),  # Israeli, Pakistani, Qatari
)


@functools.cache
def _country_index() -> dict[str, str]:
    """Folded name -> alpha-3; "" marks names shared by several states (e.g. "Korea")."""
    aliases = json.loads((resources.files("llmx") / "data" / "country_aliases.json").read_text("utf-8"))
    translators = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
                   for lang in _LANGUAGES]
    tiers: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})  # exact names beat derived ones

    def add(tier: int, name: str, code: str) -> None:
        if key := fold_key(name):
            tiers[tier].setdefault(key, set()).add(code)

    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if not (name := getattr(country, attr, None)):
                continue
            add(0, name, country.alpha_3)
            for translated in {name, *(t.gettext(name) for t in translators)}:
                # ISO list forms: "Korea, Republic of" -> "Republic of Korea" and (ambiguous) "Korea";
                # "Holy See (Vatican City State)" -> "Holy See".
                head, _, tail = translated.partition("(")[0].partition(", ")
                for variant in (translated, head, f"{tail} {head}"):
                    add(1, variant, country.alpha_3)
    for code, names in aliases.items():
        if not code.startswith("_"):
            for name in names:
                add(0, name, code)
    index: dict[str, str] = {}
    for tier in tiers:
        for key, codes in tier.items():
            index.setdefault(key, codes.pop() if len(codes) == 1 else "")
    return index


def _match_country(key: str) -> str | None:
    index = _country_index()
    if key in index:
        return index[key] or None
    if " " in key:
        return None
    stem = re.sub(r"sch(e[mnrs]?)$", "sch", key)  # German inflection: russische(n) -> russisch
    if index.get(stem):
        return index[stem]
    for suffix, endings in _DEMONYM_RULES:
        base = stem[: -len(suffix)]
        if stem.endswith(suffix) and len(base) >= 3:
            for ending in endings:
                if code := index.get(base + ending):
                    return code
    return None


def country_code(name: str | None) -> str | None:
    """ISO 3166-1 alpha-3 for a state name, code, demonym or German adjective; else None.

    Capitals ("Moskau") and non-states ("Hezbollah", "pro-Russian separatists") give None
    on purpose: deciding metonymy is the model's job, not a lookup table's.
    """
    return _country_code(name) if isinstance(name, str) else None


@functools.lru_cache(maxsize=8192)
def _country_code(name: str) -> str | None:
    """Cached: the state check looks up every capitalised 1-3 word span of every record's evidence (~15 µs each)."""
    if not name.strip() or any(c.isdigit() for c in name):
        return None
    try:
        return pycountry.countries.lookup(name.strip()).alpha_3
    except LookupError:
        pass
    key = fold_key(name)
    if not key:
        return None
    # German genitive / English plural: "Irans", "Russlands", "Iranians".
    return _match_country(key) or (_match_country(key[:-1]) if key.endswith("s") else None)


def is_alpha3(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-3 code in canonical upper case (schema check)."""
    return (isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code) is not None
            and pycountry.countries.get(alpha_3=code) is not None)


@functools.cache
def _names_of() -> dict[str, tuple[str, ...]]:
    """Alpha-3 -> its folded names in every language llmx reads (the reverse of the name index)."""
    names: dict[str, list[str]] = {}
    for key, code in _country_index().items():
        if code:
            names.setdefault(code, []).append(key)
    return {code: tuple(keys) for code, keys in names.items()}


def misspelled_code(code: str, states: Iterable[str]) -> str | None:
    """The one state of ``states`` (alpha-3) that a wrong all-capitals ``code`` was meant for, else None.

    Small models build codes from the wrong letters: from the alpha-2 ("UAU" for Ukraine, UA; "FRF" for
    France, FR) or from the start of a name in the article's language ("KAT" for Katar, "AUS" for Austria,
    "JEM" for Jemen; three letters at least, so "IS" stays the Islamic State). ``states`` are those the
    record's evidence mentions: a code matching none, or more than one, stays wrong."""
    key = code.casefold()
    found = {state for state in states
             if (country := pycountry.countries.get(alpha_3=state)) is not None
             and (country.alpha_2.casefold() == key[:2]
                  or len(key) >= 3 and any(name.startswith(key) for name in _names_of().get(state, ())))}
    return found.pop() if len(found) == 1 else None


SHORT_NAMES = {"RUS": "Russia", "TUR": "Turkey", "SYR": "Syria", "VEN": "Venezuela", "BOL": "Bolivia", "TZA": "Tanzania",
               "MDA": "Moldova", "LAO": "Laos", "VNM": "Vietnam", "TWN": "Taiwan", "FSM": "Micronesia"}
"""Where pycountry's common name is not what news writes ("Russian Federation", "Türkiye")."""


@functools.lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """The English name of an alpha-3 code for prose ("IRN" → "Iran"); anything else unchanged."""
    if not is_alpha3(code):
        return code
    country = pycountry.countries.get(alpha_3=code)
    return SHORT_NAMES.get(code) or getattr(country, "common_name", None) or country.name


@functools.lru_cache(maxsize=4096)
def misspelled_state(name: str) -> str | None:
    """Alpha-3 of the state a one-word ``name`` misspells by a letter or two ("Tadshikistan"), else None.

    Small models copy a state's name with a letter changed and then use it as a person; seven
    letters at least and a 90% match, so short names and real surnames are left alone.
    """
    key = fold_key(name)
    if len(key) < 7 or " " in key:
        return None
    states = _one_word_states()
    found = process.extractOne(key, list(states), scorer=fuzz.ratio, score_cutoff=90)
    return states[found[0]] if found else None


@functools.cache
def _one_word_states() -> dict[str, str]:
    """Folded one-word state names of six letters or more, and their alpha-3 (built once)."""
    return {key: code for key, code in _country_index().items() if code and " " not in key and len(key) >= 6}
