"""What one extraction run is asked to do: types, sampling, evidence style, checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from llmx.core.cache import ResponseCache
from llmx.core.errors import UsageError
from llmx.pipeline.prepare import DEFAULT_CHUNK_CHARS
from llmx.schemas.base import Event


@dataclass
class ExtractOptions:
    types: list[type[Event]]
    max_retries: int = 1
    temperature: float = 0.0
    max_tokens: int | None = 1024
    published: date | None = None
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    strict: bool = False
    """Drop events whose evidence cannot be found in the text (default: keep, marked grounded=false)."""
    triage: bool = False
    """First ask which types the chunk reports (pipeline/triage.py), then extract only those."""
    per_type: bool = False
    """One extraction call per type, the article's KV cache shared (pipeline/per_type.py), instead of one combined call."""
    glean: bool = False
    """After the combined call, show the model its answer and ask for the events it left out (pipeline/glean.py)."""
    ask_again: tuple[str, ...] | None = None
    """Types asked once more on their own after the combined call (pipeline/per_type.py's request for the type;
    the article's prompt prefix is shared, so each costs its instruction and its answer). None: the types whose
    class sets ``ask_again``; a tuple: exactly these (empty: none)."""
    reread: bool = True
    """Ask again, on its own, a cited sentence that tells a second event of its record's type (pipeline/reread.py)."""
    confirm: bool = True
    """Re-check each record with its type's yes/no ``confirm`` question (near misses named) (pipeline/confirm.py) and drop the ones denied."""
    evidence: str = "cite"
    """"cite": the model cites numbered sentences (see cite.py); "quote": it copies quotes itself."""
    cache: ResponseCache | None = None

    def __post_init__(self) -> None:
        asked = {t.event_type for t in self.types}
        if unknown := [name for name in self.ask_again or () if name not in asked]:
            raise UsageError(f"--ask-again {', '.join(unknown)}: not a type this run extracts ({', '.join(sorted(asked))})")

    def asked_again(self) -> frozenset[str]:
        """The types asked once more on their own after the combined call."""
        if self.ask_again is not None:
            return frozenset(self.ask_again)
        return frozenset(t.event_type for t in self.types if t.ask_again)
