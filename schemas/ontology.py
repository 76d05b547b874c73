"""Codes in standard event ontologies (PLOVER, CAMEO) that an event type may declare, and their check.

A type declares ``codes`` (see schemas/base.py): the PLOVER event category, mode and
context and the CAMEO code that fit its records, optionally varying with a field's
value (``when``). Tables below are from the PLOVER manual (Open Event Data Alliance,
"PLOVER: Event, Actor and Data Interchange Specification", draft 2.0, openeventdata/PLOVER
PLOVER_MANUAL.tex: categories, quad categories, mode tables, contexts) and the CAMEO
codebook 1.1b3 (Schrodt 2012: twenty two-digit root categories). A type with no fitting
code declares none: an absent code is honest, a guessed one is not.
"""

from __future__ import annotations

import re
import sys
from typing import Any

PLOVER: dict[str, tuple[int, tuple[str, ...]]] = {
    "AGREE": (1, ()), "CONSULT": (1, ("visit", "third-party", "multilateral", "phone")), "SUPPORT": (1, ()),
    "CONCEDE": (1, ()), "COOPERATE": (2, ()), "AID": (2, ()),
    "RETREAT": (2, ("withdraw", "release", "disarm", "ceasefire", "access", "resign")),
    "REQUEST": (3, ("assist", "change", "yield", "meet")), "ACCUSE": (3, ("disapprove", "investigate", "allege")),
    "REJECT": (3, ("assist", "change", "yield", "meet")),
    "THREATEN": (3, ("restrict", "arrest", "relations", "expel", "territory", "violence")),
    "PROTEST": (4, ("demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize")),
    "SANCTION": (4, ("convict", "expel", "withdraw", "discontinue")),
    "MOBILIZE": (4, ("troops", "weapons", "police", "militia")),
    "COERCE": (4, ("seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport", "withhold", "misinformation", "cyber")),
    "ASSAULT": (4, ("abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive", "firearms", "explosives",
                    "suicide-attack", "aerial", "drone", "heavy-weapons", "crowd-control", "unconventional")),
}
"""PLOVER category → (quad category 1 verbal cooperation … 4 material conflict, its modes)."""

PLOVER_CONTEXTS = {c.lower().replace(" ", "_") for c in (
    "Military", "Intelligence", "Executive", "Legislative", "Election", "Political Institutions", "Pro-democracy",
    "Pro-autocracy", "Economic", "Legal", "Reparations", "Human Rights", "Rights Freedoms", "Repression", "Human Security",
    "Gender", "LGBT", "Religion Ethnicity", "Inequality", "Diplomatic", "Territory", "Peacekeeping", "Health", "Asylum",
    "Migration", "Disasters", "Natural Resource", "Environment", "Technology", "Terrorism", "CBRN", "Cyber",
    "Misinformation", "Crime", "Corruption", "Illegal Drugs", "Trafficking")}

CAMEO_ROOTS = {f"{n:02d}" for n in range(1, 21)}
"""CAMEO 1.1b3: 01 make public statement … 04 consult … 06 material cooperation … 16 reduce relations … 20 mass violence."""
CAMEO_CODE = re.compile(r"^\d{2,4}$")
KEYS = {"plover", "plover_mode", "plover_context", "cameo"}


def resolve(codes: dict[str, Any] | None, record: dict[str, Any]) -> dict[str, str]:
    """The codes for one record: the first ``when`` rule whose field values match replaces the defaults."""
    if not codes:
        return {}
    for condition, chosen in codes.get("when", ()):
        if all(record.get(f) in (v if isinstance(v, (list, tuple, set)) else (v,)) for f, v in condition.items()):
            return dict(chosen)
    return {k: v for k, v in codes.items() if k in KEYS}


def code_problems(cls: Any) -> list[str]:
    """What is wrong with a type's declared ``codes``: unknown PLOVER category, mode or context, a malformed CAMEO code."""
    codes = getattr(cls, "codes", None)
    if not codes:
        return []
    if not isinstance(codes, dict):
        return ["codes must be a dict (see docs/schema-authors.md)"]
    fields = getattr(cls, "model_fields", {})
    problems: list[str] = []
    sets = [("codes", {k: v for k, v in codes.items() if k != "when"})]
    for i, rule in enumerate(codes.get("when", ())):
        if not (isinstance(rule, (tuple, list)) and len(rule) == 2 and isinstance(rule[0], dict) and isinstance(rule[1], dict)):
            problems.append(f"codes when[{i}] must be a (condition dict, codes dict) pair")
            continue
        problems += [f"codes when[{i}] names unknown field {f!r}" for f in rule[0] if f not in fields]
        sets.append((f"codes when[{i}]", rule[1]))
    for where, chosen in sets:
        problems += [f"{where}: unknown key {k!r} (use {', '.join(sorted(KEYS))})" for k in chosen if k not in KEYS]
        category = chosen.get("plover")
        if category is not None and category not in PLOVER:
            problems.append(f"{where}: {category!r} is not a PLOVER event category ({', '.join(PLOVER)})")
        mode = chosen.get("plover_mode")
        if mode is not None and (category is None or mode not in PLOVER.get(category, (0, ()))[1]):
            allowed = ", ".join(PLOVER.get(category, (0, ()))[1]) or "none"
            problems.append(f"{where}: {mode!r} is not a mode of PLOVER {category} (modes: {allowed})")
        context = chosen.get("plover_context")
        if context is not None and str(context).replace("-", "_") not in {c.replace("-", "_") for c in PLOVER_CONTEXTS}:
            problems.append(f"{where}: {context!r} is not a PLOVER context")
        cameo = chosen.get("cameo")
        if cameo is not None and not (isinstance(cameo, str) and CAMEO_CODE.match(cameo) and cameo[:2] in CAMEO_ROOTS):
            problems.append(f"{where}: CAMEO code {cameo!r} must be a 2-4 digit string under a root 01-20 (e.g. \"040\")")
    module = sys.modules.get(getattr(cls, "__module__", ""))
    docs = " ".join(filter(None, [cls.__doc__, getattr(module, "__doc__", None)])).lower()
    if not any(book in docs for book in ("plover manual", "cameo 1.1", "codebook")):
        problems.append("cite the codebook entries your codes come from in the type's docstring (e.g. \"PLOVER manual 2.0, CONSULT\")")
    return problems
