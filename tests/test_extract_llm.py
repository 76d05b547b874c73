"""End to end through the CLI against real embedded-model answers replayed from cassettes/.

Record again (prompt, schema or option changes make replay fail loudly):
    llmx serve --port 8199 &  pytest -m llm --record-mode=rewrite
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from tests.conftest import DATA, llm_args

pytestmark = [pytest.mark.llm, pytest.mark.vcr]
runner = CliRunner()
SEED = DATA / "articles" / "seed-putin-pezeshkian.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
DOC_KEYS = {"id", "source", "model", "events", "usage", "seconds", "errors"}


def extract(*args: str):
    return runner.invoke(app, ["extract", *args, *llm_args()])


def assert_grounded(doc: dict, text: str) -> None:
    """Every grounded quote points at exactly its text in the original article."""
    for event in doc["events"]:
        assert event["evidence"], event
        for quote in event["evidence"]:
            if quote["match"] is None:
                assert event["grounded"] is False
                continue
            assert text[quote["start"]:quote["end"]] == quote["text"]
            if quote["match"] == "exact":
                assert quote["text"] in text


def test_seed_end_to_end():
    result = extract(str(SEED), "-f", "json")
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert DOC_KEYS <= set(doc)
    assert doc["id"] == "seed-putin-pezeshkian" and doc["errors"] == []
    assert doc["model"] == "compatible/qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert doc["usage"]["calls"] >= 1 and doc["usage"]["prompt_tokens"] > 1000 and doc["usage"]["completion_tokens"] > 0
    types = {e["type"] for e in doc["events"]}
    assert types <= {"meeting", "arms_deal", "security_warning", "sanction"}
    assert_grounded(doc, SEED_TEXT)
    # What the embedded model gets right on the seed (its mistakes are listed in the closing note):
    deal = next(e for e in doc["events"] if e["type"] == "arms_deal")
    assert (deal["supplier"], deal["recipient"], deal["status"], deal["value_usd"]) == ("IRN", "RUS", "signed", 1.7e9)
    meeting = next(e for e in doc["events"] if e["type"] == "meeting")
    assert {p["name"] for p in meeting["participants"]} == {"Vladimir Putin", "Masoud Pezeshkian"}  # "Wladimir" in English
    assert (meeting["location"], meeting["country"]) == ("Ashgabat", "TKM")  # "Aschgabat" in the text, in English
    assert all(e["grounded"] for e in doc["events"])
    # The deal paragraph told twice is one signed drone deal citing both tellings. (On this
    # recording the model missed the alleged missile transfer stated in the same sentences.)
    deals = [e for e in doc["events"] if e["type"] == "arms_deal"]
    again = SEED_TEXT.index("Moskau und Teheran", 1)
    assert len(deals) == 1 and {q["start"] for q in deals[0]["evidence"]} >= {0, again}
    assert deals[0]["weapons"] == ["drones"] and deals[0]["amount"] == "1,7-Milliarden-Dollar"
    # The model's answer (this recording) had a second deal to GBR and a sanction by GBR, which their evidence
    # does not mention, and a warning on the Hezbollah sentences whose "issuer" is a state (IRN), so it names
    # no person: all three dropped model-free, before any question. No false event is kept.
    assert types == {"meeting", "arms_deal"}
    assert any("dropped a arms_deal: its evidence does not mention recipient GBR" in w for w in doc["warnings"])
    assert any("dropped a sanction: its evidence does not mention imposer GBR" in w for w in doc["warnings"])
    assert any("dropped a security_warning: it needs issuer, which is not set" in w for w in doc["warnings"])
    # Extraction, warnings asked again on their own (SecurityWarning.ask_again; this recording's answer gives
    # the MI5 warning with no person, dropped) and the meeting's question (deals have none; dropped records ask nothing).
    assert doc["usage"]["calls"] == 1 + 1 + 1


SAME_REQUESTS = pytest.mark.vcr("test_seed_formats[jsonl].yaml")
"""Every format sends the same requests: one recording serves them all."""


@pytest.mark.parametrize("fmt", ["jsonl", *(pytest.param(f, marks=SAME_REQUESTS) for f in ("csv", "table", "html"))])
def test_seed_formats(fmt):
    result = extract(str(SEED), "-f", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "html":  # the review page, from the run's own articles
        data = json.loads(result.stdout.split('<script type="application/json" id="llmx-data">')[1].split("</script>")[0])
        (article,) = data["articles"]
        assert article["text"] == SEED_TEXT and article["records"]
        assert all(SEED_TEXT[s["start"]:s["end"]] == s["text"] for r in article["records"] for s in r["spans"])
    elif fmt == "jsonl":
        assert DOC_KEYS <= set(json.loads(result.stdout.strip()))
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows and all(r["id"] == "seed-putin-pezeshkian" for r in rows)
        assert {"type", "supplier", "participants", "evidence", "evidence_offsets", "grounded"} <= set(rows[0])
        assert any(r["type"] == "arms_deal" and r["supplier"] == "IRN" for r in rows)
    else:
        assert "seed-putin-pezeshkian" in result.stdout and "arms_deal" in result.stdout


def test_seed_per_type():
    """--per-type against the real model: one call per type, every record grounded, the seed's meeting found."""
    result = extract(str(SEED), "-f", "jsonl", "--per-type", "--no-confirm")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["usage"]["calls"] >= 4
    assert_grounded(doc, SEED_TEXT)
    assert any({p["name"] for p in e["participants"]} == {"Vladimir Putin", "Masoud Pezeshkian"}
               for e in doc["events"] if e["type"] == "meeting")


