"""Record and replay model answers in tests: the cassette settings llmx's own tests use.

Loaded as a pytest plugin (entry point ``pytest11``), it registers the
``llm_body`` matcher; tests get the rest from :func:`vcr_settings`. Requests
match on method, path and the parsed JSON body (messages, schema, sampling
options), so header noise is ignored and a prompt change is caught. Secret
headers are filtered from requests, and responses keep only their content type.
"""

from __future__ import annotations

import json
import os
from typing import Any

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]
TEST_BASE_URL = os.environ.get("LLMX_TEST_BASE_URL", "http://127.0.0.1:8199/v1")
TEST_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only the content type: servers may echo request ids, cookies or organisation names."""
    response["headers"] = {k: v for k, v in response.get("headers", {}).items() if k.lower() == "content-type"}
    return response


def _parsed(request: Any) -> Any:
    body = request.body or b"{}"
    return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)


def llm_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: equal JSON bodies, ignoring key order and whitespace."""
    assert _parsed(r1) == _parsed(r2), "request body differs from the recording (prompt, schema or options changed): record again"


def vcr_settings() -> dict[str, Any]:
    """The ``vcr_config`` for tests that replay model answers. Never sets record_mode (the CLI flag decides)."""
    return {
        "filter_headers": SECRET_HEADERS,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "llm_body"],
        "decode_compressed_response": True,
    }


def recording_args(*extra: str) -> list[str]:
    """``llmx extract`` options pointing at the embedded model served by ``llmx serve --port 8199``."""
    return ["--provider", "compatible", "--base-url", TEST_BASE_URL, "--model", TEST_MODEL, "--mode", "json_schema", "--no-cache", *extra]


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """pytest-recording hook: make the ``llm_body`` matcher available to every cassette."""
    vcr.register_matcher("llm_body", llm_body)
