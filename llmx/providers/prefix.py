"""The static prompt prefix's KV cache, saved once and restored at every start.

Every extraction starts with the same messages (system prompt, worked example), so
llama.cpp would compute the same ~1,500 tokens of KV cache at the start of every run:
about 25 s on 2 cores. Instead the first run computes them once, saves the slot
(llama.cpp's slot save), and every later start restores the file into each extraction
slot in milliseconds. The first article of a run then costs what a warm one costs.

A state file is named by the model's sha256, the runtime version and the prefix text's
hash, so a changed prompt or model never reuses it. Its size and sha256 are written
beside it after the save and checked before every restore, and the server must report
restoring exactly the saved token count: a stale, truncated or corrupt file is deleted
and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from llmx.providers.server import post
from llmx.providers.weights import hash_file

MARK = "\u2063llmx-article\u2063"
"""A user message no article contains: the templated prompt is cut just before it."""


def prefix_text(base: str, messages: list[dict[str, str]]) -> str:
    """The exact prompt text the server builds for ``messages`` up to the start of the next user turn."""
    prompt = post(base, "/apply-template", {"messages": [*messages, {"role": "user", "content": MARK}]})["prompt"]
    return prompt[: prompt.index(MARK)]


def _runtime() -> str:
    try:
        return f"xllamacpp-{version('xllamacpp')}"
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class PrefixState:
    """One saved prefix: ``<dir>/<key>.bin`` and its ``.json`` stamp."""

    directory: Path
    key: str

    @property
    def file(self) -> Path:
        return self.directory / f"{self.key}.bin"

    @property
    def stamp(self) -> Path:
        return self.directory / f"{self.key}.json"

    def valid_tokens(self) -> int | None:
        """The saved token count if the file is exactly what was saved; None (and both files removed) otherwise."""
        try:
            meta = json.loads(self.stamp.read_text())
            if self.file.stat().st_size == meta["bytes"] and hash_file(self.file) == meta["sha256"]:
                return int(meta["tokens"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self.discard()
        return None

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)
        self.stamp.unlink(missing_ok=True)


def state_for(directory: Path, model_sha256: str, text: str) -> PrefixState:
    key = hashlib.sha256(f"{model_sha256}\n{_runtime()}\n{text}".encode()).hexdigest()[:24]
    return PrefixState(directory, f"prefix-{key}")


def _restore(base: str, state: PrefixState, slot: int, tokens: int) -> bool:
    try:
        answer = post(base, f"/slots/{slot}?action=restore", {"filename": state.file.name})
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return answer.get("n_restored") == tokens


def _build(base: str, state: PrefixState, text: str, slot: int) -> int:
    """Compute the prefix in ``slot`` and save it; returns its token count."""
    post(base, "/completion", {"prompt": text, "n_predict": 0, "id_slot": slot, "cache_prompt": True, "temperature": 0})
    partial = state.directory / f"{state.key}.partial-{os.getpid()}"
    saved = post(base, f"/slots/{slot}?action=save", {"filename": partial.name})
    try:
        meta = {"tokens": saved["n_saved"], "bytes": partial.stat().st_size, "sha256": hash_file(partial)}
        os.replace(partial, state.file)
        state.stamp.write_text(json.dumps(meta))
    finally:
        partial.unlink(missing_ok=True)
    return int(meta["tokens"])


def load_prefix(base: str, messages: list[dict[str, str]], directory: Path, model_sha256: str, slots: list[int]) -> str:
    """Put the prefix of ``messages`` into every slot in ``slots``: restored from disk, else computed and saved.

    Returns "restored", "rebuilt" (a bad file was replaced) or "built" (the first time).
    """
    text = prefix_text(base, messages)
    state = state_for(directory, model_sha256, text)
    existed = state.file.exists() or state.stamp.exists()
    tokens = state.valid_tokens()
    how = "restored"
    if tokens is None or not _restore(base, state, slots[0], tokens):
        state.discard()
        tokens = _build(base, state, text, slots[0])
        how = "rebuilt" if existed else "built"
    for slot in slots[1:]:
        if not _restore(base, state, slot, tokens):
            post(base, "/completion", {"prompt": text, "n_predict": 0, "id_slot": slot, "cache_prompt": True})
    return how