def test_second_article_english():
    path = DATA / "articles" / "bbc-0095.txt"
    result = extract(str(path), "-f", "jsonl")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["id"] == "bbc-0095" and doc["errors"] == []
    assert_grounded(doc, path.read_text(encoding="utf-8"))


def test_batch_keeps_other_results(tmp_path):
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(DATA / "articles" / "gnad-0289.txt"), str(missing), "-f", "jsonl", "-o", str(out), *llm_args()])
    assert result.exit_code == 1
    assert f"llmx: error: {missing}: no such file" in result.stderr
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_id = {d["id"]: d for d in docs}  # written as they finish: the unreadable input first
    assert sorted(by_id) == ["gnad-0289", "missing"]
    assert by_id["gnad-0289"]["errors"] == [] and by_id["gnad-0289"]["usage"]["calls"] >= 1
    assert by_id["missing"]["errors"] == [f"{missing}: no such file"]


def test_invalid_after_retries_counts_every_attempt(monkeypatch):
    """Real answers, impossible validation: every participant is declared implausible, so the
    re-ask fails too. The invalid items are dropped with a warning (not an error that would
    lose the article), and both attempts are counted."""
    import llmx.schemas.meeting

    monkeypatch.setattr(llmx.schemas.meeting, "plausible_person", lambda name: False)
    result = runner.invoke(app, ["extract", str(DATA / "articles" / "gnad-0289.txt"), "-f", "jsonl", "-s", "meeting",
                                 "--max-retries", "1", *llm_args()])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["events"] == []
    [warning] = doc["warnings"]
    assert "model output still invalid after 2 attempts" in warning and "kept 0 valid event(s), dropped" in warning
    assert "not persons" in warning
    assert result.stderr.strip() == ""  # no library log noise
    assert doc["usage"]["calls"] == 2  # the re-ask is counted too
    assert doc["usage"]["prompt_tokens"] > 0


COMMERCIAL_DEAL = '''
from pydantic import Field
from llmx.schemas.base import Actor, Event


class CommercialDeal(Event):
    event_type = "commercial_deal"
    description = "A company sells goods or services to a state or company."
    identity_fields = ("seller", "buyer")
    guidance = "Counts: a company sells or agrees to sell goods or services. Does not count: weapons (those are arms deals)."

    seller: Actor = Field(description="The company that sells, English name.")
    buyer: Actor = Field(description="Who buys: ISO alpha-3 code for a state, English name otherwise.")
    item: str = Field(description="What is sold, in English.")
'''


