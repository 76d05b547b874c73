"""Command-line behaviour that needs no model: help, schemas, and every bad-input path."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from llmx import __version__
from llmx.cli import app
from tests.conftest import DATA, MODEL
from tests.stub_server import StubServer

runner = CliRunner()


def run(*args: str, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


def one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("llmx: error:")]
    assert lines, f"no error line in stderr: {result.stderr!r}"
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"llmx {__version__}"


@pytest.mark.parametrize("args", [[], ["extract", "--help"], ["schemas", "--help"], ["schemas", "show", "--help"]])
def test_help_reads_well(args):
    result = run(*args) if args else run("--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_extract_help_lists_options_and_env():
    out = run("extract", "--help", env={"COLUMNS": "200"}).stdout
    for needle in ("--schema", "--model", "--base-url", "--provider", "--format", "--output", "--max-retries", "--temperature", "LLMX_BASE_URL", "LLMX_MODEL"):
        assert needle in out


def test_schemas_list_shows_builtins():
    result = run("schemas", "list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"meeting", "arms_deal", "security_warning"} <= set(names)


def test_schemas_show_prints_schema_and_guidance():
    result = run("schemas", "show", "arms_deal")
    assert result.exit_code == 0
    assert "Not: a state using or moving its own forces" in result.stdout  # guidance from prompts/types/arms_deal.md
    schema = json.loads(result.stdout.split("## JSON Schema\n", 1)[1])
    assert schema["properties"]["status"]["enum"][:2] == ["signed", "delivered"]


def test_schemas_show_unknown_name():
    result = run("schemas", "show", "nope")
    assert result.exit_code == 2
    assert "unknown schema nope" in one_line_error(result)


def test_unknown_schema_on_extract(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Text.")
    result = run("extract", str(article), "-s", "weather", "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert result.exit_code == 2
    assert "unknown schema weather (known: arms_deal, meeting, sanction, security_warning)" in one_line_error(result)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty input"), (b"  \n\t\n", "empty input"), (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" * 50, "binary file, not text")],
)
def test_bad_files_fail_alone(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("extract", str(bad), "-f", "jsonl", "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL)
    assert result.exit_code == 2  # nothing could be read: a usage error, and no empty results on stdout
    assert one_line_error(result) == f"llmx: error: {bad}: {message}"
    assert result.stdout == ""


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    for fmt in ("json", "table"):
        result = run("extract", str(missing), "-f", fmt, "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL)
        assert result.exit_code == 2
        assert one_line_error(result) == f"llmx: error: {missing}: no such file"
        assert result.stdout == ""  # no empty results table


def test_server_unreachable(tmp_path):
    with socket.socket() as sock:  # a port the OS just handed out: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("extract", str(DATA / "articles" / "gnad-0289.txt"), "-f", "jsonl", "--provider", "compatible",
                 "--base-url", f"http://127.0.0.1:{port}/v1", "--model", MODEL)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert f"cannot reach http://127.0.0.1:{port}/v1 (connection failed)" in line
    assert "gnad-0289.txt" in line
    doc = json.loads(result.stdout)
    assert doc["usage"]["calls"] == 0 and doc["events"] == []


def test_wrong_key_is_one_line_and_secret_free(tmp_path):
    with StubServer(refuse_key=True) as stub:
        base = stub.base_url
        result = run("extract", str(DATA / "articles" / "gnad-0289.txt"), "-f", "jsonl", "--provider", "compatible",
                     "--base-url", base, "--model", MODEL, "--api-key", "sk-super-secret-123")
    assert result.exit_code == 1
    assert f"{base} refused the API key (401)" in one_line_error(result)
    assert "sk-super-secret-123" not in result.stdout + result.stderr


def test_openai_provider_without_key(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run("extract", str(DATA / "articles" / "gnad-0289.txt"), "--provider", "openai")
    assert result.exit_code == 2
    assert "needs an API key: set OPENAI_API_KEY" in one_line_error(result)


def test_bad_format_option(tmp_path):
    result = run("extract", str(DATA / "articles" / "gnad-0289.txt"), "-f", "xml")
    assert result.exit_code == 2
    assert "choose from json, jsonl, csv, table" in result.stderr


def test_eval_scores_saved_predictions(tmp_path):
    gold = [json.loads(line) for line in (DATA / "eval" / "mini_gold.jsonl").read_text(encoding="utf-8").splitlines()]
    predictions = tmp_path / "pred.jsonl"
    seed = gold[0]
    perfect = {"id": seed["id"], "events": seed["events"], "usage": {"prompt_tokens": 100, "completion_tokens": 10, "calls": 1}, "seconds": 2.0, "errors": []}
    predictions.write_text(json.dumps(perfect) + "\n", encoding="utf-8")
    result = run("eval", str(DATA / "eval" / "mini_gold.jsonl"), "--predictions", str(predictions), "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    n_seed = len(seed["events"])
    n_all = sum(len(g["events"]) for g in gold)
    assert report["types"]["all"]["tp"] == n_seed and report["types"]["all"]["fn"] == n_all - n_seed
    assert report["types"]["all"]["precision"] == 1.0
    table = run("eval", str(DATA / "eval" / "mini_gold.jsonl"), "--predictions", str(predictions))
    assert table.exit_code == 0 and "security_warning" in table.stdout and "grounding" in table.stdout


@pytest.mark.parametrize("schemas, asked", [([], {"meeting", "arms_deal", "security_warning", "sanction"}), (["-s", "meeting"], {"meeting"})])
def test_eval_asks_what_extract_asks_not_the_gold_files_types(schemas, asked):
    """The mini gold holds no sanction: asking only the gold's types would let the answers choose the prompt."""
    with StubServer() as stub:
        model = ["--provider", "compatible", "--base-url", stub.base_url, "--model", "stub", "--mode", "json_schema"]  # eval never caches
        result = run("eval", str(DATA / "eval" / "mini_gold.jsonl"), *model, *schemas, "-f", "json")
        prompt = stub.last_request["messages"][0]["content"]
    assert result.exit_code == 0, result.output
    headed = {line[3:].strip() for line in prompt.splitlines() if line.startswith("## ")}
    assert asked <= headed and not ({"meeting", "arms_deal", "security_warning", "sanction"} - asked) & headed


def test_eval_bad_gold_file(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": 1}\n{oops\n', encoding="utf-8")
    result = run("eval", str(bad), "--predictions", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2: invalid JSON" in one_line_error(result)
