"""Re-reading a cited sentence that tells a second event (pipeline/reread.py): which sentences, and the stage
against the stub (the sentence asked on its own after the article's prefix; a failed re-read loses nothing)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmx.cli import app
from llmx.pipeline.reread import new_events, second_event_sentences
from llmx.schemas.meeting import Meeting
from tests.stub_server import StubServer

runner = CliRunner()
TEXT = ("Amman – US-Außenminister John Kerry hat am Sonntag Palästinenserpräsident Mahmud Abbas getroffen. "
        "Kerry traf in Jordanien auch König Abdullah II. Am Abend reiste er nach Wien weiter.")
FIRST = {"evidence": [1, 2], "participants": [{"name": "John Kerry"}, {"name": "Mahmoud Abbas"}], "location": "Amman"}
SECOND = {"evidence": [1], "participants": [{"name": "John Kerry"}, {"name": "Abdullah II"}]}


def meeting(*sentences: str) -> Meeting:
    return Meeting(evidence=list(sentences), participants=[{"name": "John Kerry"}, {"name": "Mahmoud Abbas"}])


def test_a_cited_sentence_with_a_meeting_word_and_one_of_the_people_is_read_again():
    both = "US-Außenminister John Kerry hat am Sonntag Palästinenserpräsident Mahmud Abbas getroffen."
    other = "Kerry traf in Jordanien auch König Abdullah II."
    no_word = "Kerry sagte, die Lage sei ernst."
    assert second_event_sentences([meeting(both, other, no_word)], "de") == [(Meeting, other)]
    assert second_event_sentences([meeting(both, other), meeting(other, both)], "de") == [(Meeting, other)]  # once
    assert second_event_sentences([meeting(both, other)], "fr") == []  # no French words: nothing to go by


def test_a_record_of_one_person_is_not_read_again():
    """A warning names one issuer: every one of its sentences names at most one of its people, and tells no second one."""
    from llmx.schemas.security_warning import SecurityWarning

    warning = SecurityWarning(evidence=["Lawrow warnte vor der Gefahr von Chemiewaffen in den Händen von Terroristen."],
                              issuer="Sergej Lawrow")
    assert second_event_sentences([warning], "de") == []


def run(tmp_path, answer, *args: str):
    article = tmp_path / "kerry.txt"
    article.write_text(TEXT, encoding="utf-8")
    with StubServer(answer=answer) as stub:
        return runner.invoke(app, ["extract", str(article), "-f", "jsonl", "-s", "meeting", *args, *stub.extract_args("--no-confirm")])


def test_the_second_meeting_is_asked_on_its_own_and_kept(tmp_path):
    seen: list[dict] = []

    def answer(request: dict) -> str:
        seen.append(request)
        return json.dumps({"meeting": [FIRST if "Abbas" in request["messages"][-1]["content"] else SECOND]})

    result = run(tmp_path, answer)
    assert result.exit_code == 0, result.output
    first, second = (r["messages"] for r in seen)
    assert second[:-1] == first[:-1]  # the article's prompt, so the server's kept prefix serves both
    assert "Kerry traf in Jordanien auch König Abdullah II." in second[-1]["content"] and "Abbas" not in second[-1]["content"]
    doc = json.loads(result.stdout)
    assert [[p["name"] for p in e["participants"]] for e in doc["events"]] == [["John Kerry", "Mahmoud Abbas"], ["John Kerry", "Abdullah II"]]
    assert doc["events"][1]["evidence"][0]["text"] == "Kerry traf in Jordanien auch König Abdullah II."


def test_a_failed_re_read_keeps_the_first_answer_and_no_reread_asks_once(tmp_path):
    calls: list[int] = []

    def answer(request: dict) -> str:
        calls.append(1)
        return json.dumps({"meeting": [FIRST]}) if len(calls) == 1 else "I cannot help with that."

    result = run(tmp_path, answer)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["events"]) == 1 and doc["errors"] == [] and any(w.startswith(f"{tmp_path / 'kerry.txt'}: re-reading") for w in doc["warnings"])
    calls.clear()
    result = run(tmp_path, answer, "--no-reread")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1 and len(json.loads(result.stdout)["events"]) == 1



def test_a_re_read_answer_with_the_same_people_adds_nothing():
    """Its other facts may differ (the worked example's city, which merging would see as a conflict): it is the
    first meeting again, not a second one."""
    first = Meeting(evidence=["Putin traf Pezeshkian in Aschgabat."], location="Ashgabat",
                    participants=[{"name": "Vladimir Putin"}, {"name": "Masoud Pezeshkian"}])
    again = Meeting(evidence=["Putin traf Pezeshkian in Aschgabat."], location="Tokyo",
                    participants=[{"name": "Vladimir Putin"}, {"name": "Pezeshkian"}])
    other = Meeting(evidence=["Putin traf auch Zardari."], participants=[{"name": "Vladimir Putin"}, {"name": "Asif Ali Zardari"}])
    assert new_events([again, other], [first]) == [other]