def test_type_from_schemas_dir_is_extracted(tmp_path, vcr):
    """A schema author's type in a plain directory: discovered, prompted, validated and checked.

    On this recording the 1.5B model's answer is wrong (a "Militärkapelle" selling the
    "Marseillaise" to France); the state check drops it, because its evidence names no France.
    """
    (tmp_path / "commercial_deal.py").write_text(COMMERCIAL_DEAL, encoding="utf-8")
    path = DATA / "articles" / "gnad-0289.txt"
    result = runner.invoke(app, ["extract", str(path), "-f", "json", "-s", "commercial_deal", "--schemas-dir", str(tmp_path), *llm_args()])
    assert result.exit_code == 0, result.output
    [request] = [json.loads(r.body) for r in vcr.requests]
    schema = request["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"commercial_deal"}
    assert "Counts: a company sells or agrees to sell goods or services" in request["messages"][0]["content"]
    [doc] = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["events"] == []
    assert any("dropped a commercial_deal: its evidence does not mention buyer FRA" in w for w in doc["warnings"])


def test_cluster_style_concurrent_run(tmp_path):
    """Several articles in flight at once against an OpenAI-compatible endpoint, as with a vLLM cluster."""
    paths = [DATA / "articles" / name for name in ("gnad-0289.txt", "bbc-0095.txt", "seed-putin-pezeshkian.txt")]
    out = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["extract", *map(str, paths), "-f", "jsonl", "-o", str(out), "-j", "3", *llm_args()])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["id"] for d in docs) == ["bbc-0095", "gnad-0289", "seed-putin-pezeshkian"]
    assert all(d["errors"] == [] and d["usage"]["calls"] >= 1 for d in docs)
    assert "3 ok, 0 failed" in result.stderr



def test_seed_glean():
    """--glean against the real model: the follow-up's answer validates, and the first answer's events stay."""
    result = extract(str(SEED), "-f", "jsonl", "--glean", "--no-confirm")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["usage"]["calls"] >= 2  # the extraction and its follow-up
    assert not any("second look" in w for w in doc["warnings"])  # the follow-up's answer was valid
    assert_grounded(doc, SEED_TEXT)
    assert any({p["name"] for p in e["participants"]} == {"Vladimir Putin", "Masoud Pezeshkian"}
               for e in doc["events"] if e["type"] == "meeting")


def test_seed_ask_again():
    """--ask-again against the real model: the type's own answer validates, and the combined answer's events stay."""
    result = extract(str(SEED), "-f", "jsonl", "--ask-again", "security_warning", "--no-confirm")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["usage"]["calls"] >= 2  # the combined call and the warnings' own
    assert not any("asked again:" in w for w in doc["warnings"])  # the type's answer was valid
    assert_grounded(doc, SEED_TEXT)
    assert any({p["name"] for p in e["participants"]} == {"Vladimir Putin", "Masoud Pezeshkian"}
               for e in doc["events"] if e["type"] == "meeting")


def test_deal_named_on_both_sides_is_asked_for_its_supplier():
    """The party question against the real model: for Austria's export licences the combined answer names Saudi
    Arabia as both supplier and recipient, and asked who supplies, the model names Austria (pipeline/mend.py)."""
    path = DATA / "articles" / "gnad-0914.txt"
    result = extract(str(path), "-f", "jsonl", "-s", "arms_deal", "--no-confirm", "--no-reread")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == []
    asked = [w for w in doc["warnings"] if "asked \"Weapons in this text go to Saudi Arabia." in w]
    assert asked and all(w.rsplit(": ", 1)[1] in {"AUT", "ARE", "YEM", "not stated"} for w in asked)
    assert ("AUT", "SAU") in {(e["supplier"], e["recipient"]) for e in doc["events"]}
    assert_grounded(doc, path.read_text(encoding="utf-8"))
