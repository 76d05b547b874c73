"""The confirmation stage: each record is re-checked with its type's yes/no question.

Mechanics against the stub server (canned answers); whether the question helps
is measured with ``llmx eval`` on the embedded model, and the recorded cassettes
replay real confirmations.
"""

from __future__ import annotations

import json

from llmx.core.data import Record, Span
from llmx.pipeline.confirm import messages, question
from llmx.pipeline.article import extract_article
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import ProviderSettings, get_provider
from llmx.pipeline.read import Article
from llmx.schemas.meeting import Meeting
from llmx.schemas.security_warning import SecurityWarning
from tests.stub_server import StubServer

TEXT = "Kerry traf Lawrow am Montag in Wien zu Gesprächen über Syrien. Merkel telefonierte am Abend lange mit Macron über den Gipfel."
ANSWER = {"meeting": [
    {"evidence": [1], "participants": [{"name": "John Kerry"}, {"name": "Sergey Lavrov"}], "location": "Vienna"},
    {"evidence": [2], "participants": [{"name": "Angela Merkel"}, {"name": "Emmanuel Macron"}]},
]}


def test_question_fills_names_lists_and_fallbacks():
    record = {"participants": [{"name": "John Kerry"}, {"name": "Sergey Lavrov"}], "issuer": None, "issuer_org": "MI5",
              "weapons": ["drones", "missiles"], "supplier": "IRN"}
    assert question(Meeting.confirm, record) == "Does the text say that John Kerry and Sergey Lavrov met or held talks in person?"
    assert question(SecurityWarning.confirm, record) == "Does the text say that MI5 warned of a security threat?"
    assert question("{weapons} from {supplier} to {recipient}", record) == "drones, missiles from Iran to unspecified"  # codes read as names


def test_the_model_sees_only_the_cited_sentences():
    record = Record("meeting", {"participants": [{"name": "John Kerry"}]}, [Span("Kerry traf Lawrow."), Span("Er reiste ab.")])
    user = messages(record, Meeting.confirm)[-1]["content"]
    assert '"""\nKerry traf Lawrow.\nEr reiste ab.\n"""' in user and user.endswith("Answer yes or no.")


def answer(verdicts: dict[str, bool]):
    """Extraction gets ANSWER; a confirmation gets the verdict for the first keyword its prompt contains."""

    def reply(request: dict) -> str:
        schema = request["response_format"]["schema"]
        if "answer" not in schema["properties"]:
            return json.dumps(ANSWER)
        prompt = request["messages"][-1]["content"]
        verdict = next(v for k, v in verdicts.items() if k in prompt)
        return json.dumps({"answer": {True: "yes", False: "no"}.get(verdict, verdict)})

    return reply


def run(stub: StubServer, **options) -> dict:
    settings = ProviderSettings(model="stub", base_url=stub.base_url, mode="json_object")
    with get_provider("compatible").connect(settings) as endpoint:
        return extract_article(endpoint, Article(id="a", source="a.txt", text=TEXT), ExtractOptions([Meeting], **options)).to_dict()


def test_denied_record_is_dropped_with_a_warning_and_confirmed_one_kept():
    with StubServer(answer=answer({"telefonierte": False, "Kerry": True})) as stub:
        doc = run(stub)
    assert [[p["name"] for p in e["participants"]] for e in doc["events"]] == [["John Kerry", "Sergey Lavrov"]]
    assert any("dropped a meeting: the model denied it" in w for w in doc["warnings"])
    assert doc["usage"]["calls"] == 3 and doc["errors"] == []


def test_no_confirm_asks_nothing_more():
    with StubServer(answer=answer({"": False})) as stub:
        doc = run(stub, confirm=False)
    assert len(doc["events"]) == 2 and doc["usage"]["calls"] == 1 and stub.requests == 1


def test_an_unusable_verdict_keeps_the_record():
    with StubServer(answer=answer({"": "maybe"})) as stub:
        doc = run(stub)
    assert len(doc["events"]) == 2 and doc["errors"] == [] and doc["usage"]["calls"] == 3


def test_near_misses_are_named_in_the_question():
    record = Record("security_warning", {"issuer_org": "MI5"}, [Span("MI5 warnt vor Anschlägen.")])
    user = messages(record, SecurityWarning.confirm, ("a moral warning", "a threat made by an adversary itself"))[-1]["content"]
    assert user.endswith("Does the text say that MI5 warned of a security threat? Answer no if it is only a moral warning, "
                         "or a threat made by an adversary itself. Answer yes or no.")


def test_party_question_comes_first_and_a_denial_skips_the_event_question():
    from llmx.core.data import Usage
    from llmx.pipeline.article import confirm_records

    stiftung = Record("security_warning", {"issuer_org": "Amadeu Antonio Stiftung"}, [Span("Die Stiftung warnte vor Anschlägen.")])
    mi5 = Record("security_warning", {"issuer_org": "MI5"}, [Span("MI5 warnte vor Anschlägen.")])
    verdicts = {"Is Amadeu Antonio Stiftung a government": False, "Is MI5 a government": True, "say that MI5 warned": True}
    usage = Usage()
    with StubServer(answer=answer(verdicts)) as stub:
        settings = ProviderSettings(model="stub", base_url=stub.base_url, mode="json_object")
        with get_provider("compatible").connect(settings) as endpoint:
            kept, warnings = confirm_records(endpoint, [stiftung, mi5], ExtractOptions([SecurityWarning]), usage, "a")
    assert kept == [mi5] and usage.calls == 3  # one question for the foundation, both for MI5
    assert warnings == ['dropped a security_warning: the model denied it when asked "Is Amadeu Antonio Stiftung a government, '
                        'a minister, an intelligence service, a police force or a military?"']
