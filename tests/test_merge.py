"""Cross-article merging on hand-made reports with a known grouping, and the exports built on it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.store import open_store
from llmx.store.merge import Record, cluster, pairwise, span
from tests.conftest import DATA

runner = CliRunner()
TRUTH = json.loads((DATA / "merge" / "truth.json").read_text(encoding="utf-8"))


def events(*args: str):
    return runner.invoke(app, ["events", *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "x.sqlite"
    assert events("import", str(DATA / "merge" / "reports.jsonl"), "--db", str(path)).exit_code == 0
    return path


def grouping(path) -> tuple[list[set[str]], list[set[str]]]:
    """Predicted and true groups of records, each record named article:position."""
    store = open_store(path)
    rows = store.conn.execute("SELECT er.event_id, r.article_id || ':' || r.position FROM event_records er JOIN records r ON r.id = er.record_id").fetchall()
    store.close()
    predicted: dict[int, set[str]] = {}
    for event_id, name in rows:
        predicted.setdefault(event_id, set()).add(name)
    truth: dict[str, set[str]] = {}
    for name, label in TRUTH.items():
        truth.setdefault(label, set()).add(name)
    return list(predicted.values()), list(truth.values())


def test_fixture_grouping_precision_and_recall(db):
    result = events("merge", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "14 record(s) → 7 event(s); 6 reported by several articles" in result.stdout
    predicted, truth = grouping(db)
    precision, recall = pairwise(predicted, truth)
    print(f"fixture grouping: pairwise precision {precision:.2f}, recall {recall:.2f}")
    assert (precision, recall) == (1.0, 1.0)


def test_merged_events_keep_sources_evidence_and_conflicts(db):
    events("merge", "--db", str(db))
    rows = json.loads(events("list", "--db", str(db), "--merged", "-f", "json").stdout)
    beijing = next(e for e in rows if e["type"] == "meeting" and e.get("location") == "Beijing")
    assert sorted(s["article"] for s in beijing["sources"]) == ["gazette-lavrov", "tagesblatt-peking", "wire-beijing"]
    assert all(s["evidence"] for s in beijing["sources"])
    assert "participants" not in beijing["conflicts"]  # "Sergei" and "Sergey" Lavrov are one person
    assert sorted(beijing["topics"]) == ["Friedenskonferenz", "Ukraine"]
    deal = next(e for e in rows if e["type"] == "arms_deal" and e["identity"]["supplier"] == "IRN")
    assert {c["value"] for c in deal["conflicts"]["status"]} == {"signed", "delivered"}  # shown, not resolved
    assert (deal["date"], deal["date_end"]) == ("2024-01-15", "2024-03-31") and "status" not in deal
    meetings = [e for e in rows if e["type"] == "meeting" and e["identity"]["participants"][0]["name"] in ("Vladimir Putin", "Masoud Pezeshkian")]
    assert sorted(e["date"] for e in meetings) == ["2024-10-11", "2024-10-23"]  # the same pair twice a month apart: two events
    table = events("list", "--db", str(db), "--merged")
    assert table.exit_code == 0 and "deal-signed (signed)" in table.stdout and "kazan-2 (delivered)" in table.stdout


def test_merge_can_be_redone_and_records_stay_untouched(db):
    store = open_store(db)
    before = list(store.db["records"].rows)
    store.close()
    events("merge", "--db", str(db))
    result = events("merge", "--db", str(db), "--window", "0", "--window-for", "arms_deal=0")
    assert result.exit_code == 0 and "14 record(s) → 10 event(s)" in result.stdout  # the deal, the EU and the MI5 reports a day apart split
    store = open_store(db)
    assert list(store.db["records"].rows) == before and store.db["merges"].count == 1
    store.close()
    assert events("merge", "--db", str(db), "--window-for", "nonsense").exit_code == 2


def test_blocking_and_windows_on_synthetic_records():
    types = {"meeting": {"identity_fields": ["participants"], "identity_match": "all", "person_fields": ["participants"]},
             "security_warning": {"identity_fields": ["issuer", "issuer_org"], "identity_match": "any", "person_fields": ["issuer"]}}
    people = [{"name": "A Smith"}, {"name": "B Jones"}]
    recs = [Record(1, "a", "meeting", "2024-05-01", "FRA", {"participants": people}),
            Record(2, "b", "meeting", "2024-05", None, {"participants": people[::-1]}),  # month precision overlaps
            Record(3, "c", "meeting", "2024-05-02", "DEU", {"participants": people}),   # another place: another event
            Record(4, "a", "meeting", "2024-05-01", "FRA", {"participants": people}),   # same article twice: not merged with itself
            Record(5, "d", "meeting", None, None, {"participants": [{"name": "Nobody"}]}),
            Record(6, "e", "security_warning", "2024-05-01", None, {"issuer": "Ken McCallum", "issuer_org": "MI5"}),
            Record(7, "f", "security_warning", "2024-05-03", None, {"issuer_org": "MI5"})]
    groups = sorted(sorted(r.id for r in g) for g in cluster(recs, types))
    assert groups == [[1, 2], [3], [4], [5], [6, 7]]
    assert span("2024-02") == (span("2024-02-01")[0], span("2024-02-29")[0]) and span("garbage") is None


def test_exports(db, tmp_path):
    events("merge", "--db", str(db))
    jsonl = events("export", "--db", str(db), "-f", "jsonl")
    assert jsonl.exit_code == 0 and len(jsonl.stdout.splitlines()) == 7
    rows = list(csv.DictReader(io.StringIO(events("export", "--db", str(db), "-f", "csv", "--records").stdout)))
    assert len(rows) == 14 and {"article", "type", "supplier", "participants", "evidence"} <= set(rows[0])
    out = tmp_path / "events.parquet"
    assert events("export", "--db", str(db), "-f", "parquet", "-o", str(out)).exit_code == 0
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert table.num_rows == 7 and "sources" in table.column_names
    assert events("export", "--db", str(db), "-f", "parquet").exit_code == 2


def test_plover_export(db):
    events("merge", "--db", str(db))
    result = events("export", "--db", str(db), "-f", "plover")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "1 security_warning row(s) left out: the type declares no PLOVER code" in result.stderr
    by = {(r["llmx_type"], r.get("date")): r for r in records}
    ashgabat = by[("meeting", "2024-10-11")]
    assert ashgabat["event"] == ["CONSULT"] and ashgabat["mode"] == ["third-party"] and ashgabat["cameo"] == "044"
    assert {a["code"] for a in ashgabat["actor"]} == {"RUS", "IRN"} and ashgabat["recipient"] == []
    assert ashgabat["event_loc"]["country_code"] == "TKM" and len(ashgabat["sources"]) == 2 and ashgabat["quad_code"] == 1
    beijing = by[("meeting", "2024-04-09")]
    assert beijing["mode"] == [] and beijing["cameo"] == "040"  # in one participant's country: visit/host not told apart
    deal = by[("arms_deal", "2024-01-15")]
    assert deal["actor"] == [{"code": "IRN"}] and deal["recipient"] == [{"code": "RUS"}] and deal["enddate"] == "2024-03-31"
    assert deal["conflicts"]["status"] and deal["event"] == ["COOPERATE"] and deal["context"] == ["military"]  # status in conflict: default codes
    sanction = by[("sanction", "2024-02-27")]
    assert sanction["event"] == ["SANCTION"] and sanction["mode"] == ["discontinue"] and sanction["cameo"] == "163"
    assert sanction["actor"] == [{"entity_text": "EU"}] and sanction["recipient"] == [{"code": "BLR"}]
    per_article = [json.loads(line) for line in events("export", "--db", str(db), "-f", "plover", "--records", "--type", "arms_deal").stdout.splitlines()]
    assert {r["event"][0] for r in per_article} == {"AGREE", "COOPERATE"}  # signed → AGREE, delivered/approved…
