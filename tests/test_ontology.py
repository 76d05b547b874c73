"""Ontology codes: the built-ins' declarations, per-record resolution, and the check schema authors get."""

from __future__ import annotations

from pydantic import Field

from llmx.authoring.check import check_type
from llmx.schemas.ontology import code_problems, resolve
from llmx.schemas.arms_deal import ArmsDeal
from llmx.schemas.base import Actor, Event
from llmx.schemas.meeting import Meeting
from llmx.schemas.sanction import Sanction
from llmx.schemas.security_warning import SecurityWarning


def test_builtin_codes_are_valid_and_warnings_have_none():
    for cls in (Meeting, ArmsDeal, Sanction, SecurityWarning):
        assert code_problems(cls) == [], cls
    assert SecurityWarning.codes is None


def test_codes_follow_the_record():
    assert resolve(Meeting.codes, {}) == {"plover": "CONSULT", "cameo": "040"}
    assert resolve(ArmsDeal.codes, {"status": "delivered"})["plover"] == "COOPERATE"
    assert resolve(ArmsDeal.codes, {"status": "signed"}) == {"plover": "AGREE", "plover_context": "military", "cameo": "0312"}
    assert resolve(ArmsDeal.codes, {"status": "cancelled"}) == {}
    assert resolve(Sanction.codes, {"action": "impose", "status": "decided"})["cameo"] == "163"
    assert resolve(Sanction.codes, {"action": "lift", "status": "decided"}) == {"plover": "RETREAT", "cameo": "085"}
    assert resolve(Sanction.codes, {"action": "impose", "status": "planned"})["plover"] == "THREATEN"
    assert resolve(Sanction.codes, {"action": "impose", "status": "proposed"}) == {}
    assert resolve(None, {"x": 1}) == {}


class Protest(Event):
    """Protest. Codes from the PLOVER manual 2.0 (PROTEST)."""

    event_type = "protest_demo"
    description = "People demonstrate."
    identity_fields = ("organizer",)
    guidance = "Counts: demonstrations. Does not count: calls to demonstrate."
    codes = {"plover": "PROTEST", "plover_mode": "march", "cameo": "1411x", "plover_context": "sports",
             "when": [({"nonexistent": "x"}, {"plover": "RIOT"})]}
    organizer: Actor = Field(description="Who organises it.")


def test_schemas_check_reports_bad_codes():
    problems = [str(p) for p in check_type(Protest)]
    text = "\n".join(problems)
    assert "'march' is not a mode of PLOVER PROTEST" in text
    assert "CAMEO code '1411x'" in text and "'sports' is not a PLOVER context" in text
    assert "unknown field 'nonexistent'" in text and "'RIOT' is not a PLOVER event category" in text
    Protest.codes = {"plover": "PROTEST", "plover_mode": "demo", "cameo": "141"}
    try:
        assert check_type(Protest) == []
        Protest.__doc__ = "Protest."
        assert any("cite the codebook" in str(p) for p in check_type(Protest))
    finally:
        Protest.__doc__ = "Protest. Codes from the PLOVER manual 2.0 (PROTEST)."
