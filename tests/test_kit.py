"""The schema authors' kit: scaffolding, checks, discovery from a directory, clear problems."""

from __future__ import annotations

import ast
import json

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.authoring.check import check_type, openai_problems
from llmx.registry import load_registry
from llmx.schemas.base import Event

runner = CliRunner()


def test_new_scaffolds_four_files_that_check_flags_until_done(tmp_path):
    result = runner.invoke(app, ["schemas", "new", "cyber_attack", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cyber_attack.gold.jsonl", "cyber_attack.md", "cyber_attack.py", "test_cyber_attack.py"]
    ast.parse((tmp_path / "test_cyber_attack.py").read_text())
    gold = json.loads((tmp_path / "cyber_attack.gold.jsonl").read_text())
    assert set(gold) == {"id", "lang", "source", "text", "events"} and gold["events"][0]["type"] == "cyber_attack"
    check = runner.invoke(app, ["schemas", "check", "cyber_attack", "--schemas-dir", str(tmp_path)])
    assert check.exit_code == 1
    assert "cyber_attack: TODO left in description, guidance, confirm, field 'details', field 'note'" in check.stdout
    again = runner.invoke(app, ["schemas", "new", "cyber_attack", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_new_rejects_bad_name(tmp_path):
    result = runner.invoke(app, ["schemas", "new", "Cyber Attack", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "use snake_case" in result.stderr


def test_builtins_pass_check():
    result = runner.invoke(app, ["schemas", "check"])
    assert result.exit_code == 0, result.stdout
    assert {line.split()[1] for line in result.stdout.splitlines()} == {"meeting", "arms_deal", "security_warning", "sanction"}


BROKEN = '''
from pydantic import BaseModel, Field
from llmx.schemas.base import Event

class Protest(Event):
    event_type = "protest"
    description = "People protest."
    identity_fields = ("place", "crowd")
    guidance = "Counts: protests."
    confirm = "Does the text say people protested in {place} against {cause|target}"
    near_misses = ("a strike", "a march", "a sit-in", "a riot", "a vigil", "a boycott", "a petition")
    required_fields = ("organiser",)
    party_question = ("size", "Who protests in {town}")
    evidence_words = {"german": ("Demo*",), "en": "protest"}
    place: str = Field(description="Where.")
    size: int | None = None

class Meeting(Event):
    event_type = "meeting"
    description = "A clash with the built-in."
    identity_fields = ("who",)
    guidance = "x"
    who: str = Field(description="Who.")
'''


def test_check_reports_each_problem_and_keeps_other_types(tmp_path):
    (tmp_path / "protest.py").write_text(BROKEN)
    (tmp_path / "broken.py").write_text("import nothing_here_at_all\n")
    registry = load_registry([tmp_path])
    assert set(registry.types) == {"meeting", "arms_deal", "security_warning", "sanction", "protest"}
    assert registry.types["meeting"].__module__ == "llmx.schemas.meeting"  # the clash did not replace the built-in
    problems = "\n".join(registry.problems)
    assert f"{tmp_path / 'broken.py'}: cannot import: ModuleNotFoundError" in problems
    assert f"{tmp_path / 'protest.py'}: event type 'meeting' already defined by entry point llmx.schemas.meeting:Meeting; skipped" in problems
    found = [str(p) for p in check_type(registry.types["protest"])]
    assert "protest: field 'size' has no description (the model reads descriptions)" in found
    assert "protest: identity/person field 'crowd' is not a field of the model" in found
    assert "protest: required field 'organiser' is not a field of the model" in found
    assert "protest: evidence_words: 'german' is no ISO 639-1 language code (\"de\", \"en\")" in found
    assert "protest: evidence_words['en'] must be a tuple of words, e.g. (\"met\", \"talks\")" in found
    assert "protest: confirm question names unknown field(s) cause, target" in found
    assert "protest: confirm must be a yes/no question ending in '?'" in found
    assert "protest: party_question asks for 'size', which is not one of its identity_fields" in found
    assert "protest: party_question names unknown field(s) town" in found
    assert "protest: party_question must be a question ending in '?'" in found
    assert "protest: at most 6 near_misses (the confirmation question names them)" in found
    result = runner.invoke(app, ["schemas", "check", "--schemas-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "ok  arms_deal" in result.stdout and "problem  protest: field 'size'" in result.stdout


def test_check_rejects_non_event():
    class NotAnEvent:
        event_type = "x"

    assert [str(p) for p in check_type(NotAnEvent)] == ["x: is not a subclass of llmx.schemas.base.Event"]


def test_openai_strict_rules():
    schema = {"type": "object", "properties": {"a": {"type": "string", "minLength": 3}, "b": {"enum": list(range(1200))}}}
    assert openai_problems(schema) == [
        "1200 enum values; OpenAI strict mode allows 1000",
        "OpenAI strict mode does not support 'minLength' (use a validator instead)",
    ]
    assert openai_problems(Event.model_json_schema()) == []


def test_show_includes_prompt_section_and_token_count():
    result = runner.invoke(app, ["schemas", "show", "sanction"])
    assert result.exit_code == 0
    assert "## Prompt section as the model sees it (" in result.stdout and "tokens)" in result.stdout
    assert "An arms embargo counts here" in result.stdout


@pytest.mark.parametrize(("given", "written"), [("Protest", "protest"), ("ArmsSale", "arms_sale"), ("CyberAttack", "cyber_attack")])
def test_new_accepts_camel_case(tmp_path, given, written):
    result = runner.invoke(app, ["schemas", "new", given, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{written}.py").is_file() and f'event_type = "{written}"' in (tmp_path / f"{written}.py").read_text()
    assert f"llmx schemas check {written} " in result.stdout
