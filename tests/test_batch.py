"""``llmx batch submit|status|collect`` against a local fake of OpenAI's Files and Batches endpoints.

No real OpenAI Batch API is reachable offline, so ``FakeBatchAPI`` below stands in
for upload, batch creation, retrieval and download ONLY: it stores what llmx
uploads and serves back result files the test puts together. It never answers as
a model. The one test about extraction results wraps a chat completion of the real
embedded model, recorded in this repository's cassettes (cassettes/test_extract_llm/),
as the batch output's ``response.body``; without such a recording it is skipped.
The other tests use hand-written result lines for protocol-level behaviour only
(failed, missing or non-200 requests, a batch still running): their answers are
empty event lists and say nothing about extraction quality.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from llmx.batch.api import build_requests
from llmx.cli.batch import batch_app
from llmx.core.errors import UsageError
from llmx.pipeline.answer import prepare_chunk, strict_schema
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.prepare import chunk, clean
from llmx.pipeline.read import Article, InputFailure
from llmx.registry import load_registry
from tests.conftest import DATA, ROOT
from tests.stub_server import BatchAPI, StubServer

runner = CliRunner()
app = typer.Typer()
app.add_typer(batch_app, name="batch")  # as llmx/cli.py mounts it
SEED = DATA / "articles" / "seed-putin-pezeshkian.txt"
TYPES = list(load_registry().types.values())
SHORT = "Am Montag trafen sich die Außenminister Deutschlands und Frankreichs in Berlin. Sie sprachen über die Ukraine."


class FakeBatchAPI(BatchAPI):
    """The shared stub server with only its Files and Batches endpoints in use."""

    def __enter__(self) -> FakeBatchAPI:
        self.stub = StubServer(batch=self).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stub.stop()

    @property
    def base_url(self) -> str:
        return self.stub.base_url


def ok_line(request: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"batch_req_{request['custom_id']}", "custom_id": request["custom_id"],
            "response": {"status_code": 200, "request_id": "req_1", "body": body}, "error": None}


def empty_completion(request: dict[str, Any]) -> dict[str, Any]:
    """A hand-written, protocol-level answer: an empty list per requested type (no claim about extraction)."""
    schema = request["body"]["response_format"]["json_schema"]["schema"]
    content = json.dumps({name: [] for name in schema["properties"]})
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": request["body"]["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content, "refusal": None}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}


def submit(fake: FakeBatchAPI, state: Path, *args: str):
    return runner.invoke(app, ["batch", "submit", *args, "--state", str(state), "--base-url", fake.base_url])


def collect(state: Path, *args: str):
    return runner.invoke(app, ["batch", "collect", "--state", str(state), *args])


def test_request_lines_carry_extracts_messages_and_a_strict_schema():
    long_text = " ".join(f"Satz Nummer {n} berichtet über ein Treffen in Berlin." for n in range(60))
    items = [Article("a", SHORT, "a.txt"), InputFailure("bad", "bad.txt", "bad.txt: empty input"), Article("b", long_text, "b.txt")]
    options = ExtractOptions(TYPES, max_tokens=800, temperature=0.0, chunk_chars=1000)
    lines, manifest = build_requests(items, options, "gpt-4.1-mini")
    chunks_b = chunk(clean(long_text), 1000)
    assert len(chunks_b) > 1
    assert [line["custom_id"] for line in lines] == ["a#0", *(f"b#{i}" for i in range(len(chunks_b)))]
    for line, text in zip(lines, [SHORT, *(c.text for c in chunks_b)]):
        request = prepare_chunk(text, options)
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        body = line["body"]
        assert body["model"] == "gpt-4.1-mini" and body["messages"] == request.messages
        assert body["temperature"] == 0.0 and body["max_completion_tokens"] == 800 and "max_tokens" not in body
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Extraction" and fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["schema"] == strict_schema(request.response_model)
        assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert manifest["version"] == 1 and manifest["model"] == "gpt-4.1-mini"
    assert manifest["options"] == {"types": [t.event_type for t in TYPES], "evidence": "cite", "temperature": 0.0,
                                   "max_tokens": 800, "chunk_chars": 1000, "published": None}
    assert [(a["id"], a["text"], a["chunks"]) for a in manifest["articles"]] == [("a", SHORT, 1), ("b", long_text, len(chunks_b))]
    assert [f["error"] for f in manifest["failures"]] == ["bad.txt: empty input"]


def test_duplicate_ids_are_rejected(tmp_path):
    with pytest.raises(UsageError, match="'x' is used twice"):
        build_requests([Article("x", SHORT, "1.txt"), Article("x", SHORT, "2.txt")], ExtractOptions(TYPES), "m")
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "dup", "text": SHORT}) + "\n" + json.dumps({"id": "dup", "text": SHORT + " Mehr."}) + "\n", encoding="utf-8")
    with FakeBatchAPI() as fake:
        result = submit(fake, tmp_path / "state.json", str(news))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["llmx: error: article id 'dup' is used twice (" f"{news}:1 and {news}:2); batch ids must be unique"]
    assert fake.uploads == [] and not (tmp_path / "state.json").exists()


def test_submit_uploads_the_requests_and_writes_the_state_first(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SHORT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    state = tmp_path / "state.json"
    seen_at_create: list[dict] = []
    with FakeBatchAPI() as fake:
        fake.on_create = lambda: seen_at_create.append(json.loads(state.read_text(encoding="utf-8")))
        result = submit(fake, state, str(good), str(tmp_path / "empty.txt"), "-s", "meeting", "--date", "2024-10-11", "-m", "gpt-4.1-nano")
        assert result.exit_code == 0, result.output
        [batch_id] = fake.batches
        lines = fake.requests(batch_id)
    assert f"submitted batch {batch_id}: 1 request(s) for 1 article(s)" in result.stdout and f"state: {state}" in result.stdout
    assert "llmx: warning:" in result.stderr and "empty input (skipped)" in result.stderr
    [upload] = fake.uploads
    assert upload["purpose"] == "batch" and upload["filename"].endswith(".jsonl")
    [created] = fake.created
    assert created["endpoint"] == "/v1/chat/completions" and created["completion_window"] == "24h" and created["metadata"] == {"tool": "llmx"}
    expected, _ = build_requests([Article("good", SHORT, str(good))], ExtractOptions(load_registry().select(["meeting"]), published=date(2024, 10, 11)), "gpt-4.1-nano")
    assert lines == expected
    # the uploaded file (and the manifest) were on disk before the batch was created
    assert seen_at_create and seen_at_create[0]["input_file_id"] == created["input_file_id"] and seen_at_create[0]["batch_id"] is None
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["batch_id"] == batch_id and saved["input_file_id"] == created["input_file_id"] and saved["model"] == "gpt-4.1-nano"
    assert saved["options"]["types"] == ["meeting"] and saved["options"]["published"] == "2024-10-11"
    assert [a["id"] for a in saved["articles"]] == ["good"] and saved["failures"][0]["id"] == "empty"


def test_a_failed_batch_creation_keeps_the_upload_in_the_state(tmp_path):
    """Protocol-level: the fake answers batch creation with HTTP 500."""
    good = tmp_path / "good.txt"
    good.write_text(SHORT, encoding="utf-8")
    state = tmp_path / "state.json"
    with FakeBatchAPI() as fake:
        fake.fail_create = True
        result = submit(fake, state, str(good))
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
        assert result.stderr.startswith("llmx: error: creating the batch:") and "HTTP 500" in result.stderr
        saved = json.loads(state.read_text(encoding="utf-8"))
        assert saved["input_file_id"] == "file-1" and saved["batch_id"] is None and saved["articles"][0]["id"] == "good"
        fake.fail_create = False
        assert submit(fake, state, str(good)).exit_code == 0  # an unfinished state may be reused
        again = submit(fake, state, str(good))  # one that tracks a batch may not
    assert again.exit_code == 2 and "already tracks batch batch_1" in again.stderr


def test_status_shows_the_state_and_counts(tmp_path, monkeypatch):
    """Protocol-level: the fake reports a running batch."""
    good = tmp_path / "good.txt"
    good.write_text(SHORT, encoding="utf-8")
    state = tmp_path / "state.json"
    with FakeBatchAPI() as fake:
        assert submit(fake, state, str(good)).exit_code == 0
        fake.set_status("batch_1", "in_progress", completed=0)
        result = runner.invoke(app, ["batch", "status", "--state", str(state)])  # base URL from the state file
        monkeypatch.setenv("LLMX_BATCH_BASE_URL", fake.base_url)
        by_env = runner.invoke(app, ["batch", "status", "--state", str(state)])
    assert result.exit_code == 0, result.output
    assert "batch_1: in_progress" in result.stdout and "requests: 0 completed, 0 failed, 1 total" in result.stdout
    assert by_env.exit_code == 0 and "batch_1: in_progress" in by_env.stdout
    missing = runner.invoke(app, ["batch", "status", "--state", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and missing.stderr.strip() == f"llmx: error: {tmp_path / 'nope.json'}: no batch state file; run `llmx batch submit` first or pass --state"


def test_collect_refuses_a_batch_in_progress(tmp_path):
    """Protocol-level: collect before the batch is done fails with one clear line."""
    good = tmp_path / "good.txt"
    good.write_text(SHORT, encoding="utf-8")
    state = tmp_path / "state.json"
    with FakeBatchAPI() as fake:
        assert submit(fake, state, str(good)).exit_code == 0
        fake.set_status("batch_1", "in_progress")
        result = collect(state, "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "llmx: error: batch batch_1 is in_progress, not completed (0/1 requests done); run `llmx batch status` and collect when it is completed"]


def test_collect_reports_each_failed_chunk_with_its_article(tmp_path):
    """Protocol-level: answered (empty lists), listed in the error file, HTTP 400 and missing requests; one bad input."""
    long_text = " ".join(f"Satz Nummer {n} berichtet über ein Treffen in Berlin." for n in range(30))
    news = tmp_path / "news.jsonl"
    rows = [{"id": "ok", "text": SHORT}, {"id": "in-errors", "text": SHORT + " A."}, {"id": "http400", "text": SHORT + " B."},
            {"id": "missing", "text": SHORT + " C."}, {"id": "long", "text": long_text}]
    news.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", encoding="utf-8")
    state, out = tmp_path / "state.json", tmp_path / "out.jsonl"
    with FakeBatchAPI() as fake:
        assert submit(fake, state, str(news), "--chunk-chars", "1000").exit_code == 0
        requests = {r["custom_id"]: r for r in fake.requests("batch_1")}
        assert set(requests) == {"ok#0", "in-errors#0", "http400#0", "missing#0", "long#0", "long#1"}
        bad = {"id": "batch_req_x", "custom_id": "http400#0", "error": None,
               "response": {"status_code": 400, "request_id": "r", "body": {"error": {"message": "Invalid schema for response_format 'Extraction'.", "type": "invalid_request_error"}}}}
        expired = {"id": "batch_req_y", "custom_id": "in-errors#0", "response": None,
                   "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}
        fake.finish("batch_1", [ok_line(requests[c], empty_completion(requests[c])) for c in ("ok#0", "long#0")] + [bad], [expired])
        result = collect(state, "-o", str(out))
    assert result.exit_code == 1, result.output
    docs = {d["id"]: d for d in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert list(docs) == ["ok", "in-errors", "http400", "missing", "long", "news:6"]  # input order
    assert docs["ok"]["errors"] == [] and docs["ok"]["events"] == [] and docs["ok"]["model"] == "openai-batch/gpt-4.1-mini"
    assert docs["ok"]["usage"] == {"prompt_tokens": 100, "completion_tokens": 10, "calls": 1, "cached": 0} and docs["ok"]["seconds"] == 0.0
    assert docs["in-errors"]["errors"] == [f"{news}:2 [in-errors#0]: request failed: batch_expired: This request could not be executed before the completion window expired."]
    assert docs["http400"]["errors"] == [f"{news}:3 [http400#0]: answered HTTP 400: Invalid schema for response_format 'Extraction'."]
    assert docs["missing"]["errors"] == [f"{news}:4 [missing#0]: no answer in the batch output"]
    assert docs["long"]["errors"] == [f"{news}:5 (chunk 2/2) [long#1]: no answer in the batch output"]
    assert docs["long"]["usage"]["calls"] == 1 and "split into 2 chunks" in docs["long"]["warnings"][0]
    assert docs["news:6"]["errors"][0].startswith(f"{news}:6: invalid JSON") and docs["news:6"]["model"] is None
    stderr = result.stderr.strip().splitlines()
    assert len(stderr) == 5 and all(line.startswith("llmx: error: ") for line in stderr)


def test_collect_keeps_the_answers_of_an_expired_batch(tmp_path):
    """Protocol-level: a batch that expired after answering some requests still yields those (empty-list answers)."""
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "early", "text": SHORT}) + "\n" + json.dumps({"id": "late", "text": SHORT + " A."}) + "\n", encoding="utf-8")
    state, out = tmp_path / "state.json", tmp_path / "out.jsonl"
    with FakeBatchAPI() as fake:
        assert submit(fake, state, str(news)).exit_code == 0
        [early, _] = fake.requests("batch_1")
        fake.finish("batch_1", [ok_line(early, empty_completion(early))], status="expired")
        result = collect(state, "-o", str(out))
    assert result.exit_code == 1
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert docs[0]["errors"] == [] and docs[0]["usage"]["calls"] == 1
    assert docs[1]["errors"] == [f"{news}:2 [late#0]: no answer in the batch output (the batch was expired first)"]


def recorded_completion(messages: list[dict[str, str]]) -> dict[str, Any] | None:
    """A chat completion of the real embedded model recorded for exactly these messages, if a cassette has one."""
    for path in sorted((ROOT / "cassettes" / "test_extract_llm").glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8")).get("interactions", []):
            raw = interaction["request"].get("body") or "{}"
            raw = raw.get("string", "{}") if isinstance(raw, dict) else raw
            request = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
            if request.get("messages") == messages:
                body = interaction["response"]["body"]["string"]
                return json.loads(body.decode() if isinstance(body, bytes) else body)
    return None


def test_collect_grounds_a_recorded_real_answer(tmp_path):
    """The answer is the embedded model's own, recorded in cassettes/test_extract_llm; only the batch transport is faked."""
    text = SEED.read_text(encoding="utf-8")
    lines, _ = build_requests([Article(SEED.stem, text, str(SEED))], ExtractOptions(TYPES), "gpt-4.1-mini")
    if len(lines) != 1:
        pytest.skip("the seed article no longer fits one chunk")
    completion = recorded_completion(lines[0]["body"]["messages"])
    if completion is None:
        pytest.skip("needs recorded cassettes (cassettes/test_extract_llm/*.yaml with the seed article's current prompt)")
    state, out = tmp_path / "state.json", tmp_path / "out.json"
    with FakeBatchAPI() as fake:
        assert submit(fake, state, str(SEED)).exit_code == 0
        [request] = fake.requests("batch_1")
        assert request == lines[0]
        fake.finish("batch_1", [ok_line(request, completion)])
        result = collect(state, "-o", str(out), "-f", "json")
    [doc] = json.loads(out.read_text(encoding="utf-8"))
    assert result.exit_code == (1 if doc["errors"] else 0)
    assert doc["id"] == SEED.stem and doc["model"] == "openai-batch/gpt-4.1-mini"
    assert doc["usage"] == {"prompt_tokens": completion["usage"]["prompt_tokens"], "completion_tokens": completion["usage"]["completion_tokens"], "calls": 1, "cached": 0}
    assert doc["events"], "the recorded answer has events"
    for event in doc["events"]:
        assert event["evidence"]
        for quote in event["evidence"]:
            if quote["match"] is not None:
                assert text[quote["start"]:quote["end"]] == quote["text"]
    assert any(e["grounded"] for e in doc["events"])


def test_openai_key_is_required_without_a_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    good = tmp_path / "good.txt"
    good.write_text(SHORT, encoding="utf-8")
    result = runner.invoke(app, ["batch", "submit", str(good), "--state", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and result.stderr.strip() == "llmx: error: llmx batch needs an OpenAI API key: set OPENAI_API_KEY"
