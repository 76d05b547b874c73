"""Done means, end to end against real embedded-model answers replayed from cassettes/:
a directory of mixed .txt and .html articles → llmx extract --db → llmx events merge → export -f plover.

Record (needs the embedded model served on port 8199, see README "Tests and cassettes"):
    llmx serve --port 8199 &  pytest tests/test_events_llm.py -m llm --record-mode=rewrite
"""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.store import open_store
from tests.conftest import DATA, ROOT, llm_args

CASSETTE = ROOT / "cassettes" / "test_events_llm" / "test_mixed_directory_end_to_end.yaml"
pytestmark = [pytest.mark.llm, pytest.mark.vcr]
runner = CliRunner()


def test_mixed_directory_end_to_end(tmp_path, request):
    if not CASSETTE.exists() and request.config.getoption("--record-mode") in (None, "none"):
        pytest.skip("cassette not recorded yet: run with --record-mode=rewrite against llmx serve --port 8199")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "articles" / "gnad-0289.txt", corpus)
    for name in ("wire-lavrov-wang.html", "tagesblatt-lawrow-cp1252.html"):
        shutil.copy(DATA / "html" / name, corpus)
    db = tmp_path / "x.sqlite"
    result = runner.invoke(app, ["extract", str(corpus), "--db", str(db), "-f", "jsonl", "-s", "meeting", *llm_args()])
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in map(json.loads, result.stdout.splitlines())}
    assert sorted(docs) == ["gnad-0289", "tagesblatt-lawrow-cp1252", "wire-lavrov-wang"]
    assert all(d["errors"] == [] for d in docs.values())
    page = docs["tagesblatt-lawrow-cp1252"]
    assert page["published"] == "2024-04-09" and "Außenminister Sergej Lawrow" in page["text"] and "Leserkommentare" not in page["text"]
    for doc in docs.values():  # offsets refer to the text the document stores (HTML) or the file (text)
        text = doc.get("text") or (corpus / "gnad-0289.txt").read_text(encoding="utf-8")
        for event in doc["events"]:
            for quote in event["evidence"]:
                if quote["match"] is not None:
                    assert text[quote["start"]:quote["end"]] == quote["text"]

    store = open_store(db)
    assert store.db["articles"].count == 3 and store.db["records"].count == sum(len(d["events"]) for d in docs.values())
    store.close()
    merged = runner.invoke(app, ["events", "merge", "--db", str(db)])
    assert merged.exit_code == 0, merged.output
    events = json.loads(runner.invoke(app, ["events", "list", "--db", str(db), "--merged", "-f", "json"]).stdout)
    lavrov = [e for e in events if {s["article"] for s in e["sources"]} >= {"wire-lavrov-wang", "tagesblatt-lawrow-cp1252"}]
    assert len(lavrov) == 1, events  # the English and the German page report one meeting: one event, two sources
    exported = runner.invoke(app, ["events", "export", "--db", str(db), "-f", "plover"])
    assert exported.exit_code == 0, exported.output
    plover = [json.loads(line) for line in exported.stdout.splitlines()]
    assert plover and all(r["event"] == ["CONSULT"] and r["actor"] and r["sources"] for r in plover)
    assert any({s["article"] for s in r["sources"]} >= {"wire-lavrov-wang", "tagesblatt-lawrow-cp1252"} for r in plover)
