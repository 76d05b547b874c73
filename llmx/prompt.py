"""Render the chat messages: a static system prompt (cacheable prefix) and the article.

The system prompt depends only on the requested event types, never on the
article, so a server's prompt cache reuses it across a batch. Field lists are a
compact rendering of each type's JSON Schema (name, type, description) rather
than a verbose schema dump: the small local model pays for every token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

import jinja2
from pydantic import BaseModel

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


def _type_name(schema: dict, defs: dict) -> str:
    """A short human type for a JSON Schema node: 'text', 'number', 'list of text', '{name, role}'."""
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[-1]]
        return "{" + ", ".join(target.get("properties", {})) + "}"
    if "anyOf" in schema:
        parts = [_type_name(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " or ".join(parts) + (" or null" if nullable else "")
    if "enum" in schema:
        return "one of " + "|".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + _type_name(schema.get("items", {}), defs)
    return {"string": "text", "integer": "number", "number": "number", "boolean": "true/false"}.get(kind, "value")


def compact_fields(model: type[BaseModel]) -> str:
    """One line per field, nested models expanded once: what the model must fill and how."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    lines = []
    for name, prop in schema.get("properties", {}).items():
        lines.append(f"- {name} ({_type_name(prop, defs)}): {prop.get('description', '').strip()}")
        ref = prop.get("items", {}).get("$ref") if prop.get("type") == "array" else None
        if ref:
            for sub_name, sub in defs[ref.rsplit("/", 1)[-1]].get("properties", {}).items():
                lines.append(f"  - {sub_name} ({_type_name(sub, defs)}): {sub.get('description', '').strip()}")
    return "\n".join(lines)


@dataclass(frozen=True)
class TypePrompt:
    name: str
    description: str
    guidance: str
    fields: str


def type_prompt(cls: type[Event]) -> TypePrompt:
    return TypePrompt(cls.event_type, cls.description, guidance_for(cls), compact_fields(cls))


def system_prompt(types: list[type[Event]]) -> str:
    return _env().get_template("system.j2").render(types=[type_prompt(t) for t in types]).strip()


def user_prompt(text: str, published: date | None = None) -> str:
    return _env().get_template("user.j2").render(text=text, published=published.isoformat() if published else None).strip()


def build_messages(types: list[type[Event]], text: str, published: date | None = None) -> list[dict[str, str]]:
    """The chat messages for one article (or one chunk of it)."""
    return [
        {"role": "system", "content": system_prompt(types)},
        {"role": "user", "content": user_prompt(text, published)},
    ]
