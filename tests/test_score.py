import copy
import json
from pathlib import Path

import pytest
from rich.console import Console

from llmx.core.data import Document
from llmx.evaluation.score import PRF, read_jsonl
from llmx.evaluation.score import score as score_documents
from llmx.evaluation.tables import render_table
from llmx.schemas.arms_deal import ArmsDeal
from llmx.schemas.identity import TypeSpec
from llmx.schemas.meeting import Meeting
from llmx.schemas.security_warning import SecurityWarning

BUILT_IN = {cls.event_type: cls.identity_spec() for cls in (Meeting, ArmsDeal, SecurityWarning)}


def score(gold, predicted, specs=None):
    """The scorer on predictions as saved JSON, with the built-in types' own identity rules."""
    return score_documents(gold, [Document.from_dict(d) for d in predicted], BUILT_IN if specs is None else specs)

DATA = Path(__file__).parent / "data" / "eval"
GOLD = read_jsonl(DATA / "mini_gold.jsonl")
SEED, KERRY, CARTER = "seed-putin-pezeshkian", "gnad-0579", "gnad-1008"


def perfect() -> list[dict]:
    """Predictions identical to gold, in llmx result shape."""
    return [
        {"id": a["id"], "events": copy.deepcopy(a["events"]),
         "usage": {"prompt_tokens": 100, "completion_tokens": 10, "calls": 2}, "seconds": 1.5, "errors": []}
        for a in GOLD
    ]


def doc(preds: list[dict], art_id: str) -> dict:
    return next(d for d in preds if d["id"] == art_id)


def events(preds: list[dict], art_id: str, etype: str) -> list[dict]:
    return [e for e in doc(preds, art_id)["events"] if e["type"] == etype]


def test_fixture_is_the_expected_subset():
    assert [a["id"] for a in GOLD] == [SEED, KERRY, CARTER]
    assert all("CC BY-NC-SA" in a["source"] or a["id"] == SEED for a in GOLD)
    assert sum(len(a["events"]) for a in GOLD) == 8


def test_perfect_predictions_score_one_everywhere():
    r = score(GOLD, perfect())
    assert set(r.types) == {"meeting", "arms_deal", "security_warning", "all"}
    assert r.types["meeting"] == PRF(3, 0, 0, 1.0, 1.0, 1.0)
    assert r.types["arms_deal"] == PRF(3, 0, 0, 1.0, 1.0, 1.0)
    assert r.types["security_warning"] == PRF(2, 0, 0, 1.0, 1.0, 1.0)
    assert r.types["all"] == PRF(8, 0, 0, 1.0, 1.0, 1.0)
    assert {f: s.value for fs in r.fields.values() for f, s in fs.items()} and all(
        s.value == 1.0 for fs in r.fields.values() for s in fs.values())
    assert r.fields["meeting"]["participants"].kind == "f1"
    assert r.fields["meeting"]["participants"].n == 3
    assert r.fields["arms_deal"]["value_usd"].kind == "accuracy"
    assert "evidence" not in r.fields["meeting"]
    assert r.grounding_rate == 1.0 and r.evidence_total == r.evidence_grounded == 16
    t = r.totals
    assert (t.articles, t.gold_events, t.predicted_events) == (3, 8, 8)
    assert (t.prompt_tokens, t.completion_tokens, t.calls, t.errors) == (300, 30, 6, 0)
    assert t.seconds == 4.5 and t.seconds_per_article == 1.5


def test_missing_event_lowers_recall():
    preds = perfect()
    d = doc(preds, KERRY)
    d["events"] = d["events"][:1]  # drop Kerry-Abdullah
    r = score(GOLD, preds)
    m = r.types["meeting"]
    assert (m.tp, m.fp, m.fn) == (2, 0, 1)
    assert m.precision == 1.0 and m.recall == pytest.approx(2 / 3) and m.f1 == pytest.approx(0.8)
    a = r.types["all"]
    assert (a.tp, a.fp, a.fn) == (7, 0, 1)
    assert a.recall == pytest.approx(7 / 8) and a.f1 == pytest.approx(14 / 15)
    art = next(x for x in r.articles if x.id == KERRY)
    assert (art.tp, art.fp, art.fn) == (1, 0, 1)


def test_missing_prediction_counts_all_missed():
    preds = [d for d in perfect() if d["id"] != SEED]
    r = score(GOLD, preds)
    assert (r.types["all"].tp, r.types["all"].fn) == (4, 4)
    assert r.types["arms_deal"].recall == pytest.approx(1 / 3)
    art = next(x for x in r.articles if x.id == SEED)
    assert not art.predicted and art.fn == 4
    assert r.totals.predicted_articles == 2


