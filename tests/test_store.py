"""The event store: schema, import, list, bad files, concurrency, extract --db with resume (model-free)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.core.data import Document
from llmx.store import StoreError, open_store
from llmx.store.db import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Store
from tests.conftest import DATA, ROOT

runner = CliRunner()
REPORTS = DATA / "merge" / "reports.jsonl"


def events(*args: str):
    return runner.invoke(app, ["events", *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "x.sqlite"
    result = events("import", str(REPORTS), "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 13 document(s)" in result.stdout
    return path


def test_import_tables_and_typed_identity_columns(db):
    store = open_store(db)
    try:
        tables = set(store.db.table_names())
        assert {"articles", "records", "evidence", "actors", "runs", "event_types", "events", "event_records", "merges", "evidence_fts"} <= tables
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db["records"].count == 14 and store.db["evidence"].count == 14
        deal = next(store.db["records"].rows_where("type = ? AND status = ?", ["arms_deal", "signed"]))
        assert (deal["supplier"], deal["recipient"], deal["date"]) == ("IRN", "RUS", "2024-01-15")
        meeting = next(store.db["records"].rows_where("article_id = ?", ["wire-beijing"]))
        assert meeting["participants"] == "Sergey Lavrov; Wang Yi" and json.loads(meeting["facts"])["location"] == "Beijing"
        [run] = store.db["runs"].rows
        assert run["command"] == "import" and run["llmx_version"]
    finally:
        store.close()


def test_reimport_replaces_and_never_duplicates(db):
    assert events("import", str(REPORTS), "--db", str(db)).exit_code == 0
    store = open_store(db)
    assert store.db["records"].count == 14 and store.db["articles"].count == 13 and store.db["actors"].count > 0
    store.close()


def test_list_filters_table_and_json(db):
    def ids(*args):
        result = events("list", "--db", str(db), "-f", "json", *args)
        assert result.exit_code == 0, result.output
        return sorted({r["article"] for r in json.loads(result.stdout)})

    assert ids("--type", "sanction") == ["eu-belarus-1", "eu-belarus-2"]
    assert ids("--person", "Lavrov") == ["gazette-lavrov", "tagesblatt-peking", "wire-beijing"]
    assert ids("--person", "vladimir putin", "--state", "TKM") == ["ashgabat-1", "ashgabat-2"]
    assert ids("--state", "TWN") == ["deal-other"]
    assert ids("--since", "2024-10-20", "--until", "2024-10") == ["kazan-1", "kazan-2"]
    assert ids("--until", "2024-01") == ["deal-signed"]
    assert ids("--source", "mi5") == ["mi5-1", "mi5-2"]
    assert ids("--search", "sabotage") == ["mi5-1", "mi5-2"]
    assert ids("--search", "Peking") == ["tagesblatt-peking"]
    [row] = json.loads(events("list", "--db", str(db), "-f", "json", "--source", "deal-signed").stdout)
    assert row["evidence"][0]["text"].startswith("Moscow and Tehran signed") and row["value_usd"] == 1.7e9
    table = events("list", "--db", str(db), "--type", "meeting", "--limit", "2")
    assert table.exit_code == 0 and "2 record(s)" in table.stdout


def test_untrusted_text_is_data_not_sql(db):
    for value in ("x' OR '1'='1", "'; DROP TABLE records; --"):
        result = events("list", "--db", str(db), "-f", "json", "--person", value, "--source", value)
        assert result.exit_code == 0 and json.loads(result.stdout) == []
    bad_fts = events("list", "--db", str(db), "--search", '"unbalanced')
    assert bad_fts.exit_code != 0 and "Traceback" not in bad_fts.output
    store = open_store(db)
    assert store.db["records"].count == 14
    store.close()


def one_line(result) -> str:
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("llmx: error: "), result.stderr
    return lines[0]


def test_corrupt_and_foreign_files_give_one_line(tmp_path):
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    assert "not a usable SQLite database" in one_line(events("list", "--db", str(corrupt)))
    text = tmp_path / "notes.sqlite"
    text.write_text("just some notes\n" * 100)
    assert "not a usable SQLite database" in one_line(events("import", str(REPORTS), "--db", str(text)))
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    assert "not an llmx event store (tables: customers)" in one_line(events("import", str(REPORTS), "--db", str(foreign)))
    assert "no such database" in one_line(events("list", "--db", str(tmp_path / "missing.sqlite")))


def test_newer_database_is_refused(db):
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    message = one_line(events("list", "--db", str(db)))
    assert "written by a newer llmx" in message and "upgrade llmx" in message


def test_locked_database_gives_one_line(db, monkeypatch):
    monkeypatch.setenv("LLMX_DB_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert "locked by another process" in one_line(events("import", str(REPORTS), "--db", str(db)))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_migration_from_schema_1(tmp_path):
    path = tmp_path / "old.sqlite"
    old = Store(path)
    with old.write() as database:
        MIGRATIONS[0](database)
        old.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        old.conn.execute("PRAGMA user_version = 1")
    old.close()
    store = open_store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION and "events" in store.db.table_names()
    store.close()


def test_a_failed_write_leaves_nothing_half_written(db):
    store = open_store(db)
    bad = {"id": "half", "events": [{"type": "meeting", "participants": [], "evidence": [{"text": "x", "start": 0, "end": 1, "match": "exact"}]},
                                    {"type": "meeting", "topics": [object()], "evidence": []}]}  # the second record cannot be stored
    with pytest.raises(TypeError):
        store.write_document(bad)
    assert store.conn.execute("SELECT COUNT(*) FROM articles WHERE id = 'half'").fetchone()[0] == 0
    assert store.conn.execute("SELECT COUNT(*) FROM records WHERE article_id = 'half'").fetchone()[0] == 0
    with pytest.raises(StoreError, match="not an llmx result document"):
        store.write_document({"events": []})
    store.close()


WRITER = """
import json, sys
from pathlib import Path
from llmx.store import open_store
store = open_store(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    doc = {"id": f"{sys.argv[2]}-{i}", "source": "s", "model": "m", "usage": {}, "seconds": 0, "errors": [],
           "events": [{"type": "meeting", "participants": [{"name": "A B", "country": "RUS"}, {"name": "C D", "country": "CHN"}],
                       "date": "2024-01-01", "evidence": [{"text": "A met C.", "start": 0, "end": 8, "match": "exact"}], "grounded": True}]}
    store.write_document(doc)
store.close()
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite"
    open_store(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "60"], cwd=ROOT) for name in ("one", "two")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = open_store(path)
    assert store.db["articles"].count == 120 and store.db["records"].count == 120 and store.db["evidence"].count == 120
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def canned(endpoint, article, options):
    """Stands in for the model: one meeting per article, grounded in its own text."""
    quote = article.text.split("\n")[0][:60]
    return Document.from_dict({"id": article.id, "source": article.source, "model": "stub/canned", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "calls": 1},
            "seconds": 0.0, "errors": [] if "fail" not in article.id else ["stub failure"], **article.meta,
            "events": [{"type": "meeting", "participants": [{"name": "Sergey Lavrov", "country": "RUS"}, {"name": "Wang Yi", "country": "CHN"}],
                        "date": str(article.published or options.published or "") or None, "location": None, "country": "CHN",
                        "evidence": [{"text": quote, "start": 0, "end": len(quote), "match": "exact"}], "grounded": True}]})


