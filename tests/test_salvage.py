"""Keeping the valid events of an answer that failed validation or was cut off."""

from __future__ import annotations

import json

from llmx.pipeline.cite import citing_model
from llmx.pipeline.answer import MAX_EVENTS_PER_TYPE, response_model, salvage
from llmx.schemas.arms_deal import ArmsDeal
from llmx.schemas.meeting import Meeting

ASKED = (citing_model(Meeting), citing_model(ArmsDeal))
CONTEXT = {
    "sentences": ["Kerry traf Lawrow in Wien.", "Moskau und Syrien verhandeln.", "Iran liefert Drohnen an Russland."],
    "published": None,
    "source": None,
}
GOOD = {"evidence": [1], "participants": [{"name": "John Kerry"}, {"name": "Sergey Lavrov"}], "location": "Vienna"}
CITY = {"evidence": [2], "participants": [{"name": "Moskau"}, {"name": "Syrien"}]}


def test_cut_off_answer_keeps_complete_events():
    answer = json.dumps({"meeting": [GOOD, CITY]})[:-2] + ', {"evidence": [3], "participants": [{"name": "Ker'
    kept, problems = salvage(answer, ASKED, CONTEXT)
    assert [e.participants[1].name for e in kept] == ["Sergey Lavrov"]
    assert len(problems) == 2 and problems[0].startswith("meeting: Value error, not persons: Moskau, Syrien")


def test_invalid_event_does_not_sink_the_others():
    answer = json.dumps({"meeting": [CITY], "arms_deal": [{"evidence": [3], "supplier": "Iran", "recipient": "Russland", "status": "signed"}]})
    kept, problems = salvage(answer, ASKED, CONTEXT)
    assert [(type(e).event_type, e.supplier, e.recipient) for e in kept] == [("arms_deal", "IRN", "RUS")]
    assert len(problems) == 1


def test_not_json():
    assert salvage("I cannot help with that.", ASKED, CONTEXT) == ([], ["answer is not JSON"])


def test_lists_are_capped_in_the_schema():
    schema = response_model(ASKED).model_json_schema()
    assert schema["properties"]["meeting"]["maxItems"] == MAX_EVENTS_PER_TYPE