def test_extra_event_lowers_precision():
    preds = perfect()
    doc(preds, CARTER)["events"].append(
        {"type": "arms_deal", "supplier": "USA", "recipient": "POL", "weapons": ["tanks"], "evidence": []})
    r = score(GOLD, preds)
    ad = r.types["arms_deal"]
    assert (ad.tp, ad.fp, ad.fn) == (3, 1, 0)
    assert ad.precision == pytest.approx(0.75) and ad.recall == 1.0
    assert ad.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert r.types["all"].precision == pytest.approx(8 / 9)


def test_wrong_recipient_is_no_match():
    preds = perfect()
    events(preds, CARTER, "arms_deal")[0]["recipient"] = "UKR"
    r = score(GOLD, preds)
    ad = r.types["arms_deal"]
    assert (ad.tp, ad.fp, ad.fn) == (2, 1, 1)


def test_participants_match_by_surname_and_dicts():
    preds = perfect()
    m = events(preds, SEED, "meeting")[0]
    m["participants"] = ["Wladimir Putin", {"name": "Masoud Pezeshkian", "role": "President", "country": "IRN"}]
    r = score(GOLD, preds)
    assert r.types["meeting"].tp == 3
    assert r.fields["meeting"]["participants"].value == 1.0


def test_accents_and_case_fold():
    preds = perfect()
    m = events(preds, SEED, "meeting")[0]
    m["participants"] = ["VLADÍMIR PÚTIN", "Masoud  Pezeshkián"]
    m["location"] = "  ASHGABÁT "
    events(preds, KERRY, "meeting")[0]["location"] = "Amman"
    r = score(GOLD, preds)
    assert r.fields["meeting"]["participants"].value == 1.0
    assert r.fields["meeting"]["location"].value == pytest.approx(2 / 3)  # Amman vs null is wrong


@pytest.mark.parametrize("participants, matched", [
    (["Putin"], True),                        # 1 of 2 gold = ceil(2/2): enough
    (["Vladimir Putin", "Asif Ali Zardari"], True),
    (["Asif Ali Zardari"], False),
    (["Vladimir Putinov", "Mr Pezeshkian-X"], False),  # surnames must agree exactly
    ([], False),
])
def test_meeting_half_rule(participants, matched):
    preds = perfect()
    events(preds, SEED, "meeting")[0]["participants"] = participants
    assert score(GOLD, preds).types["meeting"].tp == (3 if matched else 2)


def test_half_rule_rounds_up_for_odd_lists():
    gold = [{"id": "x", "text": "", "events": [{"type": "meeting", "participants": ["A One", "B Two", "C Three"]}]}]
    one = [{"id": "x", "events": [{"type": "meeting", "participants": ["One"]}]}]
    two = [{"id": "x", "events": [{"type": "meeting", "participants": ["One", "Three"]}]}]
    assert score(gold, one).types["meeting"].tp == 0
    assert score(gold, two).types["meeting"].tp == 1
    assert score(gold, two).fields["meeting"]["participants"].value == pytest.approx(0.8)


def test_empty_gold_list_matches_only_empty_prediction():
    gold = [{"id": "x", "text": "", "events": [{"type": "meeting", "participants": []}]}]
    empty = [{"id": "x", "events": [{"type": "meeting", "participants": []}]}]
    some = [{"id": "x", "events": [{"type": "meeting", "participants": ["A B"]}]}]
    assert score(gold, empty).types["meeting"].tp == 1
    assert score(gold, some).types["meeting"].tp == 0


def test_security_warning_matches_on_issuer_org_alone():
    preds = perfect()
    w = events(preds, SEED, "security_warning")[0]
    w["issuer"], w["issuer_org"] = "Someone Else", "mi5"
    r = score(GOLD, preds)
    assert r.types["security_warning"].tp == 2
    assert r.fields["security_warning"]["issuer"].value == pytest.approx(0.5)
    assert r.fields["security_warning"]["issuer_org"].value == 1.0


def test_security_warning_matches_on_issuer_surname_alone():
    preds = perfect()
    w = events(preds, CARTER, "security_warning")[0]
    w["issuer"], w["issuer_org"] = "Ash Carter", "Pentagon"
    r = score(GOLD, preds)
    assert r.types["security_warning"].tp == 2
    assert r.fields["security_warning"]["issuer"].value == 1.0
    assert r.fields["security_warning"]["issuer_org"].value == pytest.approx(0.5)


