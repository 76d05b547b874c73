"""Offices in English: the common German titles of political reporting.

Told to answer in English, a 1.5B model still copies "US-Außenminister", "Bundespräsident" or
"CHP Abgeordneter" from a German article into a person's role. Each word, or hyphenated part,
that is a known German office is put in English ("US Foreign Minister", "Federal President",
"CHP Member of Parliament"); acronyms, names and English words around it are kept. A role with
a German function word ("Chef der Inselregierung") or an unknown compound ending in an office
("Wirtschaftskammerpräsident") is left as written rather than half-translated.
"""

from __future__ import annotations

OFFICES = {  # German office (masculine or plural-free form, lower case) -> English
    "minister": "Minister", "außenminister": "Foreign Minister", "innenminister": "Interior Minister",
    "verteidigungsminister": "Defence Minister", "wirtschaftsminister": "Economy Minister",
    "finanzminister": "Finance Minister", "justizminister": "Justice Minister", "sozialminister": "Social Affairs Minister",
    "gesundheitsminister": "Health Minister", "umweltminister": "Environment Minister",
    "bildungsminister": "Education Minister", "arbeitsminister": "Labour Minister", "energieminister": "Energy Minister",
    "landwirtschaftsminister": "Agriculture Minister", "handelsminister": "Trade Minister",
    "ministerpräsident": "Minister-President", "premierminister": "Prime Minister", "premier": "Premier",
    "regierungschef": "Head of Government", "staatschef": "Head of State", "kanzler": "Chancellor",
    "bundeskanzler": "Federal Chancellor", "präsident": "President", "bundespräsident": "Federal President",
    "staatspräsident": "President", "vizepräsident": "Vice President", "parlamentspräsident": "Speaker of Parliament",
    "generalsekretär": "Secretary-General", "staatssekretär": "State Secretary", "sekretär": "Secretary",
    "außenbeauftragte": "Foreign Policy Chief", "abgeordnete": "Member of Parliament", "botschafter": "Ambassador",
    "sprecher": "Spokesperson", "regierungssprecher": "Government Spokesperson", "chef": "Leader",
    "parteichef": "Party Leader", "geheimdienstchef": "Intelligence Chief", "armeechef": "Army Chief",
    "vorsitzende": "Chair", "parteivorsitzende": "Party Leader", "landesvorsitzende": "State Party Leader",
    "fraktionschef": "Parliamentary Group Leader", "fraktionsvorsitzende": "Parliamentary Group Leader",
    "oppositionsführer": "Opposition Leader", "kandidat": "Candidate", "spitzenkandidat": "Lead Candidate",
    "präsidentschaftskandidat": "Presidential Candidate", "papst": "Pope", "kardinal": "Cardinal", "könig": "King",
    "königin": "Queen", "kronprinz": "Crown Prince", "prinz": "Prince", "bürgermeister": "Mayor",
    "oberbürgermeister": "Mayor", "gouverneur": "Governor", "landesrat": "State Councillor",
    "landesrätin": "State Councillor", "gesandte": "Envoy", "sondergesandte": "Special Envoy",
    "unterhändler": "Negotiator", "chefunterhändler": "Chief Negotiator", "berater": "Adviser",
    "sicherheitsberater": "Security Adviser", "generalstabschef": "Chief of General Staff", "kommandeur": "Commander",
    "oberbefehlshaber": "Commander-in-Chief", "leiter": "Head", "kampagnenleiter": "Campaign Manager",
}
MODIFIERS = {"ex": "Former", "vize": "Vice"}
"""Hyphenated parts that modify the office after them ("Ex-Minister")."""
FUNCTION_WORDS = frozenset("der des die das dem den im in ins für von vom zur zum und am beim bei mit aus".split())
_ENDINGS = ("", "in", "r", "n", "en")  # Ministerin, Abgeordneter, Außenbeauftragten (not "s": "Ministers" is English too)
_STEMS = tuple(sorted({"minister", "präsident", "kanzler", "sekretär", "chef", "sprecher", "kandidat", "leiter",
                       "vorsitzende", "botschafter", "berater"}, key=len))


def _office(part: str) -> str | None:
    """English for one German office word, inflected or feminine ("Ministerin", "Abgeordneten"), or None."""
    key = part.lower()
    for ending in _ENDINGS:
        stem = key[: len(key) - len(ending)] if ending else key
        if (not ending or key.endswith(ending)) and stem in OFFICES:
            return OFFICES[stem]
    return None


def _unknown_compound(part: str) -> bool:
    """A German word that ends in an office but is not one llmx knows ("Wirtschaftskammerpräsident")."""
    key = part.lower()
    return any(key.endswith(stem + ending) and len(key) > len(stem + ending) + 2 for stem in _STEMS for ending in _ENDINGS)


def english_office(role: str | None) -> str | None:
    """``role`` with its German office words in English; unchanged when nothing is known or it would be half-translated."""
    if not role:
        return role
    words = role.split()
    if any(w.lower() in FUNCTION_WORDS for w in words):
        return role
    out: list[str] = []
    for word in words:
        parts, translated = [], False
        for part in word.split("-"):
            english = _office(part) or MODIFIERS.get(part.lower())
            if english is None and _unknown_compound(part):
                return role
            if english is None or english.lower() == part.lower():  # "Minister" is English too: keep its case
                parts.append(part)
            else:
                parts.append(english)
                translated = True
        out.append(" ".join(p for p in parts if p) if translated else word)  # "US-Außenminister" -> "US Foreign Minister"
    return " ".join(out)
