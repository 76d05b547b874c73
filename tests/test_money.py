"""Amounts found in the evidence, and the model's amount checked against them."""

from llmx.normalize.money import Money, amounts_in, stated_amount
from llmx.schemas.arms_deal import ArmsDeal

SEED_LEAD = ("Moskau und Teheran unterzeichneten einen 1,7-Milliarden-Dollar-Vertrag über den Export von Drohnen "
             "durch den Iran nach Russland, nachdem Putin im Jahr 2022 Truppen in die Ukraine geschickt hatte.")


def test_amounts_in_text_with_their_words():
    text = "Deals: $1.7bn, 2 billion US dollars, zwei Milliarden Euro, USD 5 million; im Jahr 2022 kamen 5 Panzer."
    assert amounts_in(text) == [
        ("USD 5 million", Money(5e6, "USD")),
        ("$1.7bn", Money(1.7e9, "USD")),
        ("2 billion US dollars", Money(2e9, "USD")),
        ("zwei Milliarden Euro", Money(2e9, "EUR")),
    ]
    assert amounts_in(SEED_LEAD) == [("1,7-Milliarden-Dollar", Money(1.7e9, "USD"))]


def test_amount_is_taken_as_the_evidence_states_it():
    assert stated_amount("1,7-Milliarden-Dollar", SEED_LEAD) == "1,7-Milliarden-Dollar"
    assert stated_amount("$1.7 billion", SEED_LEAD) == "1,7-Milliarden-Dollar"  # same money, the text's words
    assert stated_amount("1,7-Milliarden Euro", SEED_LEAD) == "1,7-Milliarden-Dollar"  # the text says dollars
    assert stated_amount("5 Milliarden Dollar", SEED_LEAD) is None  # the evidence states no such value
    assert stated_amount("undisclosed", SEED_LEAD) is None  # no sum of money
    assert stated_amount("22", "Für Saudi Arabien wurden insgesamt 22 Ausfuhrbewilligungen erteilt.") is None  # a count
    assert stated_amount(None, SEED_LEAD) is None


def test_arms_deal_records_use_the_stated_amount():
    deal = ArmsDeal(evidence=[SEED_LEAD], supplier="IRN", recipient="RUS", amount="1,7-Milliarden Euro")
    assert (deal.amount, deal.value_usd, deal.currency) == ("1,7-Milliarden-Dollar", 1.7e9, None)
