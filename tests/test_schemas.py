"""Event models: validators reject what is clearly wrong and normalise what is safely fixable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmx.pipeline.answer import response_model
from llmx.pipeline.ground import ground, quoting_model
from llmx.pipeline.merge import merge_events
from llmx.schemas.arms_deal import ArmsDeal
from llmx.schemas.meeting import Meeting
from llmx.schemas.security_warning import SecurityWarning
from tests.conftest import DATA

SEED = (DATA / "articles" / "seed-putin-pezeshkian.txt").read_text(encoding="utf-8")
DEAL_1 = "Moskau und Teheran unterzeichneten einen 1,7-Milliarden-Dollar-Vertrag über den Export von Drohnen durch den Iran nach Russland"
DEAL_2 = "und die USA glauben auch, dass sie auch ballistische Kurzstreckenraketen transferiert haben."
MEET = "Russlands Wladimir Putin traf sich mit Irans neu gewählt Präsident Masoud Pezeshkian persönlich"


def meeting(**kw):
    base = {"evidence": [MEET], "participants": [{"name": "Vladimir Putin", "country": "Russland"}, {"name": "Masoud Pezeshkian", "country": "IRN"}]}
    return Meeting.model_validate({**base, **kw})


def test_country_names_become_alpha3():
    m = meeting(country="Turkmenistan")
    assert m.country == "TKM"
    assert [p.country for p in m.participants] == ["RUS", "IRN"]


@pytest.mark.parametrize("bad", ["Atlantis", "XX1", "MI5"])
def test_non_state_country_rejected(bad):
    with pytest.raises(ValidationError, match="is not a state"):
        meeting(country=bad)


def test_city_is_not_a_participant():
    with pytest.raises(ValidationError, match="not persons: Moskau"):
        meeting(participants=[{"name": "Vladimir Putin"}, {"name": "Moskau"}])


def test_non_persons_are_dropped_when_two_people_remain():
    met = meeting(participants=[{"name": "Vladimir Putin"}, {"name": "Polen"}, {"name": "Masoud Pezeshkian"}])
    assert [p.name for p in met.participants] == ["Vladimir Putin", "Masoud Pezeshkian"]


@pytest.mark.parametrize(("given", "stored"), [("2024-10-11", "2024-10-11"), ("11. Oktober 2024", "2024-10-11"), ("am Sonntag", None), ("null", None)])
def test_dates_normalised(given, stored):
    assert meeting(date=given).date == stored


@pytest.mark.parametrize("bad", ["2024-13-01", "11/45/2024"])
def test_malformed_date_rejected(bad):
    with pytest.raises(ValidationError, match="is not an ISO 8601 date"):
        meeting(date=bad)


def test_empty_evidence_rejected():
    with pytest.raises(ValidationError, match="at least 1 item"):
        meeting(evidence=[])


def test_amount_parsed_into_value_fields():
    deal = ArmsDeal(evidence=[DEAL_1], supplier="Iran", recipient="Russia", amount="1,7-Milliarden-Dollar", status="signed")
    dumped = deal.model_dump()
    assert (dumped["supplier"], dumped["recipient"], dumped["value_usd"], dumped["value"], dumped["currency"]) == ("IRN", "RUS", 1.7e9, None, None)
    euro_evidence = "Airbus liefert Ägypten Hubschrauber für zwei Milliarden Euro."
    euro = ArmsDeal(evidence=[euro_evidence], supplier="Airbus", recipient="Ägypten", amount="zwei Milliarden Euro").model_dump()
    assert (euro["supplier"], euro["recipient"], euro["value_usd"], euro["value"], euro["currency"]) == ("Airbus", "EGY", None, 2e9, "EUR")


@pytest.mark.parametrize(("supplier", "code"), [("Teheran", "IRN"), ("Moskau", "RUS"), ("Washington", "USA"), ("Aleppo", "Aleppo")])
def test_capital_as_party_stands_for_its_state(supplier, code):
    """News names a government by its seat; other cities stay as written (and the checks judge them)."""
    deal = ArmsDeal(evidence=[DEAL_1], supplier=supplier, recipient="Russland")
    assert (deal.supplier, deal.recipient) == (code, "RUS")


def test_capital_as_meeting_place_stays_a_city():
    met = meeting(location="Moskau")
    assert (met.location, met.country) == ("Moscow", "RUS")


def test_status_must_be_known():
    with pytest.raises(ValidationError):
        ArmsDeal(evidence=[DEAL_1], supplier="IRN", recipient="RUS", status="rumoured")


def test_warning_threat_actors_normalised():
    w = SecurityWarning(evidence=["McCallum sagte, seine Agenten"], issuer="Ken McCallum", issuer_org="MI5", threat_actors=["Iran", "Hezbollah"], target="Vereinigtes Königreich")
    assert (w.threat_actors, w.target) == (["IRN", "Hezbollah"], "GBR")


def test_ungrounded_quote_is_reasked_until_last_attempt():
    data = {"evidence": ["Putin met Pezeshkian in Ashgabat on Friday."], "participants": [{"name": "Vladimir Putin"}, {"name": "Masoud Pezeshkian"}]}
    with pytest.raises(ValidationError, match="evidence not found in the article"):
        quoting_model(Meeting).model_validate(data, context={"source": SEED, "attempt": 1, "reasks": 2})
    last = quoting_model(Meeting).model_validate(data, context={"source": SEED, "attempt": 3, "reasks": 2})
    record = ground(last, SEED).to_dict()
    assert record["grounded"] is False and record["evidence"][0]["match"] is None


def test_grounded_record_has_offsets():
    record = ground(meeting(), SEED).to_dict()
    span = record["evidence"][0]
    assert record["grounded"] and span["match"] == "exact"
    assert SEED[span["start"]:span["end"]] == MEET
    assert record["type"] == "meeting" and list(record)[0] == "type"


def test_combined_response_model_has_one_list_per_type():
    model = response_model((Meeting, ArmsDeal))
    assert list(model.model_json_schema()["properties"]) == ["meeting", "arms_deal"]
    assert model.model_validate({}).model_dump() == {"meeting": [], "arms_deal": []}


def test_repeated_deal_merges_but_different_status_stays_apart():
    signed_a = ArmsDeal(evidence=[DEAL_1], supplier="IRN", recipient="RUS", weapons=["drones"], status="signed")
    signed_b = ArmsDeal(evidence=["Moskau und Teheran unterzeichneten einen 1,7-Milliarden-Dollar-Vertrag"], supplier="Iran", recipient="Russia", weapons=["Drones", "ballistic missiles"], amount="1,7-Milliarden-Dollar", status="signed")
    alleged = ArmsDeal(evidence=[DEAL_2], supplier="IRN", recipient="RUS", weapons=["short-range ballistic missiles"], status="alleged", attributed_to="USA")
    merged = merge_events([signed_a, alleged, signed_b])
    assert [d.status for d in merged] == ["signed", "alleged"]
    assert merged[0].evidence == [DEAL_1, "Moskau und Teheran unterzeichneten einen 1,7-Milliarden-Dollar-Vertrag"]
    assert merged[0].weapons == ["drones", "ballistic missiles"]
    assert merged[0].model_dump()["value_usd"] == 1.7e9


def test_meetings_merge_by_participant_surnames():
    a = meeting()
    b = meeting(participants=[{"name": "Wladimir Putin"}, {"name": "Masud Peseschkian"}], location="Ashgabat")
    c = meeting(participants=[{"name": "Vladimir Putin"}, {"name": "Asif Ali Zardari"}])
    merged = merge_events([a, b, c])
    assert len(merged) == 3  # "Peseschkian" is another surname to the folding rule; Zardari is another meeting
    d = meeting(participants=[{"name": "Putin"}, {"name": "Pezeshkian"}], location="Ashgabat")
    merged = merge_events([a, d])
    assert len(merged) == 1 and merged[0].location == "Ashgabat"


@pytest.mark.parametrize(
    ("location", "country", "expected"),
    [("Aschgabat", "TUR", ("Ashgabat", "TKM")), ("Wien", None, ("Vienna", "AUT")), ("Jordanien", None, (None, "JOR")), ("Atlantis Hall", "GBR", ("Atlantis Hall", "GBR")),
     ("Wien/Berlin", "DEU", (None, "DEU")),  # a dateline's cities: the meeting's place is not told
     ("Kyiv/Kiev", None, ("Kyiv", "UKR")), ("Berlin/Schloss Bellevue", "DEU", ("Berlin/Schloss Bellevue", "DEU"))],
)
def test_meeting_place_normalised(location, country, expected):
    m = meeting(location=location, country=country)
    assert (m.location, m.country) == expected


def test_organisation_given_as_issuer_moves_to_issuer_org():
    w = SecurityWarning(evidence=["McCallum sagte, seine Agenten"], issuer="MI5", threat_actors=["Iran"])
    assert (w.issuer, w.issuer_org) == (None, "MI5")
    kept = SecurityWarning(evidence=["McCallum sagte, seine Agenten"], issuer="Ken McCallum", issuer_org="MI5")
    assert (kept.issuer, kept.issuer_org) == ("Ken McCallum", "MI5")


def test_people_must_be_named_in_the_article():
    example_leak = {"evidence": [MEET], "participants": [{"name": "Vladimir Putin"}, {"name": "Alexander Stubb"}]}
    with pytest.raises(ValidationError, match="not named in the article: Alexander Stubb"):
        Meeting.model_validate(example_leak, context={"source": SEED})
    spelled = {"evidence": [MEET], "participants": [{"name": "Vladimir Putin"}, {"name": "Masoud Pezeshkian"}]}
    assert Meeting.model_validate(spelled, context={"source": SEED})  # "Wladimir Putin" in the text
    cyrillic = "Владимир Путин встретился с Масудом Пезешкианом в Ашхабаде."
    assert Meeting.model_validate({**example_leak, "evidence": [cyrillic]}, context={"source": cyrillic})  # other scripts: not checked


def test_selected_types_keep_the_registry_order_whatever_the_order_asked():
    """The prompt lists types in this order: the same types asked in another order send the same prompt."""
    from llmx.pipeline.prompt import system_prompt
    from llmx.registry import load_registry

    registry = load_registry()
    one = registry.select(["security_warning", "meeting", "arms_deal"])
    other = registry.select(["arms_deal", "security_warning", "meeting", "meeting"])
    assert one == other == [t for t in registry.types.values() if t.event_type in {"meeting", "arms_deal", "security_warning"}]
    assert system_prompt(one, cite=True) == system_prompt(other, cite=True)


def test_one_person_named_twice_is_kept_once_and_alone_is_no_meeting():
    evidence = ["Pilz traf Merkel am Montag in Wien."]
    meeting = Meeting.model_validate({"evidence": evidence, "participants": [{"name": "Peter Pilz"}, {"name": "Pilz"}, {"name": "Angela Merkel"}]})
    assert [p.name for p in meeting.participants] == ["Peter Pilz", "Angela Merkel"]
    with pytest.raises(ValidationError, match="one person named twice"):
        Meeting.model_validate({"evidence": evidence, "participants": [{"name": "Peter Pilz"}, {"name": "Pilz"}]})
