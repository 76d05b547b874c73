"""German transliterations of names from Cyrillic become their English form."""

import pytest

from llmx.normalize.persons import english_name
from llmx.schemas.base import Person


@pytest.mark.parametrize(("german", "english"), [
    ("Wladimir Putin", "Vladimir Putin"),
    ("Sergej Lawrow", "Sergey Lavrov"),
    ("Michail Chodorkowski", "Mikhail Khodorkovsky"),
    ("Michail Gorbatschow", "Mikhail Gorbachov"),
    ("Boris Jelzin", "Boris Yeltsin"),
    ("Arsenij Jazenjuk", "Arseniy Yatsenyuk"),
    ("Swetlana Tichanowskaja", "Svetlana Tikhanovskaya"),
    ("Alexander Lukaschenko", "Alexander Lukashenko"),
    ("Kassym-Schomart Tokajew", "Kassym-Shomart Tokayev"),
])
def test_german_spelling_becomes_english(german, english):
    assert english_name(german, "RUS") == english


@pytest.mark.parametrize("name", ["Vladimir Putin", "Maria Zakharova", "Mikhail Gorbachev", "Yevgeny Prigozhin", "Dmitry Peskov"])
def test_english_spelling_is_left_alone(name):
    assert english_name(name, "RUS") == name


def test_only_for_states_that_write_in_cyrillic():
    assert english_name("Wolfgang Schäuble", "DEU") == "Wolfgang Schäuble"
    assert english_name("Wladimir Putin", None) == "Wladimir Putin"


def test_person_records_use_it():
    assert Person(name="Sergej Lawrow", country="Russland").name == "Sergey Lavrov"


def test_only_in_german_articles():
    english = "The Law Lords ruled against the Home Secretary, and the decision was welcomed by Sergei Lavrov."
    german = "Der russische Außenminister Sergej Lawrow traf sich am Montag mit dem Kollegen in Wien."
    assert english_name("Law Lords", "UKR", english) == "Law Lords"
    assert english_name("Sergej Lawrow", "RUS", german) == "Sergey Lavrov"
    context = {"sentences": [english]}
    assert Person.model_validate({"name": "Law Lords", "country": "UKR"}, context=context).name == "Law Lords"
    assert Person.model_validate({"name": "Sergej Lawrow", "country": "RUS"}, context={"sentences": [german]}).name == "Sergey Lavrov"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sergej Lawrow", "Sergey Lavrov"),  # a warning's issuer: no state given, the ending tells
        ("Maria Sacharowa", "Maria Sakharova"),
        ("Joachim Gauck", "Joachim Gauck"),  # German spelling of a German name stays
        ("Ken McCallum", "Ken McCallum"),
    ],
)
def test_bare_names_with_a_russian_ending_get_english_spelling(name, expected):
    from llmx.normalize.persons import english_name_of_unknown_state

    assert english_name_of_unknown_state(name, "Der Text ist deutsch und nennt die Person nicht mit dem Namen.") == expected


def test_person_records_keep_the_name_alone():
    """A party in parentheses or an office before the name would be the surname that merging and scoring compare."""
    assert Person(name="Innenministerin Johanna Mikl-Leitner (ÖVP)").name == "Johanna Mikl-Leitner"


def test_a_warning_issuer_keeps_the_name_alone():
    from llmx.schemas.security_warning import SecurityWarning

    warning = SecurityWarning(evidence=["Mr. Clarke told MPs of a public emergency threatening the nation."], issuer="Mr. Clarke")
    assert warning.issuer == "Clarke"
