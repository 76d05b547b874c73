"""Prepare article text for the model: drop boilerplate, split long texts into chunks.

Offsets are always resolved against the original text later (see ground.py),
so nothing here has to preserve character positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

BOILERPLATE = re.compile(
    r"^\s*(share\.?|share this( article)?|exit mobile version|advertisement|anzeige|werbung|"
    r"skip to (main )?content|read more|mehr zum thema|teilen|drucken|print|"
    r"follow us on .*|image (source|caption).*|copyright .*|©.*)\s*$",
    re.IGNORECASE,
)
_NEXT = r"(?=[\"'„“«»(\[]?[A-ZÄÖÜ0-9\u0400-\u04FF])"
SENTENCE_END = re.compile(rf"(?<=[.!?…][\"'“”»«])\s+{_NEXT}|(?<=[.!?…])\s+{_NEXT}|\n\s*\n")

DEFAULT_CHUNK_CHARS = 6000
"""About 1,700 tokens of German: fits the embedded model's 4,096-token context with prompt and answer."""


def clean(text: str) -> str:
    """Normalise line endings and drop navigation/boilerplate lines such as 'Share.'."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [line.rstrip() for line in lines if not BOILERPLATE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


ABBREVIATION_END = re.compile(r"(^|[\s(])(\w|nr|dr|prof|st|bzw|ca|vgl|mr|mrs|ms|gen|sen|rep|jr|inc|no)\.$", re.IGNORECASE)
ANY_CASE_END = re.compile(r"(?<=[.!?…])[\"'“”»«]?\s+|\n\s*\n")
CJK_END = re.compile(r"(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """Split on sentence ends and paragraph breaks; keeps every character but separators.

    A capital letter must start the next sentence (so "z. B." or "Nr. 5" do not split),
    except in text without capitals (lower-cased corpora, scripts without case), where
    any full stop followed by a space ends a sentence. CJK full stops always do.
    """
    return list(_sentences(text))


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[str, ...]:
    """Cached because the prompt and grounding split the same text; 256 covers -j 64 with a few chunks each."""
    letters = [c for c in text if c.isalpha()]
    caseless = not letters or sum(c.isupper() for c in letters) < 0.005 * len(letters)
    parts = (ANY_CASE_END if caseless else SENTENCE_END).split(text)
    pieces = [p.strip() for part in parts if part for p in CJK_END.split(part) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and ABBREVIATION_END.search(merged[-1]):
            merged[-1] += " " + piece  # "z. B." or "J. Smith": not a sentence end
        else:
            merged.append(piece)
    return tuple(merged)


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str


def chunk(text: str, max_chars: int = DEFAULT_CHUNK_CHARS, overlap: int = 1) -> list[Chunk]:
    """Sentence-aligned chunks of at most ``max_chars`` with ``overlap`` sentences repeated.

    A single sentence longer than ``max_chars`` becomes its own chunk rather than
    being cut mid-sentence. Short texts come back as one chunk, unchanged.
    """
    if len(text) <= max_chars:
        return [Chunk(0, text)]
    parts = sentences(text)
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for sentence in parts:
        if current and size + len(sentence) + 1 > max_chars:
            chunks.append(current)
            current = current[-overlap:] if overlap else []
            size = sum(len(s) + 1 for s in current)
            if size + len(sentence) + 1 > max_chars:
                current, size = [], 0
        current.append(sentence)
        size += len(sentence) + 1
    if current:
        chunks.append(current)
    return [Chunk(i, "\n".join(c)) for i, c in enumerate(chunks)]


@lru_cache(maxsize=64)
def language(text: str) -> str:
    """The text's language as an ISO 639-1 code ("de", "en"), by py3langid's classifier.

    A library rather than a word list: it knows 97 languages, runs offline, and decides an
    article in about a millisecond once its model is loaded (0.6 s, on the first call).
    """
    import py3langid  # loaded on first use: only types with evidence words ask

    return str(py3langid.classify(text)[0])