def test_none_identity_values_never_match():
    gold = [{"id": "x", "text": "", "events": [{"type": "security_warning", "issuer": None, "issuer_org": None}]}]
    pred = [{"id": "x", "events": [{"type": "security_warning", "issuer": None, "issuer_org": None}]}]
    s = score(gold, pred).types["security_warning"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_one_to_one_duplicates_do_not_both_match():
    preds = perfect()
    d = doc(preds, SEED)
    d["events"].append(copy.deepcopy(events(preds, SEED, "security_warning")[0]))
    s = score(GOLD, preds).types["security_warning"]
    assert (s.tp, s.fp, s.fn) == (2, 1, 0)


def test_two_similar_arms_deals_pair_by_agreement():
    preds = perfect()
    d = doc(preds, SEED)
    d["events"].reverse()  # order must not matter: pairs follow agreeing fields
    r = score(GOLD, preds)
    assert r.types["arms_deal"].tp == 3
    assert r.fields["arms_deal"]["status"].value == 1.0
    assert r.fields["arms_deal"]["weapons"].value == 1.0


def test_matching_maximises_number_of_pairs():
    # Greedy alone pairs A with X (tie on agreement, A first) and leaves B unmatched;
    # augmenting re-pairs A with Y so both gold events are found.
    gold = [{"id": "x", "text": "", "events": [
        {"type": "meeting", "participants": ["John Kerry", "Mahmoud Abbas"]},
        {"type": "meeting", "participants": ["John Kerry", "Abdullah II"]}]}]
    pred = [{"id": "x", "events": [
        {"type": "meeting", "participants": ["John Kerry", "Mahmoud Abbas", "Abdullah II"]},
        {"type": "meeting", "participants": ["Mahmoud Abbas"]}]}]
    r = score(gold, pred)
    assert (r.types["meeting"].tp, r.types["meeting"].fp, r.types["meeting"].fn) == (2, 0, 0)
    # pairs: B-X (F1 2*2/5) and A-Y (F1 2*1/3)
    assert r.fields["meeting"]["participants"].value == pytest.approx((0.8 + 2 / 3) / 2)


def test_field_accuracy_and_list_f1_exact():
    preds = perfect()
    drones, missiles = events(preds, SEED, "arms_deal")
    drones["weapons"] = ["Drones", "missiles"]    # F1 = 2*1/(1+2) = 2/3
    drones["value_usd"] = 1.7e9                   # float equals int
    missiles["status"] = "signed"                 # wrong: alleged
    events(preds, SEED, "meeting")[0]["location"] = "Aschgabat"  # wrong: Ashgabat
    w = events(preds, SEED, "security_warning")[0]
    w["threat_actors"] = ["IRN"]                  # gold [RUS, IRN]: F1 = 2/3
    w["target"] = None                            # gold GBR: wrong
    r = score(GOLD, preds)
    assert r.types["all"].tp == 8
    ad, mt, sw = r.fields["arms_deal"], r.fields["meeting"], r.fields["security_warning"]
    assert ad["weapons"].value == pytest.approx((2 / 3 + 1 + 1) / 3) and ad["weapons"].n == 3
    assert ad["value_usd"].value == 1.0
    assert ad["status"].value == pytest.approx(2 / 3)
    assert ad["supplier"].value == 1.0
    assert mt["location"].value == pytest.approx(2 / 3) and mt["location"].n == 3
    assert mt["date"].value == 1.0  # None == None
    assert sw["threat_actors"].value == pytest.approx((2 / 3 + 1) / 2)
    assert sw["target"].value == pytest.approx(0.5)


def test_list_field_missing_or_null_in_prediction():
    gold = [{"id": "x", "text": "", "events": [
        {"type": "security_warning", "issuer_org": "MI5", "threat_actors": []},
        {"type": "security_warning", "issuer_org": "BND", "threat_actors": ["RUS"]}]}]
    pred = [{"id": "x", "events": [
        {"type": "security_warning", "issuer_org": "MI5", "threat_actors": None},
        {"type": "security_warning", "issuer_org": "BND"}]}]
    f = score(gold, pred).fields["security_warning"]["threat_actors"]
    assert (f.kind, f.value, f.n) == ("f1", 0.5, 2)  # [] vs None -> 1.0; [RUS] vs missing -> 0.0


def test_grounding_with_fabricated_quote_and_whitespace():
    preds = perfect()
    m = events(preds, SEED, "meeting")[0]
    m["evidence"] = [
        "Putin said the sanctions would fail.",             # fabricated
        "im Nahen Osten zunimmt. Putin und Pezeshkian",     # spans a paragraph break: ok
        "im   Nahen\n Osten zunimmt.",                      # extra whitespace: ok
        "putin und pezeshkian diskutierten",                 # case differs: not verbatim
    ]
    r = score(GOLD, preds)
    assert r.evidence_total == 16 - 2 + 4
    assert r.evidence_grounded == 16 - 2 + 2
    assert r.grounding_rate == pytest.approx(16 / 18)
    assert r.types["all"].f1 == 1.0  # grounding does not affect matching


def test_evidence_as_dicts():
    preds = perfect()
    text = GOLD[0]["text"]
    for e in doc(preds, SEED)["events"]:
        e["evidence"] = [{"text": q, "start": text.find(q), "end": text.find(q) + len(q), "match": "exact"}
                         for q in e["evidence"]]
    doc(preds, SEED)["events"][0]["evidence"].append({"text": "erfunden und nicht im Text", "start": 0,
                                                      "end": 0, "match": "none"})
    r = score(GOLD, preds)
    assert (r.evidence_grounded, r.evidence_total) == (16, 17)
    assert r.types["all"].f1 == 1.0


def test_unknown_type_uses_string_fields():
    gold = [{"id": "x", "text": "", "events": [
        {"type": "protest", "city": "Berlin", "organiser": "Attac", "size": 5000, "evidence": ["q"]}]}]
    ok = [{"id": "x", "events": [{"type": "protest", "city": "berlin", "organiser": "ATTAC", "size": 10}]}]
    bad = [{"id": "x", "events": [{"type": "protest", "city": "Berlin", "organiser": "Verdi", "size": 5000}]}]
    r = score(gold, ok)
    assert r.types["protest"].tp == 1
    assert r.fields["protest"]["size"].value == 0.0
    assert score(gold, bad).types["protest"].tp == 0


def test_custom_specs_replace_defaults():
    preds = perfect()
    events(preds, CARTER, "arms_deal")[0]["recipient"] = "UKR"
    specs = {**BUILT_IN, "arms_deal": TypeSpec("arms_deal", ("supplier",), "all")}
    assert score(GOLD, preds, specs).types["arms_deal"].tp == 3


def test_empty_run_conventions():
    r = score([{"id": "x", "text": "t", "events": []}], [{"id": "x", "events": []}])
    assert r.types == {"all": PRF(0, 0, 0, 1.0, 1.0, 1.0)}
    assert r.grounding_rate is None and r.totals.seconds_per_article is None
    fp_only = score([{"id": "x", "text": "t", "events": []}],
                    [{"id": "x", "events": [{"type": "meeting", "participants": ["A B"]}]}])
    assert fp_only.types["meeting"] == PRF(0, 1, 0, 0.0, 0.0, 0.0)


def test_errors_usage_and_unknown_ids():
    preds = perfect()
    doc(preds, KERRY)["errors"] = ["validation failed", "timeout"]
    del doc(preds, CARTER)["usage"], doc(preds, CARTER)["seconds"]
    preds.append({"id": "not-in-gold", "events": [{"type": "meeting", "participants": ["A B"]}]})
    r = score(GOLD, preds)
    assert {a.id: a.errors for a in r.articles} == {SEED: 0, KERRY: 2, CARTER: 0}
    assert r.totals.errors == 2
    assert (r.totals.prompt_tokens, r.totals.calls) == (200, 4)
    assert r.totals.seconds == 3.0 and r.totals.seconds_per_article == 1.5
    assert r.unknown_ids == ["not-in-gold"]
    assert r.types["all"].fp == 0


def test_duplicate_prediction_ids_rejected():
    preds = perfect() + [perfect()[0]]
    with pytest.raises(ValueError, match="duplicate"):
        score(GOLD, preds)


def test_read_jsonl_reports_bad_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "a"}\n\n{"id": "b",\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:3: invalid JSON"):
        read_jsonl(p)
    p.write_text('{"id": "a"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: expected a JSON object"):
        read_jsonl(p)


def test_to_dict_is_json_and_table_renders():
    preds = perfect()
    doc(preds, KERRY)["events"].pop()
    r = score(GOLD, preds)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["types"]["meeting"]["fn"] == 1
    assert d["fields"]["meeting"]["participants"] == {"kind": "f1", "value": 1.0, "n": 2}
    console = Console(record=True, width=200)
    for table in render_table(r):
        console.print(table)
    out = console.export_text()
    for needle in ("meeting", "arms_deal", "security_warning", "all", "0.667", "participants",
                   "grounding 100.0%", "14/14", "tokens 300+30", "1.5s/article"):
        assert needle in out, needle


def test_the_probe_texts_are_gold_whose_evidence_is_in_their_text():
    """bench/probes.jsonl is read by `llmx eval`: each evidence string must be found in its text, and each
    event must name the fields the scorer matches on."""
    rows = read_jsonl(Path(__file__).parent.parent / "bench" / "probes.jsonl")
    assert len(rows) == 18 and all(row["source"] for row in rows)
    keys = {"arms_deal": ("supplier", "recipient"), "security_warning": ("issuer", "issuer_org")}
    for row in rows:
        for event in row["events"]:
            assert all(quote in row["text"] for quote in event["evidence"]), row["id"]
            assert all(event.get(key) for key in keys[event["type"]]), row["id"]
