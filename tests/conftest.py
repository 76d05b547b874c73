"""Test settings: offline by default, cassettes replayed from the top-level cassettes/ directory.

Recording (see README): start ``llmx serve --port 8199`` and run
``pytest -m llm --record-mode=rewrite``. Replay needs no model and no network.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ["PYDANTIC_ERRORS_INCLUDE_URL"] = "0"  # re-ask bodies must not depend on pydantic's version
os.environ["LLMX_HTTP_RETRIES"] = "0"
os.environ.setdefault("OPENAI_API_KEY", "sk-test-dummy-key-not-real")

import pytest

from llmx.authoring.recording import SECRET_HEADERS, TEST_BASE_URL, TEST_MODEL, recording_args, vcr_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BASE_URL = TEST_BASE_URL
MODEL = TEST_MODEL
__all__ = ["ROOT", "DATA", "BASE_URL", "MODEL", "SECRET_HEADERS", "llm_args"]


@pytest.fixture(scope="session")
def vcr_config() -> dict:
    return vcr_settings()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request) -> str:
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the user's cache, config or LLMX_* settings."""
    for name in list(os.environ):
        if name.startswith("LLMX_") and name not in {"LLMX_HTTP_RETRIES", "LLMX_TEST_BASE_URL"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path / "cache"))
    yield


llm_args = recording_args