def test_extract_db_streams_and_resumes(tmp_path, monkeypatch):
    import llmx.corpus

    calls = []
    monkeypatch.setattr(llmx.corpus, "extract_article", lambda e, a, o: calls.append(a.id) or canned(e, a, o))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plain.txt").write_text("Lavrov met Wang Yi in Beijing.\nMore text.", encoding="utf-8")
    (corpus / "fail.txt").write_text("This one fails in the stub.", encoding="utf-8")
    (corpus / "page.html").write_bytes((DATA / "html" / "wire-lavrov-wang.html").read_bytes())
    path = tmp_path / "x.sqlite"
    args = ["extract", str(corpus), "--db", str(path), "-f", "jsonl", "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1",
            "--model", "stub", "--no-cache", "--date", "2024-01-02"]
    first = runner.invoke(app, args)
    assert first.exit_code == 1 and sorted(calls) == ["fail", "page", "plain"]
    store = open_store(path)
    page = store.db["articles"].get("page")
    assert page["url"].startswith("https://news.example.org/") and page["published"] == "2024-04-09" and page["text"].startswith("Lavrov and Wang Yi")
    assert store.db["articles"].get("plain")["text"] is None  # text inputs: the file itself is the text
    assert json.loads(next(store.db["records"].rows_where("article_id = 'page'"))["facts"])["date"] == "2024-04-09"
    [run] = store.db["runs"].rows
    assert run["command"] == "extract" and json.loads(run["options"])["published"] == "2024-01-02"
    store.close()
    calls.clear()
    again = runner.invoke(app, args)
    assert calls == ["fail"] and "2 article(s) already done" in again.stderr  # failed articles are redone, finished ones skipped
    store = open_store(path)
    assert store.db["articles"].count == 3 and store.db["records"].count == 3
    store.close()


