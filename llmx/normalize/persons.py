"""Person names: is a value a person at all, is it named in the article, and its English spelling.

German-language news spells names from Cyrillic its own way ("Wladimir Putin",
"Sergej Lawrow", "Michail Mischustin"); analysts and gold files use the English
forms ("Vladimir Putin", "Sergey Lavrov", "Mikhail Mishustin"). Small models
copy the article's spelling even when told not to, so llmx converts it when the
person's state is one whose names are transliterated from Cyrillic.
A name is converted only when it has letters English transliteration never uses
(w, j, sch): "Maria Zakharova" and "Mikhail Gorbachev" pass unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from llmx.normalize.cities import BIG_CITY, _cities
from llmx.normalize.countries import country_code, misspelled_state
from llmx.normalize.text import fold_key, fold_with_offsets

_ORG_WORDS = frozenset({
    "kreml", "kremlin", "pentagon", "white house", "weisses haus", "downing street", "elysee",
    "state department", "foreign office", "auswartiges amt", "bundesregierung", "regierung",
    "government", "ministry", "ministerium", "agency", "council", "committee", "party", "partei",
    "army", "armee", "police", "polizei", "bundeswehr", "hezbollah", "hisbollah", "hamas", "taliban",
})

_ROLES = ("minister", "ministerin", "prasident", "prasidentin", "president", "kanzler", "kanzlerin", "chancellor",
          "sekretar", "sekretarin", "secretary", "premier", "chef", "chefin", "botschafter", "ambassador", "sprecher",
          "sprecherin", "spokesman", "spokeswoman", "stellvertreter", "deputy", "papst", "pope", "kardinal", "cardinal",
          "beamter", "beamte", "beamtin")
"""Office words (folded): "US-Außenminister", "Bundespräsident", "Generalsekretär" name an office, not a person."""
_GERMAN_ROLES = tuple(r for r in _ROLES if r not in ("president", "secretary", "premier", "deputy", "pope", "cardinal",
                                                        "ambassador", "chancellor", "spokesman", "spokeswoman"))
"""Offices that end a German phrase ("Gunnlaugssons Stellvertreter"); English ones can be surnames ("Pope", "Deputy")."""


_PARTICLES = frozenset("de da di del della der den du dos das van von zu ten ter la le al el bin ibn ben bint y af av".split())
"""Lower-case words that belong to names: "Thomas de Maizière", "Ursula von der Leyen"."""
_TITLES = frozenset("mr mrs ms dr prof herr frau".split())
"""Forms of address, written before a name ("Mr. Clarke"), never part of it."""
_REGNAL = frozenset("pope papst cardinal kardinal".split())
"""Titles that are part of how a person is known ("Pope Francis"): kept."""
_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def _office(key: str) -> bool:
    """An office rather than a name: one word ending in an office word, or a phrase whose last word ends in a German one
    ("us aussenminister", folded from "US-Außenminister")."""
    words = key.split()
    return bool(words) and words[-1].endswith(_ROLES if len(words) == 1 else _GERMAN_ROLES)


def plausible_person(name: str | None) -> bool:
    """False for values that are clearly not a person: places, states (also misspelled), orgs, offices, acronyms, codes."""
    if not isinstance(name, str):
        return False
    text = " ".join(name.split())
    tokens = text.split(" ")
    if not text or any(c.isdigit() for c in text) or len(tokens) > 6 or not any(c.isalpha() for c in text):
        return False
    if re.fullmatch(r"[^\W\d_]{2,5}", text) and text.isupper():  # MI6-style acronyms: "BND", "FSB"
        return False
    if any(t[:1].isupper() for t in tokens) and any(t.islower() and t not in _PARTICLES for t in tokens):
        return False  # prose, not a name: "Beobachtungsstelle für Menschenrechte", "other Wahlkampfteams"
    key = fold_key(text)
    if key in _ORG_WORDS or _ORG_WORDS.intersection(key.split()) or _office(key):
        return False
    if country_code(text) is not None or misspelled_state(text) is not None:
        return False
    city = _cities().get(key)
    # Many surnames are also town names ("Abbas" is an alternate name of Fort Abbas, PAK):
    # only a big city's name ("Moskau", "Teheran") is taken as a place, not a person.
    return city is None or city.population < BIG_CITY


def bare_name(name: str) -> str:
    """A person's name without what models write around it: a party in parentheses, and the offices and forms of
    address before it, but for a pope's or cardinal's title ("Innenministerin Johanna Mikl-Leitner (ÖVP)" →
    "Johanna Mikl-Leitner", "Mr. Clarke" → "Clarke").

    Scoring and merging compare surnames, the last word: "(ÖVP)" would stand in for "Mikl-Leitner"."""
    words = _PARENTHESES.sub("", name).split()
    while len(words) > 1 and words[1][:1].isupper() and _before_a_name(fold_key(words[0])):
        words = words[1:]
    return " ".join(words) or name


def _before_a_name(key: str) -> bool:
    """An office or a form of address ("innenministerin", "mr."), not a title the person is known by ("pope")."""
    return (_office(key) or key.rstrip(".") in _TITLES) and key not in _REGNAL


_TRANSLITERATIONS = (("tsch", "ch"), ("sch", "sh"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("j", "y"), ("z", "s"))


def _sound_key(text: str) -> str:
    """Fold Latin transliteration variants (German/English): "Lawrow" and "Lavrov" both become "lavrov"."""
    for old, new in _TRANSLITERATIONS:
        text = text.replace(old, new)
    return text


@lru_cache(maxsize=32)
def _source_words(source: str) -> tuple[str, ...]:
    """The article's distinct words, folded once (not once per person of every event)."""
    return tuple(dict.fromkeys(re.findall(r"[^\W\d_]+", _sound_key(fold_with_offsets(source)[0]))))


