"""``llmx eval --compare``: two prediction files on one gold, per type and per changed article."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmx.cli import app
from tests.test_score import CARTER, DATA, GOLD, KERRY, doc, perfect

runner = CliRunner()


def test_compare_reports_types_and_changed_articles(tmp_path):
    a, b = perfect(), perfect()
    doc(b, KERRY)["events"] = []  # the second variant loses Kerry's events ...
    doc(b, CARTER)["events"].append({"type": "meeting", "participants": [{"name": "A Nobody"}, {"name": "B Nobody"}]})  # ... and adds a false one
    paths = []
    for name, docs in (("a.jsonl", a), ("b.jsonl", b)):
        path = tmp_path / name
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        paths.append(str(path))
    result = runner.invoke(app, ["eval", str(DATA / "mini_gold.jsonl"), "--compare", *paths, "-f", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["a"]["types"]["all"]["f1"] == 1.0 and out["b"]["types"]["all"]["f1"] < 1.0
    kerry_gold = len(next(g for g in GOLD if g["id"] == KERRY)["events"])
    changed = {c["id"]: (tuple(c["before"]), tuple(c["after"])) for c in out["changed"]}
    assert set(changed) == {KERRY, CARTER}
    assert changed[KERRY] == ((kerry_gold, 0, 0), (0, 0, kerry_gold))
    assert changed[CARTER][1][1] == changed[CARTER][0][1] + 1  # one more false positive
    table = runner.invoke(app, ["eval", str(DATA / "mini_gold.jsonl"), "--compare", *paths])
    assert table.exit_code == 0 and "a.jsonl" in table.stdout and KERRY in table.stdout


def test_compare_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(DATA / "mini_gold.jsonl"), "--compare", str(bad), str(bad)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "invalid JSON" in result.stderr