def test_extract_with_an_unusable_db_gives_one_line(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    article = tmp_path / "a.txt"
    article.write_text("Lavrov met Wang Yi in Beijing.", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(article), "--db", str(bad), "--provider", "compatible", "--base-url",
                                 "http://127.0.0.1:9/v1", "--model", "stub", "--no-cache"])
    assert result.exit_code == 1 and "not a usable SQLite database" in one_line(result)


def test_article_text_is_not_markup_in_tables(tmp_path):
    path = tmp_path / "m.sqlite"
    store = open_store(path)
    store.write_document({"id": "m", "events": [{"type": "sanction", "imposer": "[red]EU[/red]", "target": "BLR",
                                                 "evidence": [{"text": "[bold]Brussels[/bold] acted.", "start": 0, "end": 28, "match": "exact"}]}]})
    store.close()
    result = events("list", "--db", str(path))
    assert result.exit_code == 0 and "[bold]Brussels[/bold]" in result.stdout and "[red]EU[/red]" in result.stdout


def test_two_extract_db_runs_at_once_lose_nothing(tmp_path):
    """Two real `llmx extract --db` processes on one file, against the stub model server (no events)."""
    from tests.stub_server import StubServer

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(24):
        (corpus / f"a{i:02d}.txt").write_text(f"Article {i}: the ministers met in Vienna on Monday.", encoding="utf-8")
    path = tmp_path / "x.sqlite"
    with StubServer(latency=0.01) as stub:
        args = ["extract", str(corpus), "--db", str(path), "-f", "jsonl", "-q", "--provider", "compatible", "--base-url", stub.base_url,
                "--model", "stub", "--mode", "json_object", "--no-cache", "--no-confirm", "-j", "4"]
        procs = [subprocess.Popen([sys.executable, "-c", "from llmx.cli import main; main()", *args], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
        codes = [p.wait(timeout=180) for p in procs]
        assert codes == [0, 0], [p.stderr.read() for p in procs]
    store = open_store(path)
    assert store.db["articles"].count == 24 and store.finished_ids() == {f"a{i:02d}" for i in range(24)}
    assert store.db["runs"].count == 2 and store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_a_store_created_while_another_connection_writes_waits_for_it(tmp_path):
    """SQLite answers the switch to WAL "locked" at once while another connection writes (no busy handler):
    open_store waits for it, as for any other lock, instead of failing two runs that create one store at once."""
    import threading

    path = tmp_path / "new.sqlite"
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    store = open_store(path)
    waited = time.monotonic() - started
    release.join()
    other.close()
    assert waited >= 0.25 and store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
