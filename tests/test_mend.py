"""Asking for the party a record names on both sides (pipeline/mend.py) against the stub: one question about the
record's cited sentences, its answer one of the other states they name or "not stated"."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.pipeline.mend import one_state_twice
from llmx.schemas.arms_deal import ArmsDeal
from llmx.schemas.meeting import Meeting
from tests.stub_server import StubServer
from tests.test_per_type import ARTICLE

runner = CliRunner()
QUOTE = "Airbus Space Systems wird Ägypten einen Satelliten verkaufen."
SAME = {"evidence": [2, 3], "supplier": "EGY", "recipient": "EGY", "weapons": ["satellite"], "status": "signed"}


def extract(answer) -> dict:
    with StubServer(answer=answer) as stub:
        result = runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl",
                                     *stub.extract_args("--no-confirm", "--no-reread", "--ask-again", "none")])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def answering(party: str, seen: list[dict], deal: dict = SAME):
    def answer(request: dict) -> str:
        seen.append(request)
        properties = request["response_format"]["json_schema"]["schema"]["properties"]
        return json.dumps({"answer": party} if list(properties) == ["answer"] else {"arms_deal": [deal]})
    return answer


def test_the_supplier_named_on_both_sides_is_asked_for_among_the_other_states_cited():
    seen: list[dict] = []
    doc = extract(answering("France", seen))
    assert len(seen) == 2
    question = seen[1]
    assert question["response_format"]["json_schema"]["schema"]["properties"]["answer"]["enum"] == ["France", "not stated"]
    asked = question["messages"][-1]["content"]
    assert "Weapons in this text go to Egypt. Which state supplies them" in asked
    assert "Airbus Space Systems wird Ägypten" in asked and "Marseillaise" not in asked  # the cited sentences only
    (deal,) = doc["events"]
    assert (deal["supplier"], deal["recipient"]) == ("FRA", "EGY")
    assert any("asked \"Weapons in this text go to Egypt." in w and w.endswith(": FRA") for w in doc["warnings"])


def test_not_stated_leaves_the_record_to_be_dropped():
    seen: list[dict] = []
    doc = extract(answering("not stated", seen))
    assert len(seen) == 2 and doc["events"] == []
    assert any("supplier and recipient are both EGY" in w for w in doc["warnings"])


def test_no_question_when_the_cited_sentences_name_no_other_state():
    seen: list[dict] = []
    doc = extract(answering("France", seen, {**SAME, "evidence": [1]}))  # "Militärkapelle hat Probleme ...": no state
    assert len(seen) == 1 and doc["events"] == []


@pytest.mark.parametrize(("event", "twice"), [
    (ArmsDeal(evidence=[QUOTE], supplier="SAU", recipient="SAU"), "SAU"),
    (ArmsDeal(evidence=[QUOTE], supplier="AUT", recipient="SAU"), None),
    (ArmsDeal(evidence=[QUOTE], supplier="Hezbollah", recipient="Hezbollah"), None),  # not a state: nothing to choose from
    (Meeting(evidence=[QUOTE], participants=[{"name": "Vladimir Putin"}, {"name": "Masoud Pezeshkian"}]), None),
])
def test_one_state_twice(event, twice):
    assert one_state_twice(event) == twice
