"""German transliterations of names from Cyrillic become their English form."""

import pytest

from llmx.names import english_name
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
