"""No cassette may carry a secret, and every cassette must come from a real server."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT, SECRET_HEADERS

CASSETTES = sorted((ROOT / "cassettes").rglob("*.yaml"))
SECRET = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+\S+|api[_-]?key\W{1,4}\s*\S{6,})", re.IGNORECASE)


def test_cassettes_exist():
    assert len(CASSETTES) >= 5


def test_no_secret_in_any_cassette():
    for path in CASSETTES:
        text = path.read_text(encoding="utf-8")
        assert not SECRET.search(text), f"{path}: {SECRET.search(text).group(0)[:20]}…"
        for interaction in yaml.safe_load(text)["interactions"]:
            for part in (interaction["request"], interaction["response"]):
                headers = {k.lower() for k in (part.get("headers") or {})}
                assert not headers & set(SECRET_HEADERS), f"{path}: {headers & set(SECRET_HEADERS)}"


def test_cassettes_were_recorded_from_the_embedded_server():
    for path in CASSETTES:
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            assert interaction["request"]["uri"].endswith("/v1/chat/completions")
            body = interaction["response"]["body"]["string"]
            assert '"model":"' in body.replace(" ", "") and "chatcmpl-" in body  # llama-cpp-python's completion ids
