"""A response cache in SQLite: the same request to the same model is answered from disk.

The key covers everything that changes the answer: provider, model, mode, the
full request (messages, so prompt and article text; the response schema;
temperature, max_tokens) and llmx's version. A hit costs no request. SQLite
gives atomic writes and safe concurrent access from worker threads, which a
folder of pickles would not.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmx import __version__
from llmx.core.paths import cache_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    body TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created REAL NOT NULL
)
"""


def default_path() -> Path:
    return cache_dir() / "responses.sqlite3"


def request_key(provider: str, model: str, mode: str, request: dict[str, Any]) -> str:
    """A stable hash of everything that can change the model's answer."""
    material = {"llmx": __version__, "provider": provider, "model": model, "mode": mode, "request": request}
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Hit:
    body: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Stats:
    path: Path
    entries: int
    bytes: int
    prompt_tokens_saved: int
    completion_tokens_saved: int


class ResponseCache:
    def __init__(self, path: Path | None = None):
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.commit()

    def get(self, key: str) -> Hit | None:
        with self._lock:
            row = self._db.execute("SELECT body, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)).fetchone()
        return Hit(*row) if row else None

    def put(self, key: str, model: str, body: str, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (key, model, body, prompt_tokens, completion_tokens, time.time()),
            )
            self._db.commit()

    def stats(self) -> Stats:
        with self._lock:
            count, p, c = self._db.execute("SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0) FROM responses").fetchone()
        size = sum(f.stat().st_size for f in self.path.parent.glob(self.path.name + "*"))
        return Stats(self.path, count, size, p, c)

    def clear(self) -> int:
        with self._lock:
            removed = self._db.execute("DELETE FROM responses").rowcount
            self._db.commit()
            self._db.execute("VACUUM")
        return removed

    def close(self) -> None:
        with self._lock:
            self._db.close()
