"""The second look (pipeline/glean.py) against the stub: the model sees its own answer, what it adds is kept,
and a failed second look never loses the first answer's events."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmx.cli import app
from tests.stub_server import StubServer
from tests.test_per_type import ARTICLE, MEETING

runner = CliRunner()
DEAL = {"evidence": [2, 3], "supplier": "FRA", "recipient": "EGY", "weapons": ["satellite"], "status": "signed"}


def first_then(seen: list[dict], first: dict, then: dict):
    """A stub answer: ``first`` to the first request, ``then`` to every later one; each request kept in ``seen``."""
    def answer(request: dict) -> str:
        seen.append(request)
        return json.dumps(first if len(seen) == 1 else then)
    return answer


def run(stub: StubServer, *args: str):
    return runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl", *args, *stub.extract_args("--no-confirm", "--no-reread", "--ask-again", "none")])


def test_the_second_look_shows_the_answer_and_keeps_what_it_adds():
    seen: list[dict] = []
    with StubServer(answer=first_then(seen, {"meeting": [MEETING]}, {"arms_deal": [DEAL]})) as stub:
        result = run(stub, "--glean")
    assert result.exit_code == 0, result.output
    first, second = (r["messages"] for r in seen)
    assert second[:len(first)] == first  # the same conversation: the server's prompt cache keeps the article
    shown = second[len(first)]
    assert shown["role"] == "assistant" and json.loads(shown["content"])["meeting"][0]["location"] == "Cairo"
    assert second[-1]["role"] == "user" and "leaves out" in second[-1]["content"]
    doc = json.loads(result.stdout)
    assert sorted(e["type"] for e in doc["events"]) == ["arms_deal", "meeting"] and doc["usage"]["calls"] == 2


def test_without_glean_one_call():
    calls: list[int] = []

    def answer(request: dict) -> str:
        calls.append(1)
        return json.dumps({"meeting": [MEETING]})

    with StubServer(answer=answer) as stub:
        result = run(stub)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