def surname(name: str) -> str:
    """The word a person is known by: the last of 3+ letters ("el-Sisi" → "sisi", "Abdullah II" → "abdullah"), folded."""
    words = [w for w in re.findall(r"[^\W\d_]+", _sound_key(fold_with_offsets(name)[0])) if len(w) >= 3]
    return words[-1] if words else ""


def mentioned(name: str, source: str) -> bool:
    """True when the person's surname is a word of ``source``, allowing spelling variants and endings.

    "Sergey Lavrov" is mentioned in a text that only says "Lawrow", "Putin" in one that says
    "Putins"; a name copied from the prompt's example into an unrelated article is not, even
    when its first name happens to be there. Whole words are compared, so a surname does not
    match the inside of a longer word with one letter changed.
    """
    key = surname(name)
    if not key:
        return False
    words = _source_words(source)
    if any(word == key or (len(key) > 3 and word.startswith(key) and len(word) - len(key) <= 2) for word in words):  # "Putins"
        return True
    # Long names vary more between languages ("Francis" / "Franziskus"); short ones must be closer.
    cutoff = 70.0 if len(key) >= 7 else 85.0
    return len(key) > 4 and process.extractOne(key, words, scorer=fuzz.ratio, score_cutoff=cutoff) is not None


CYRILLIC_STATES = frozenset({"RUS", "UKR", "BLR", "KAZ", "KGZ", "TJK", "UZB", "TKM", "MDA", "MNG"})
"""States whose officials' names German press transliterates from Cyrillic."""

_GERMAN_SPELLING = re.compile(r"w|j|sch")  # letters English transliteration never uses
_ENDING = re.compile(r"sk(?:ij|yj|i)$")  # Chodorkowski, Selenskyj -> -sky
_LETTERS = re.compile(r"tsch|sch|ch|w|z|j")  # one left-to-right pass: "tsch" never becomes "tkh"
_ENGLISH = {"tsch": "ch", "sch": "sh", "ch": "kh", "w": "v", "z": "ts", "j": "y"}


def _word(word: str) -> str:
    lower = _LETTERS.sub(lambda m: _ENGLISH[m.group()], _ENDING.sub("sky", word.lower()))
    return lower[:1].upper() + lower[1:] if word[:1].isupper() else lower


_GERMAN_WORDS = frozenset("der die das den dem des und nicht mit von sich auf für ist ein eine einen zu im nach wurde".split())


@lru_cache(maxsize=64)
def german(text: str) -> bool:
    """True for German prose: its most common short words make up a good share of it (English has none of them).

    Cached: asked about the whole article for every person of every event.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(words) and sum(w in _GERMAN_WORDS for w in words) / len(words) >= 0.08


def english_name(name: str, country: str | None, source: str | None = None) -> str:
    """``name`` in English transliteration if ``country`` writes names in Cyrillic; otherwise unchanged.

    With ``source`` (the article), only when the article is German: an English text's
    names are already English ("Law Lords" must not become "Lav Lords").
    """
    if country not in CYRILLIC_STATES or not _GERMAN_SPELLING.search(name.lower()) or (source is not None and not german(source)):
        return name
    return re.sub(r"[^\W\d_]+", lambda m: _word(m.group()), name)


_RUSSIAN_SURNAME = re.compile(r"(?:ow|ew|owa|ewa)$")
"""German spellings of Russian surname endings: Lawrow, Medwedew, Sacharowa (English: -ov, -ev, -ova, -eva)."""


def english_name_of_unknown_state(name: str, source: str | None = None) -> str:
    """``name`` in English transliteration when its surname has a Russian ending in German spelling.

    For person fields that hold a bare name with no state (a warning's issuer): "Sergej Lawrow"
    → "Sergey Lavrov". A name with a state goes through :func:`english_name` instead.
    """
    words = re.findall(r"[^\W\d_]+", name)
    if not words or not _RUSSIAN_SURNAME.search(words[-1].lower()):
        return name
    return english_name(name, "RUS", source)
