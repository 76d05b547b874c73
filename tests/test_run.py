"""Batch mechanics against the stub server: concurrency, streaming, resume, response cache, 429 retries, summary.

The stub (llmx/testing.py) answers with empty event lists, so these tests say
nothing about extraction quality; that is what the cassette tests are for.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from typer.testing import CliRunner

from llmx.cli import app
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import ProviderSettings, get_provider
from llmx.pipeline.read import read_inputs
from llmx.registry import load_registry
from llmx.corpus import run_articles
from tests.stub_server import StubServer

runner = CliRunner()

TEXT = (
    "Am Montag trafen sich die Außenminister Deutschlands und Frankreichs in Berlin. "
    "Sie sprachen nach Angaben des Auswärtigen Amtes über weitere Hilfe für die Ukraine. "
    "Meldung Nummer {n}."
)


def articles(directory: Path, count: int) -> list[Path]:
    """``count`` small distinct articles a01.txt … (distinct texts: no two share a cache entry)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        path = directory / f"a{n:02d}.txt"
        path.write_text(TEXT.format(n=n), encoding="utf-8")
        paths.append(path)
    return paths


def extract(stub: StubServer, *args: str):
    options = ["--provider", "compatible", "--base-url", stub.base_url, "--model", "stub", "--mode", "json_object",
               "--ask-again", "none"]  # one call per article: asking again is test_ask_again's
    return runner.invoke(app, ["extract", *args, *options])


