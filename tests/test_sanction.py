"""The built-in Sanction type, added with the schema authors' kit, against a recorded model answer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from tests.conftest import DATA, llm_args

pytestmark = [pytest.mark.llm, pytest.mark.vcr]


def test_sanction_extracted(tmp_path):
    gold = json.loads((DATA / "eval" / "sanction.gold.jsonl").read_text(encoding="utf-8"))
    article = tmp_path / f"{gold['id']}.txt"
    article.write_text(gold["text"], encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(article), "-f", "json", "-s", "sanction", *llm_args()])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    [event] = [e for e in doc["events"] if e["type"] == "sanction"]
    assert event["target"] == "CHN"
    assert event["action"] == "lift"
    for quote in event["evidence"]:
        assert gold["text"][quote["start"]:quote["end"]] == quote["text"]
