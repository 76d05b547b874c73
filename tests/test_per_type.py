"""One extraction call per type (pipeline/per_type.py) against the stub: one schema each, a shared prefix,
and a type whose answer is unusable loses only that type."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmx.cli import app
from tests.conftest import DATA
from tests.stub_server import StubServer

runner = CliRunner()
ARTICLE = DATA / "articles" / "gnad-0289.txt"
MEETING = {"evidence": [2, 4], "participants": [{"name": "François Hollande"}, {"name": "Abdel Fattah al-Sisi"}], "location": "Cairo"}


def run(stub: StubServer, *args: str):
    return runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl", "--per-type", *args, *stub.extract_args("--no-confirm", "--no-reread")])


def only_type(request: dict) -> str:
    (name,) = request["response_format"]["json_schema"]["schema"]["properties"]
    return name


def test_one_call_per_type_each_with_its_own_schema_and_the_article_shared():
    seen: list[dict] = []

    def answer(request: dict) -> str:
        seen.append(request)
        name = only_type(request)
        return json.dumps({name: [MEETING] if name == "meeting" else []})

    with StubServer(answer=answer) as stub:
        result = run(stub)
    assert result.exit_code == 0, result.output
    assert sorted(only_type(r) for r in seen) == ["arms_deal", "meeting", "sanction", "security_warning"]
    first = seen[0]["messages"]
    article = first[-1]["content"][: first[-1]["content"].index('"""\n\n') + 3]
    for request in seen:  # system prompt, worked example and article are the same: the server computes them once
        assert request["messages"][:-1] == first[:-1]
        assert request["messages"][-1]["content"].startswith(article)
        assert f"only the {only_type(request)} events" in request["messages"][-1]["content"]
    doc = json.loads(result.stdout)
    assert [(e["type"], e["location"]) for e in doc["events"]] == [("meeting", "Cairo")]
    assert doc["usage"]["calls"] == 4


def test_an_unusable_answer_for_one_type_keeps_the_other_types():
    def answer(request: dict) -> str:
        name = only_type(request)
        if name == "arms_deal":
            return "I cannot help with that."
        return json.dumps({name: [MEETING] if name == "meeting" else []})

    with StubServer(answer=answer) as stub:
        result = run(stub)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [e["type"] for e in doc["events"]] == ["meeting"] and doc["errors"] == []
    assert any("arms_deal" in w for w in doc.get("warnings", [])), doc
