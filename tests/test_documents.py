"""Every cassette through the whole pipeline: the documents must equal the saved snapshots.

The snapshots in tests/data/documents/ were written by the code of the time they were made
(``LLMX_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_documents.py``). A refactoring that
changes what a user gets (keys, their order, values, warnings) fails here. Re-recording the
cassettes changes the answers, so the snapshots are then written again and reviewed in the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import vcr
from typer.testing import CliRunner

from llmx.cli import app
from llmx.authoring.recording import llm_body, vcr_settings
from tests.conftest import DATA, ROOT, llm_args
from tests.test_extract_llm import COMMERCIAL_DEAL

SNAPSHOTS = DATA / "documents"
ARTICLES = DATA / "articles"
UPDATE = os.environ.get("LLMX_UPDATE_SNAPSHOTS") == "1"


def sanction_article(tmp: Path) -> list[str]:
    gold = json.loads((DATA / "eval" / "sanction.gold.jsonl").read_text(encoding="utf-8"))
    article = tmp / f"{gold['id']}.txt"
    article.write_text(gold["text"], encoding="utf-8")
    return [str(article), "-s", "sanction"]


def commercial_type(tmp: Path) -> list[str]:
    (tmp / "commercial_deal.py").write_text(COMMERCIAL_DEAL, encoding="utf-8")
    return [str(ARTICLES / "gnad-0289.txt"), "-s", "commercial_deal", "--schemas-dir", str(tmp)]


def mixed_directory(tmp: Path) -> list[str]:
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(ARTICLES / "gnad-0289.txt", corpus)
    for name in ("wire-lavrov-wang.html", "tagesblatt-lawrow-cp1252.html"):
        shutil.copy(DATA / "html" / name, corpus)
    return [str(corpus), "-s", "meeting"]


def no_person_is_plausible(monkeypatch: pytest.MonkeyPatch) -> None:
    import llmx.schemas.meeting

    monkeypatch.setattr(llmx.schemas.meeting, "plausible_person", lambda name: False)


SEED = [str(ARTICLES / "seed-putin-pezeshkian.txt")]
CASES = {
    # cassette (under cassettes/): the inputs and options its test used
    "test_extract_llm/test_seed_end_to_end": lambda tmp: SEED,
    "test_extract_llm/test_seed_formats[jsonl]": lambda tmp: SEED,
    "test_extract_llm/test_seed_per_type": lambda tmp: [*SEED, "--per-type", "--no-confirm"],
    "test_extract_llm/test_seed_glean": lambda tmp: [*SEED, "--glean", "--no-confirm"],
    "test_extract_llm/test_seed_ask_again": lambda tmp: [*SEED, "--ask-again", "security_warning", "--no-confirm"],
    "test_extract_llm/test_second_article_english": lambda tmp: [str(ARTICLES / "bbc-0095.txt")],
    "test_extract_llm/test_deal_named_on_both_sides_is_asked_for_its_supplier":
        lambda tmp: [str(ARTICLES / "gnad-0914.txt"), "-s", "arms_deal", "--no-confirm", "--no-reread"],
    "test_extract_llm/test_batch_keeps_other_results": lambda tmp: [str(ARTICLES / "gnad-0289.txt")],
    "test_extract_llm/test_invalid_after_retries_counts_every_attempt":
        lambda tmp: [str(ARTICLES / "gnad-0289.txt"), "-s", "meeting", "--max-retries", "1"],
    "test_extract_llm/test_type_from_schemas_dir_is_extracted": commercial_type,
    "test_extract_llm/test_cluster_style_concurrent_run":
        lambda tmp: [str(ARTICLES / n) for n in ("gnad-0289.txt", "bbc-0095.txt", "seed-putin-pezeshkian.txt")],
    "test_sanction/test_sanction_extracted": sanction_article,
    "test_events_llm/test_mixed_directory_end_to_end": mixed_directory,
}


def test_every_cassette_has_a_case():
    on_disk = {str(p.relative_to(ROOT / "cassettes").with_suffix("")) for p in (ROOT / "cassettes").rglob("*.yaml")}
    assert on_disk == set(CASES), "add the new cassette to CASES (and write its snapshot)"


def portable(docs: list[dict], tmp: Path) -> list[dict]:
    """Documents without what differs between runs and machines: timings and absolute paths."""
    text = json.dumps(docs, ensure_ascii=False).replace(str(tmp), "<tmp>").replace(str(ROOT), "<root>")
    stable = json.loads(text)
    for doc in stable:
        doc["seconds"] = 0.0
    return sorted(stable, key=lambda d: d["id"])


@pytest.mark.parametrize("cassette", sorted(CASES))
def test_documents_equal_snapshot(cassette, tmp_path, monkeypatch):
    if cassette.endswith("test_invalid_after_retries_counts_every_attempt"):
        no_person_is_plausible(monkeypatch)
    recorder = vcr.VCR(**vcr_settings(), record_mode="none")
    recorder.register_matcher("llm_body", llm_body)
    args = ["extract", *CASES[cassette](tmp_path), "-f", "json", *llm_args()]
    with recorder.use_cassette(str(ROOT / "cassettes" / f"{cassette}.yaml"), allow_playback_repeats=True):
        result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    docs = portable(json.loads(result.stdout), tmp_path)
    snapshot = SNAPSHOTS / f"{cassette.replace('/', '__')}.json"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(json.dumps(docs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(snapshot.read_text(encoding="utf-8"))
    assert docs == expected
    assert [list(d) for d in docs] == [list(d) for d in expected]  # same keys in the same order
    for got, want in zip(docs, expected):
        assert [list(e) for e in got["events"]] == [list(e) for e in want["events"]]
