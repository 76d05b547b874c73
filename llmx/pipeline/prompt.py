"""Render the chat messages: a static system prompt (cacheable prefix) and the article.

The system prompt depends only on the requested event types, never on the
article, so a server's prompt cache reuses it across a batch. Field lists are a
compact rendering of each type's JSON Schema (name, type, description) rather
than a verbose schema dump: the small local model pays for every token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
import json
from functools import cache
from importlib.resources import files

import jinja2
from pydantic import BaseModel

from llmx.pipeline.cite import citing_model, numbered
from llmx.providers.base import model_schema
from llmx.registry import guidance_for
from llmx.schemas.base import Event


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("llmx.prompts").joinpath(name).read_text(encoding="utf-8")),
        autoescape=False,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


def _type_hint(schema: dict, defs: dict) -> str:
    """Only what the description cannot say: lists, objects and short enums ("" for plain text/number)."""
    if "anyOf" in schema:
        hints = [_type_hint(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        return next((h for h in hints if h), "")
    if "enum" in schema and len(schema["enum"]) <= 12:
        return "one of " + "|".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        inner = schema.get("items", {})
        if "$ref" in inner:
            return "list of {" + ", ".join(defs[inner["$ref"].rsplit("/", 1)[-1]].get("properties", {})) + "}"
        return "list"
    return ""


SHARED_FIELDS = ("evidence", "attributed_to")
"""Described once in the system prompt's rules, not per type."""


@cache
def compact_fields(model: type[BaseModel]) -> str:
    """One line per field (nested models inline): what the model must fill and how, in few tokens."""
    schema = model_schema(model)
    defs = schema.get("$defs", {})
    lines = []
    for name, prop in schema.get("properties", {}).items():
        if name in SHARED_FIELDS:
            continue
        hint = _type_hint(prop, defs)
        line = f"- {name}{f' ({hint})' if hint else ''}: {prop.get('description', '').strip()}"
        ref = prop.get("items", {}).get("$ref") if prop.get("type") == "array" else None
        if ref:
            subs = defs[ref.rsplit("/", 1)[-1]].get("properties", {})
            line += " " + " ".join(f"{n}: {p.get('description', '').strip()}" for n, p in subs.items())
        lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class TypePrompt:
    name: str
    description: str
    guidance: str
    fields: str


def type_prompt(cls: type[Event]) -> TypePrompt:
    return TypePrompt(cls.event_type, cls.description, guidance_for(cls), compact_fields(cls))


def render(template: str, **values: object) -> str:
    """A template from prompts/, rendered and stripped."""
    return _env().get_template(template).render(**values).strip()


def system_prompt(types: list[type[Event]], cite: bool = False) -> str:
    return _system_prompt(tuple(types), cite)


@cache
def _system_prompt(types: tuple[type[Event], ...], cite: bool) -> str:
    shown = [type_prompt(citing_model(t) if cite else t) for t in types]
    return render("system.j2", types=shown, cite=cite)


def user_prompt(text: str, published: date | None = None) -> str:
    return render("user.j2", text=text, published=published.isoformat() if published else None)


def example_messages(types: list[type[Event]], cite: bool) -> list[dict[str, str]]:
    """One worked example (prompts/examples/) as a user/assistant turn, showing only the requested types."""
    return [dict(m) for m in _example_messages(tuple(types), cite)]


@cache
def _example_messages(types: tuple[type[Event], ...], cite: bool) -> tuple[dict[str, str], ...]:
    folder = files("llmx.prompts").joinpath("examples")
    lines = [line for line in folder.joinpath("example.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    answers = json.loads(folder.joinpath("example.json").read_text(encoding="utf-8"))
    answer: dict[str, list] = {}
    # Only types the example has events for: an empty list for a schema author's new type
    # would teach the model to always leave that type empty (measured: it did).
    for t in (t for t in types if answers.get(t.event_type)):
        properties = model_schema(t)["properties"]
        events = []
        for event in answers[t.event_type]:
            # Schema order, empty facts left out: shows the model the short answer we want.
            filled = {name: event[name] for name in properties if event.get(name) not in (None, [])}
            filled["evidence"] = event["evidence"] if cite else [lines[n - 1] for n in event["evidence"]]
            events.append(filled)
        answer[t.event_type] = events
    if not answer:
        return ()
    shown = numbered(lines) if cite else " ".join(lines)
    return (
        {"role": "user", "content": user_prompt(shown)},
        {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
    )


def build_messages(types: list[type[Event]], text: str, published: date | None = None, cite: bool = False) -> list[dict[str, str]]:
    """The chat messages for one article (or chunk): static system prompt and example first, so servers cache them.

    In citing mode ``text`` is the numbered rendering from :func:`llmx.pipeline.cite.numbered`.
    """
    return [
        {"role": "system", "content": system_prompt(types, cite)},
        *example_messages(types, cite),
        {"role": "user", "content": user_prompt(text, published)},
    ]
