"""Person names from German transliteration into their usual English form.

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


def german(text: str) -> bool:
    """True for German prose: its most common short words make up a good share of it (English has none of them)."""
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
