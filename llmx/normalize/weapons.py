"""Weapon names in English: the common German terms of arms-trade reporting.

The model is told to answer in English, yet a 1.5B model copies "Drohnen" or
"ballistische Kurzstreckenraketen" from a German article. This glossary turns
such terms into English ("drones", "short-range ballistic missiles"); a term
with any word it does not know is left as written rather than half-translated.
"""

from __future__ import annotations

NOUNS = {  # plural German noun (singular is derived) -> English
    "drohnen": "drones", "raketen": "missiles", "flugkörper": "missiles", "marschflugkörper": "cruise missiles",
    "panzer": "tanks", "kampfpanzer": "main battle tanks", "schützenpanzer": "infantry fighting vehicles",
    "kampfjets": "fighter jets", "kampfflugzeuge": "fighter jets", "flugzeuge": "aircraft", "jets": "jets",
    "hubschrauber": "helicopters", "munition": "ammunition", "granaten": "grenades", "artilleriegranaten": "artillery shells",
    "granatwerfer": "grenade launchers", "maschinenpistolen": "submachine guns", "maschinengewehre": "machine guns",
    "gewehre": "rifles", "sturmgewehre": "assault rifles", "pistolen": "pistols", "haubitzen": "howitzers",
    "geschütze": "artillery guns", "artillerie": "artillery", "minen": "mines", "waffen": "weapons",
    "waffensysteme": "weapons systems", "kriegsschiffe": "warships", "fregatten": "frigates", "u-boote": "submarines",
    "korvetten": "corvettes", "patrouillenboote": "patrol boats", "schiffe": "ships", "boote": "boats",
    "fahrzeuge": "vehicles", "radarsysteme": "radar systems", "ausrüstung": "equipment", "rüstungsgüter": "military equipment",
    "abwehrsysteme": "defence systems", "systeme": "systems", "bomben": "bombs", "sprengstoff": "explosives",
    "torpedos": "torpedoes", "gefechtsköpfe": "warheads", "sprengköpfe": "warheads", "munitionen": "ammunition",
}
PREFIXES = {  # compound modifiers, in the order English puts them first
    "kurzstrecken": "short-range", "mittelstrecken": "medium-range", "langstrecken": "long-range",
    "panzerabwehr": "anti-tank", "luftabwehr": "air defence", "flugabwehr": "air defence",
    "kampf": "combat", "angriffs": "attack", "aufklärungs": "reconnaissance", "marine": "naval", "kamikaze": "kamikaze",
    "feuerleit": "fire-control", "scharfschützen": "sniper", "präzisions": "precision",
}
ADJECTIVES = {  # stem without German ending -> English
    "ballistisch": "ballistic", "leicht": "light", "schwer": "heavy", "gepanzert": "armoured", "unbemannt": "unmanned",
    "taktisch": "tactical", "nuklear": "nuclear", "atomar": "nuclear", "chemisch": "chemical", "militärisch": "military",
    "modern": "modern", "weitreichend": "long-range", "hyperschall": "hypersonic", "konventionell": "conventional",
    "tragbar": "portable", "neu": "new",
}
_ENDINGS = ("en", "em", "er", "es", "e", "")


def _noun(word: str) -> str | None:
    """English for a (compound) German noun, or None."""
    for singular in (word, word + "n", word + "en", word + "e"):  # "Drohne" -> "drohnen", "Rakete" -> "raketen"
        if singular in NOUNS:
            return NOUNS[singular]
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            rest = _noun(word[len(prefix):].lstrip("-"))
            if rest:
                return f"{PREFIXES[prefix]} {rest}"
    return None


def _adjective(word: str) -> str | None:
    for ending in _ENDINGS:
        if ending and not word.endswith(ending):
            continue
        stem = word[: len(word) - len(ending)] if ending else word
        if stem in ADJECTIVES:
            return ADJECTIVES[stem]
    return None


def _named(word: str) -> str | None:
    """A named system: "Iskander-Raketen" -> "Iskander missiles", "Leopard-2-Panzer" -> "Leopard-2 tanks"."""
    name, _, last = word.rpartition("-")
    english = _noun(last.lower()) if name and any(c.isupper() or c.isdigit() for c in name) else None
    return f"{name} {english}" if english else None


def english_weapon(term: str) -> str:
    """``term`` in English when every word is a known German weapon word; otherwise unchanged."""
    words = term.split()
    if not words:
        return term
    *adjectives, noun = [w.lower() for w in words]
    english_noun = _noun(noun) or _named(words[-1])
    english_adjectives = [_adjective(a) for a in adjectives]
    if english_noun is None or None in english_adjectives:
        return term
    ranges = [p for p in ("short-range", "medium-range", "long-range") if english_noun.startswith(p + " ")]
    if ranges:  # "ballistische Kurzstreckenraketen" -> "short-range ballistic missiles"
        return " ".join([ranges[0], *english_adjectives, english_noun[len(ranges[0]) + 1:]])
    return " ".join([*english_adjectives, english_noun])
