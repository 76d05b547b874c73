"""``llmx schemas new``: a new event type's files, from templates, never overwriting."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import jinja2

from llmx.authoring.check import NAME

CAMEL = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def type_name(name: str) -> str:
    """The snake_case type name: "protest" stays, "Protest" → "protest", "ArmsSale" → "arms_sale"."""
    if CAMEL.match(name):
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return name


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda n: files("llmx.authoring.templates").joinpath(n).read_text(encoding="utf-8")),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def scaffold(name: str, directory: Path) -> list[Path]:
    """Write NAME.py, NAME.md, NAME.gold.jsonl and test_NAME.py into ``directory``; never overwrite."""
    if not NAME.match(name):
        raise ValueError(f"{name!r}: use snake_case, e.g. sanction or cyber_attack")
    directory.mkdir(parents=True, exist_ok=True)
    targets = {
        f"{name}.py": "schema.py.j2",
        f"{name}.md": "guidance.md.j2",
        f"{name}.gold.jsonl": "gold.jsonl.j2",
        f"test_{name}.py": "test_schema.py.j2",
    }
    existing = [directory / f for f in targets if (directory / f).exists()]
    if existing:
        raise FileExistsError(f"{existing[0]} already exists")
    written = []
    for filename, template in targets.items():
        path = directory / filename
        path.write_text(_templates().get_template(template).render(name=name, cls=class_name(name), directory=directory), encoding="utf-8")
        written.append(path)
    return written
