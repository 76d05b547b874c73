"""German offices in a person's role come out in English, and nothing is half-translated."""

from __future__ import annotations

import pytest

from llmx.normalize.offices import english_office
from llmx.schemas.meeting import Meeting


@pytest.mark.parametrize("role, english", [
    ("Bundespräsident", "Federal President"),
    ("US-Außenminister", "US Foreign Minister"),
    ("CHP Abgeordneter", "CHP Member of Parliament"),
    ("EU-Außenbeauftragten", "EU Foreign Policy Chief"),
    ("Ex-ÖVP-Landesrätin", "Former ÖVP State Councillor"),
    ("Verteidigungsministerin", "Defence Minister"),
    ("Innenminister of France", "Interior Minister of France"),
    ("UN-Generalsekretär", "UN Secretary-General"),
    ("Papst", "Pope"),
])
def test_german_offices_become_english(role, english):
    assert english_office(role) == english


@pytest.mark.parametrize("role", [
    "Chef der Inselregierung",               # a German phrase: not half-translated
    "Wirtschaftskammerpräsident of Vienna",  # an office compound llmx does not know
    "Prime Minister of Japan",               # already English
    "Chinese counterpart minister",          # English, in its own case
    "Foreign Ministers",
    "Secretary-General",
    None,
])
def test_other_roles_are_left_as_written(role):
    assert english_office(role) == role


def test_a_participants_role_is_put_in_english_when_validated():
    meeting = Meeting(evidence=["Kerry traf Abbas in Amman."],
                      participants=[{"name": "John Kerry", "role": "US-Außenminister", "country": "USA"},
                                    {"name": "Mahmoud Abbas", "role": "Präsident", "country": "PSE"}])
    assert [p.role for p in meeting.participants] == ["US Foreign Minister", "President"]
