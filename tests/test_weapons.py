"""German weapon terms in English; anything unknown stays as written."""

import pytest

from llmx.schemas.arms_deal import ArmsDeal
from llmx.normalize.weapons import english_weapon


@pytest.mark.parametrize(("german", "english"), [
    ("Drohnen", "drones"),
    ("drohnen", "drones"),
    ("Rakete", "missiles"),
    ("ballistische Kurzstreckenraketen", "short-range ballistic missiles"),
    ("Panzerabwehrminen", "anti-tank mines"),
    ("Maschinenpistolen", "submachine guns"),
    ("Granatwerfer", "grenade launchers"),
    ("Munition", "ammunition"),
    ("schwere Waffen", "heavy weapons"),
    ("Luftabwehrsysteme", "air defence systems"),
    ("Kamikaze-Drohnen", "kamikaze drones"),
    ("Iskander-Raketen", "Iskander missiles"),
    ("Leopard-2-Panzer", "Leopard-2 tanks"),
])
def test_german_terms_become_english(german, english):
    assert english_weapon(german) == english


@pytest.mark.parametrize("term", ["drones", "short-range ballistic missiles", "F-16", "Feuerleit- und Beobachtungssysteme", "Bayraktar TB2"])
def test_english_and_unknown_terms_stay(term):
    assert english_weapon(term) == term


def test_arms_deal_weapons_are_english():
    deal = ArmsDeal(evidence=["Iran liefert Drohnen an Russland."], supplier="IRN", recipient="RUS", weapons=["Drohnen"])
    assert deal.weapons == ["drones"]
