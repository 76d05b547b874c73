"""Text folding shared by every normaliser and by grounding: accents, case, quotes, dashes, offsets.

Models and articles disagree on diacritics, quote styles and line wrapping; every
comparison in llmx goes through one of these folds, so they agree with each other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


_LEADING_ARTICLES = ("the ", "die ", "der ", "das ", "den ", "dem ", "des ")


def unaccent(s: str) -> str:
    """"Österreich" -> "Osterreich": models and articles disagree on diacritics."""
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def fold_key(text: str) -> str:
    """Case-, accent-, punctuation- and article-insensitive key ("Die Türkei's" -> "turkei")."""
    s = unaccent(text.casefold().replace("\u2019", "'"))
    s = " ".join(re.sub(r"[\W_]+", " ", re.sub(r"'s\b", "", s)).split())
    for article in _LEADING_ARTICLES:
        if s.startswith(article):
            return s[len(article):]
    return s



QUOTE_CHARS = "„“”‚‘’«»‹›\"'`´"
DASH_CHARS = "‐-‒–—―−"
_INVISIBLE = "\u00ad\u200b\ufeff"  # soft hyphen, zero-width space, BOM
_FOLD = str.maketrans({**{c: '"' for c in QUOTE_CHARS}, **{c: "-" for c in DASH_CHARS},
                       **{c: None for c in _INVISIBLE}})


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Normalize `text` and keep, per output char, the original [start, end) it came from.

    One source char may yield several chars (casefold "ß" -> "ss", NFKC "ﬁ" -> "fi")
    or none (soft hyphen), so both start and end offsets are tracked.
    """
    chars: list[tuple[str, int, int]] = []
    i, n = 0, len(text)
    while i < n:  # a base char plus its combining marks forms one NFKC unit
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for c in unicodedata.normalize("NFKC", text[i:j]).casefold().translate(_FOLD):
            chars.append((c, i, j))
        i = j

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    k = 0
    while k < len(chars):
        c, s, e = chars[k]
        if not c.isspace():
            out.append(c)
            starts.append(s)
            ends.append(e)
            k += 1
            continue
        m = k
        while m < len(chars) and chars[m][0].isspace():
            m += 1
        run = text[s:chars[m - 1][2]]
        nxt = chars[m] if m < len(chars) else None
        if (out and out[-1] == "-" and "\n" in run and len(out) > 1 and out[-2].isalpha()
                and nxt is not None and text[nxt[1]].islower()):
            # "Attentats-\nversuche": typographic hyphenation, join the word.
            out.pop(), starts.pop(), ends.pop()
        else:
            out.append(" ")
            starts.append(s)
            ends.append(chars[m - 1][2])
        k = m
    return "".join(out), starts, ends


@lru_cache(maxsize=64)
def latin_share(text: str) -> float:
    """Share of letters that are Latin script: name checks only make sense in Latin-script text.

    Cached: every event of an article asks it about the whole article, twice in citing mode.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "LATIN" in unicodedata.name(c, "")) / len(letters)