def docs(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_streams_every_article_once_with_bounded_concurrency(tmp_path):
    paths = articles(tmp_path / "in", 12)
    with StubServer(latency=0.2) as stub:
        result = extract(stub, *map(str, paths), "-f", "jsonl", "-j", "4")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    ids = [json.loads(line)["id"] for line in lines]
    assert sorted(ids) == [f"a{n:02d}" for n in range(1, 13)]
    assert stub.requests == 12
    assert 1 < stub.max_in_flight <= 4
    assert "12 ok, 0 failed" in result.stderr


def test_run_articles_writes_each_document_as_it_finishes(tmp_path):
    paths = articles(tmp_path / "in", 8)
    types = load_registry().select(None)
    written: list[tuple[float, str]] = []
    with StubServer(latency=0.2) as stub:
        settings = ProviderSettings(model="stub", base_url=stub.base_url, mode="json_object")
        with get_provider("compatible").connect(settings) as endpoint:
            started = time.perf_counter()
            summary = run_articles(endpoint, read_inputs(map(str, paths)), ExtractOptions(types, ask_again=()),
                                lambda doc: written.append((time.perf_counter() - started, doc.id)),
                                concurrency=2, show_progress=False)
    assert (summary.ok, summary.failed, summary.usage.calls) == (8, 0, 8)
    assert sorted(i for _, i in written) == [f"a{n:02d}" for n in range(1, 9)]
    assert stub.max_in_flight == 2
    first, last = written[0][0], written[-1][0]
    assert last - first > 0.5  # four waves of 0.2 s: the first document was out long before the last


def test_resume_redoes_only_unfinished_articles(tmp_path):
    paths = list(map(str, articles(tmp_path / "in", 6)))
    out = tmp_path / "out.jsonl"
    common = ["-o", str(out), "-f", "jsonl", "--no-cache", "-j", "3"]
    with StubServer() as stub:
        assert extract(stub, *paths, *common).exit_code == 0
        assert stub.requests == 6
        # Simulate a crash: a01-a03 finished, a04 failed, a05 was torn mid-line, a06 never written.
        by_id = {d["id"]: line for line in out.read_text().splitlines() for d in [json.loads(line)]}
        failed = {**json.loads(by_id["a04"]), "events": [], "errors": ["a04.txt: cannot reach the server"]}
        out.write_text(by_id["a01"] + "\n" + by_id["a02"] + "\n" + by_id["a03"] + "\n"
                       + json.dumps(failed) + "\n" + by_id["a05"][: len(by_id["a05"]) // 2], encoding="utf-8")

        result = extract(stub, *paths, *common)
        assert result.exit_code == 0, result.stderr
        assert stub.requests == 6 + 3  # a04, a05, a06 only
        assert "3 article(s) already done" in result.stderr
        final = docs(out.read_text())
        assert sorted(d["id"] for d in final) == ["a01", "a02", "a03", "a04", "a05", "a06"]
        assert all(d["errors"] == [] for d in final)

        assert extract(stub, *paths, *common).exit_code == 0  # nothing left to do
        assert stub.requests == 9
        assert len(docs(out.read_text())) == 6

        result = extract(stub, *paths, *common, "--overwrite")
        assert result.exit_code == 0
        assert stub.requests == 9 + 6
        assert sorted(d["id"] for d in docs(out.read_text())) == ["a01", "a02", "a03", "a04", "a05", "a06"]


def test_response_cache_hits_misses_and_no_cache(tmp_path):
    path = str(articles(tmp_path / "in", 1)[0])
    with StubServer() as stub:
        first = extract(stub, path, "-f", "jsonl")
        assert first.exit_code == 0, first.stderr
        assert stub.requests == 1
        assert docs(first.stdout)[0]["usage"]["calls"] == 1 and docs(first.stdout)[0]["usage"]["cached"] == 0

        second = extract(stub, path, "-f", "jsonl")
        assert stub.requests == 1  # answered from the cache
        usage = docs(second.stdout)[0]["usage"]
        assert (usage["cached"], usage["calls"], usage["prompt_tokens"]) == (1, 0, 0)
        assert docs(second.stdout)[0]["events"] == docs(first.stdout)[0]["events"]

        extract(stub, path, "-f", "jsonl", "--no-cache")
        assert stub.requests == 2

        warmer = extract(stub, path, "-f", "jsonl", "--temperature", "0.5")
        assert stub.requests == 3  # another temperature is another request
        assert docs(warmer.stdout)[0]["usage"]["cached"] == 0
        extract(stub, path, "-f", "jsonl", "--temperature", "0.5")
        assert stub.requests == 3


def test_cache_stats_and_clear_commands(tmp_path):
    path = str(articles(tmp_path / "in", 2)[0])
    with StubServer() as stub:
        extract(stub, path, "-f", "jsonl")
        extract(stub, str(tmp_path / "in" / "a02.txt"), "-f", "jsonl")
        assert stub.requests == 2

        stats = runner.invoke(app, ["cache", "stats"])
        assert stats.exit_code == 0, stats.output
        assert re.search(r"entries:\s*2\b", stats.stdout)
        assert str(tmp_path / "cache") in stats.stdout

        cleared = runner.invoke(app, ["cache", "clear"])
        assert cleared.exit_code == 0, cleared.output
        assert "removed 2" in cleared.stdout
        assert re.search(r"entries:\s*0\b", runner.invoke(app, ["cache", "stats"]).stdout)

        extract(stub, path, "-f", "jsonl")
        assert stub.requests == 3  # the cleared entry is asked again


def test_rate_limit_is_retried_with_retry_after(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMX_HTTP_RETRIES", "3")
    path = str(articles(tmp_path / "in", 1)[0])
    with StubServer() as warm:  # the first extraction in a process pays one-off imports; keep them out of the timing
        extract(warm, path, "-f", "jsonl", "--no-cache")
    with StubServer(fail_first=2, retry_after=0.05) as stub:
        started = time.perf_counter()
        result = extract(stub, path, "-f", "jsonl", "--no-cache")
        elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.stderr
    doc = docs(result.stdout)[0]
    assert doc["errors"] == []
    assert stub.requests == 3  # two 429s, then the answer
    assert doc["usage"]["calls"] == 1
    assert elapsed < 1.0  # Retry-After (2 × 0.05 s) was honoured, not the client's 0.5 s + 1 s backoff


def test_rate_limit_without_retries_fails_the_article(tmp_path):
    path = str(articles(tmp_path / "in", 1)[0])  # conftest sets LLMX_HTTP_RETRIES=0
    with StubServer(fail_first=1) as stub:
        result = extract(stub, path, "-f", "jsonl", "--no-cache")
        base_url = stub.base_url
    assert result.exit_code == 1
    assert stub.requests == 1
    assert f"{base_url} rate limit or quota exceeded (429)" in docs(result.stdout)[0]["errors"][0]


def test_summary_counts_failures(tmp_path):
    paths = list(map(str, articles(tmp_path / "in", 2)))
    missing = str(tmp_path / "in" / "gone.txt")
    with StubServer() as stub:
        result = extract(stub, paths[0], missing, paths[1], "-f", "jsonl")
    assert result.exit_code == 1
    assert stub.requests == 2
    assert "2 ok, 1 failed" in result.stderr
    assert f"failed: gone: {missing}: no such file" in result.stderr
    assert f"llmx: error: {missing}: no such file" in result.stderr
    assert sorted(d["id"] for d in docs(result.stdout)) == ["a01", "a02", "gone"]


def test_a_bug_in_one_article_does_not_end_the_batch(tmp_path, monkeypatch):
    import llmx.corpus

    real = llmx.corpus.extract_article

    def flaky(endpoint, article, options):
        if article.id == "a02":
            raise KeyError("boom")
        return real(endpoint, article, options)

    monkeypatch.setattr(llmx.corpus, "extract_article", flaky)
    paths = list(map(str, articles(tmp_path / "in", 3)))
    with StubServer() as stub:
        result = extract(stub, *paths, "-f", "jsonl", "-j", "2")
    assert result.exit_code == 1
    by_id = {d["id"]: d for d in docs(result.stdout)}
    assert sorted(by_id) == ["a01", "a02", "a03"]
    assert by_id["a01"]["errors"] == [] and by_id["a03"]["errors"] == []
    assert by_id["a02"]["errors"] == [f"{paths[1]}: internal error: KeyError: 'boom'"]
