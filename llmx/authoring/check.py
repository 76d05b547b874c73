"""The schema authors' kit: scaffold a new event type and check one before it ships.

``check`` answers "will this type work?" before any model is called: it is a
proper event model, the model can read what every field means, each provider's
structured-output mode accepts its schema, identity fields exist, and its
prompt guidance is found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from llmx.pipeline.confirm import MAX_NEAR_MISSES, PLACEHOLDER
from llmx.pipeline.answer import strict_schema
from llmx.registry import guidance_for
from llmx.schemas.ontology import code_problems
from llmx.schemas.base import Event

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
OPENAI_UNSUPPORTED = {"minLength", "maxLength", "minProperties", "maxProperties", "patternProperties", "unevaluatedProperties", "contains"}
OPENAI_LIMITS = {"enum_values": 1000, "depth": 10}


@dataclass(frozen=True)
class Problem:
    type_name: str
    message: str

    def __str__(self) -> str:
        return f"{self.type_name}: {self.message}"


def _walk(node: Any, depth: int = 0):
    """Every schema node with its nesting depth."""
    if isinstance(node, dict):
        yield node, depth
        for key, value in node.items():
            yield from _walk(value, depth + (key == "properties"))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, depth)


def openai_problems(schema: dict[str, Any]) -> list[str]:
    """OpenAI strict structured outputs: supported keywords and documented size limits."""
    problems = []
    enum_values = max_depth = 0
    for node, depth in _walk(schema):
        max_depth = max(max_depth, depth)
        for keyword in OPENAI_UNSUPPORTED & node.keys():
            problems.append(f"OpenAI strict mode does not support {keyword!r} (use a validator instead)")
        enum_values += len(node.get("enum", []))
    if enum_values > OPENAI_LIMITS["enum_values"]:
        problems.append(f"{enum_values} enum values; OpenAI strict mode allows {OPENAI_LIMITS['enum_values']}")
    if max_depth > OPENAI_LIMITS["depth"]:
        problems.append(f"nesting depth {max_depth}; OpenAI strict mode allows {OPENAI_LIMITS['depth']}")
    return sorted(set(problems))


def llama_cpp_problem(schema: dict[str, Any]) -> str | None:
    """llama.cpp turns the schema into a grammar; None when it can (or llama-cpp-python is not installed)."""
    try:
        from llama_cpp.llama_grammar import json_schema_to_gbnf
    except ImportError:
        return None
    try:
        json_schema_to_gbnf(json.dumps(schema))
    except Exception as exc:  # the converter raises plain exceptions for unsupported constructs
        return f"llama.cpp cannot build a grammar from the schema: {exc}"
    return None


def _undescribed(schema: dict[str, Any]) -> list[str]:
    missing = []
    for owner, node in [("", schema), *((f"{name}.", d) for name, d in schema.get("$defs", {}).items())]:
        for field, spec in node.get("properties", {}).items():
            if not str(spec.get("description", "")).strip():
                missing.append(owner + field)
    return missing


def check_type(cls: Any) -> list[Problem]:
    """Everything that would make this type fail or mislead the model, as readable problems."""
    name = getattr(cls, "event_type", None) or getattr(cls, "__name__", "?")
    if not (isinstance(cls, type) and issubclass(cls, Event)):
        return [Problem(name, "is not a subclass of llmx.schemas.base.Event")]
    problems = []
    if not NAME.match(str(name)):
        problems.append(f"event_type {name!r} must be snake_case (letters, digits, _)")
    if not str(getattr(cls, "description", "") or "").strip():
        problems.append("set a one-line `description`")
    try:
        schema = cls.model_json_schema()
    except Exception as exc:
        return [Problem(name, f"no JSON Schema: {exc}")]
    for field in _undescribed(schema):
        problems.append(f"field {field!r} has no description (the model reads descriptions)")
    identity = tuple(getattr(cls, "identity_fields", ()) or ())
    if not identity:
        problems.append("declare identity_fields: the fields that decide 'the same event'")
    for field in (*identity, *getattr(cls, "person_fields", ())):
        if field not in cls.model_fields:
            problems.append(f"identity/person field {field!r} is not a field of the model")
    for field in getattr(cls, "required_fields", ()):
        if field not in cls.model_fields:
            problems.append(f"required field {field!r} is not a field of the model")
    for code, words in (getattr(cls, "evidence_words", None) or {}).items():
        if not (isinstance(code, str) and re.fullmatch(r"[a-z]{2}", code)):
            problems.append(f"evidence_words: {code!r} is no ISO 639-1 language code (\"de\", \"en\")")
        if isinstance(words, str) or not words or not all(isinstance(w, str) and w.strip("* ") for w in words):
            problems.append(f"evidence_words[{code!r}] must be a tuple of words, e.g. (\"met\", \"talks\")")
    if getattr(cls, "identity_match", "all") not in ("all", "any"):
        problems.append("identity_match must be 'all' or 'any'")
    try:
        strict_schema(cls)
    except Exception as exc:
        problems.append(f"OpenAI strict schema conversion fails: {exc}")
    problems += openai_problems(schema)
    if problem := llama_cpp_problem(schema):
        problems.append(problem)
    confirm = getattr(cls, "confirm", None)
    for attribute in ("confirm", "confirm_party"):
        template = getattr(cls, attribute, None)
        if template is None:
            continue
        unknown = [n for group in PLACEHOLDER.findall(str(template)) for n in group.split("|") if n not in cls.model_fields]
        if unknown:
            problems.append(f"{attribute} question names unknown field(s) {', '.join(unknown)}")
        if not str(template).rstrip().endswith("?"):
            problems.append(f"{attribute} must be a yes/no question ending in '?'")
    problems += party_question_problems(cls)
    if not isinstance(getattr(cls, "ask_again", False), bool):
        problems.append("ask_again must be True or False")
    misses = getattr(cls, "near_misses", ())
    if misses and (confirm is None or not isinstance(misses, tuple) or not all(isinstance(m, str) and m.strip() for m in misses)):
        problems.append("near_misses must be a tuple of short phrases, and needs a confirm question")
    elif len(misses) > MAX_NEAR_MISSES:
        problems.append(f"at most {MAX_NEAR_MISSES} near_misses (the confirmation question names them)")
    guidance = guidance_for(cls)
    if not guidance.strip():
        problems.append(f"no prompt guidance: add {cls.event_type}.md beside the module (what counts, what does not)")
    texts = [("description", str(getattr(cls, "description", ""))), ("guidance", guidance), ("confirm", str(confirm or ""))]
    unfinished = [label for label, text in texts if "TODO" in text]
    unfinished += [f"field {f!r}" for f, spec in schema.get("properties", {}).items() if "TODO" in str(spec.get("description", ""))]
    if unfinished:
        problems.append(f"TODO left in {', '.join(unfinished)}")
    problems += code_problems(cls)
    return [Problem(name, p) for p in problems]


def party_question_problems(cls: type) -> list[str]:
    """What is wrong with a type's ``party_question``: (one of its identity fields, a question naming known fields)."""
    asked = getattr(cls, "party_question", None)
    if asked is None:
        return []
    if not (isinstance(asked, tuple) and len(asked) == 2 and all(isinstance(a, str) for a in asked)):
        return ["party_question must be (field, question)"]
    field, template = asked
    problems = []
    if field not in getattr(cls, "identity_fields", ()):
        problems.append(f"party_question asks for {field!r}, which is not one of its identity_fields")
    unknown = [n for group in PLACEHOLDER.findall(template) for n in group.split("|") if n not in cls.model_fields]
    if unknown:
        problems.append(f"party_question names unknown field(s) {', '.join(unknown)}")
    if not template.rstrip().endswith("?"):
        problems.append("party_question must be a question ending in '?'")
    return problems


@cache
def count_tokens(text: str) -> tuple[int, bool]:
    """Tokens of ``text`` for the embedded model when it is assembled (exact), else ≈ chars/4."""
    from llmx.providers.local import count_tokens as model_tokens

    try:
        return model_tokens(text), True
    except Exception:  # no [local] extra, no model yet, or its server failed: an estimate is still useful
        return max(1, len(text) // 4), False
