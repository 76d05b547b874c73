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

from rapidfuzz import fuzz

from llmx.normalize.cities import BIG_CITY, _cities
from llmx.normalize.countries import country_code
from llmx.normalize.text import fold_key, fold_with_offsets

_ORG_WORDS = frozenset({
    "kreml", "kremlin", "pentagon", "white house", "weisses haus", "downing street", "elysee",
    "state department", "foreign office", "auswartiges amt", "bundesregierung", "regierung",
    "government", "ministry", "ministerium", "agency", "council", "committee", "party", "partei",
    "army", "armee", "police", "polizei", "bundeswehr", "hezbollah", "hisbollah", "hamas", "taliban",
})

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
    key = fold_key(text)
    if key in _ORG_WORDS or _ORG_WORDS.intersection(key.split()):
        return False
    if country_code(text) is not None:
        return False
    city = _cities().get(key)
    # Many surnames are also town names ("Abbas" is an alternate name of Fort Abbas, PAK):
    # only a big city's name ("Moskau", "Teheran") is taken as a place, not a person.
    return city is None or city.population < BIG_CITY


_TRANSLITERATIONS = (("tsch", "ch"), ("sch", "sh"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("j", "y"), ("z", "s"))


def _sound_key(text: str) -> str:
    """Fold Latin transliteration variants (German/English): "Lawrow" and "Lavrov" both become "lavrov"."""
    for old, new in _TRANSLITERATIONS:
        text = text.replace(old, new)
    return text


@lru_cache(maxsize=32)
def _folded_source(source: str) -> str:
    """The article folded once, not once per person of every event."""
    return _sound_key(fold_with_offsets(source)[0])


def mentioned(name: str, source: str, min_score: float = 75.0) -> bool:
    """True when some word of ``name`` (3+ letters) appears in ``source``, allowing spelling variants.

    "Sergey Lavrov" is mentioned in a text that only says "Lawrow"; a name copied
    from the prompt's example into an unrelated article is not.
    """
    folded = _folded_source(source)
    for word in _sound_key(fold_with_offsets(name)[0]).split():
        word = word.strip(".,-'\"")
        if len(word) < 3:
            continue
        if word in folded or (len(word) > 5 and fuzz.partial_ratio(word, folded, score_cutoff=min_score)):
            return True  # short words must match exactly: one edit in four letters matches too much
    return False




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
