"""Where llmx keeps files: one place, overridable for tests and shared machines."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    """Assembled model weights, server log, response cache (LLMX_CACHE_DIR overrides)."""
    return Path(os.environ.get("LLMX_CACHE_DIR") or platformdirs.user_cache_dir("llmx"))


def log_path() -> Path | None:
    """The prompt/response log (LLMX_LOG_PATH overrides; LLMX_LOG=0 turns logging off)."""
    if os.environ.get("LLMX_LOG", "1").lower() in {"0", "false", "no", "off"}:
        return None
    override = os.environ.get("LLMX_LOG_PATH")
    return Path(override) if override else cache_dir() / "logs" / "llm.jsonl"
