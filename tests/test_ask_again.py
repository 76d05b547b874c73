"""Asking a type again on its own after the combined call (--ask-again) against the stub: the combined answer
first, then one call with only that type's schema over the same article, whose events join the first answer's;
a failed follow-up (--ask-again or --glean) never loses the combined answer."""

from __future__ import annotations

import json

import pytest

from typer.testing import CliRunner

from llmx.cli import app
from tests.stub_server import StubServer
from tests.test_glean import DEAL, first_then, run
from tests.test_per_type import ARTICLE, MEETING, only_type

runner = CliRunner()


def properties(request: dict) -> list[str]:
    return sorted(request["response_format"]["json_schema"]["schema"]["properties"])


def test_the_type_asked_again_adds_its_events_to_the_combined_answer():
    seen: list[dict] = []
    with StubServer(answer=first_then(seen, {"meeting": [MEETING]}, {"arms_deal": [DEAL]})) as stub:
        result = run(stub, "--ask-again", "arms_deal")
    assert result.exit_code == 0, result.output
    combined, again = seen
    assert properties(combined) == ["arms_deal", "meeting", "sanction", "security_warning"]
    assert only_type(again) == "arms_deal"
    assert again["messages"][:-1] == combined["messages"][:-1]  # the same prompt up to the article: its prefix is shared
    assert again["messages"][-1]["content"].startswith(combined["messages"][-1]["content"])
    assert "only the arms_deal events" in again["messages"][-1]["content"]
    doc = json.loads(result.stdout)
    assert sorted(e["type"] for e in doc["events"]) == ["arms_deal", "meeting"] and doc["usage"]["calls"] == 2


@pytest.mark.parametrize(("follow_up", "note"), [(["--ask-again", "arms_deal"], "arms_deal asked again:"),
                                                (["--glean"], "second look:")])
def test_a_failed_follow_up_keeps_the_combined_answer(follow_up: list[str], note: str):
    calls: list[int] = []

    def answer(request: dict) -> str:
        calls.append(1)
        return json.dumps({"meeting": [MEETING]}) if len(calls) == 1 else "I cannot help with that."

    with StubServer(answer=answer) as stub:
        result = run(stub, *follow_up, "--max-retries", "0")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [e["type"] for e in doc["events"]] == ["meeting"] and doc["errors"] == []
    assert any(note in w for w in doc["warnings"]), doc["warnings"]


def test_by_default_the_types_that_ask_for_it_are_asked_again_and_none_asks_none():
    seen: list[dict] = []
    answer = first_then(seen, {"meeting": [MEETING]}, {"security_warning": []})

    with StubServer(answer=answer) as stub:
        result = runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl", *stub.extract_args("--no-confirm", "--no-reread")])
    assert result.exit_code == 0, result.output
    assert [only_type(r) for r in seen[1:]] == ["security_warning"]  # SecurityWarning.ask_again
    seen.clear()
    with StubServer(answer=answer) as stub:
        result = runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl",
                                     *stub.extract_args("--no-confirm", "--no-reread", "--ask-again", "none")])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1


def test_an_unknown_type_is_a_one_line_error():
    with StubServer(answer=lambda request: json.dumps({"meeting": []})) as stub:
        result = run(stub, "--ask-again", "treaty")
    assert result.exit_code != 0
    assert "treaty" in result.output and "Traceback" not in result.output
