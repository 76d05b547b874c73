"""Triage (pipeline/triage.py) against the stub: narrowed schema, shared prompt prefix, skipped calls."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmx.cli import app
from tests.conftest import DATA
from tests.stub_server import StubServer

runner = CliRunner()
ARTICLE = DATA / "articles" / "gnad-0289.txt"


def run(stub: StubServer, *args: str):
    return runner.invoke(app, ["extract", str(ARTICLE), "-f", "jsonl", "--triage", *args, *stub.extract_args("--ask-again", "none")])


def schema_of(request: dict) -> dict:
    return request["response_format"]["json_schema"]["schema"]


def recording(triage: dict) -> tuple[list[dict], callable]:
    seen: list[dict] = []

    def answer(request: dict) -> str:
        seen.append(request)
        if schema_of(request)["title"] == "Triage":
            return json.dumps(triage) if isinstance(triage, dict) else triage
        return json.dumps({key: [] for key in schema_of(request)["properties"]})

    return seen, answer


def test_extraction_asks_only_for_the_types_triage_found_with_the_same_prefix():
    seen, answer = recording({"meeting": [1], "arms_deal": [], "security_warning": [], "sanction": []})
    with StubServer(answer=answer) as stub:
        result = run(stub)
    assert result.exit_code == 0, result.output
    triage, extraction = seen
    assert set(schema_of(triage)["properties"]) == {"meeting", "arms_deal", "security_warning", "sanction"}
    assert set(schema_of(extraction)["properties"]) == {"meeting"}
    # The triage question is appended to the extraction prompt: everything up to the article is shared.
    assert triage["messages"][:-1] == extraction["messages"][:-1]
    assert triage["messages"][-1]["content"].startswith(extraction["messages"][-1]["content"])
    assert json.loads(result.stdout)["usage"]["calls"] == 2


def test_no_type_found_means_no_extraction_call():
    seen, answer = recording({"meeting": [], "arms_deal": [], "security_warning": [], "sanction": []})
    with StubServer(answer=answer) as stub:
        result = run(stub)
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and len(seen) == 1 and doc["events"] == [] and doc["errors"] == []


def test_unusable_triage_narrows_nothing():
    seen, answer = recording("this is not json")
    with StubServer(answer=answer) as stub:
        result = run(stub)
    assert result.exit_code == 0, result.output
    assert len(seen) == 2 and set(schema_of(seen[1])["properties"]) == {"meeting", "arms_deal", "security_warning", "sanction"}
