"""Test settings: offline by default, cassettes replayed from the top-level cassettes/ directory.

Recording (see README): start ``llmx serve --port 8199`` and run
``pytest -m llm --record-mode=rewrite``. Replay needs no model and no network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ["PYDANTIC_ERRORS_INCLUDE_URL"] = "0"  # re-ask bodies must not depend on pydantic's version
os.environ["LLMX_HTTP_RETRIES"] = "0"
os.environ.setdefault("OPENAI_API_KEY", "sk-test-dummy-key-not-real")

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BASE_URL = os.environ.get("LLMX_TEST_BASE_URL", "http://127.0.0.1:8199/v1")
MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]


def scrub_response(response: dict) -> dict:
    """Keep only harmless response headers: servers may echo request ids, cookies or org names."""
    keep = {"content-type"}
    response["headers"] = {k: v for k, v in response.get("headers", {}).items() if k.lower() in keep}
    return response


def llm_body(r1, r2) -> None:
    """Match on the parsed JSON body (messages, schema, sampling), ignoring key order and whitespace."""
    def parsed(request):
        body = request.body or b"{}"
        return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)

    assert parsed(r1) == parsed(r2), "request body differs from the recorded one (prompt, schema or options changed: re-record)"


@pytest.fixture(scope="session")
def vcr_config() -> dict:
    return {
        "filter_headers": SECRET_HEADERS,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "llm_body"],
        "decode_compressed_response": True,
    }


def pytest_recording_configure(config, vcr) -> None:
    vcr.register_matcher("llm_body", llm_body)


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


def llm_args(*extra: str) -> list[str]:
    """Command-line options that point llmx at the recorded embedded-model server."""
    return ["--provider", "compatible", "--base-url", BASE_URL, "--model", MODEL, "--mode", "json_object", *extra]
