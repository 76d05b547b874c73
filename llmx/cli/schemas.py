"""``llmx schemas list|show|check|new``: the schema authors' commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from llmx.cli.common import SchemasDir, registry_for, user_errors
from llmx.core.errors import UsageError
from llmx.registry import load_registry

schemas_app = typer.Typer(help="List, inspect and check event types.", no_args_is_help=True)


@schemas_app.command("list")
def schemas_list(schemas_dir: SchemasDir = None) -> None:
    """List the registered event types and where they come from."""
    registry = registry_for(schemas_dir)
    for name, cls in registry.types.items():
        print(f"{name:20} {cls.description}  [{registry.origins[name]}]")


@schemas_app.command("show")
def schemas_show(
    name: Annotated[str, typer.Argument(help="Event type name, e.g. meeting.")],
    schemas_dir: SchemasDir = None,
) -> None:
    """Show a type's guidance, the prompt section the model sees (with its token count) and its JSON Schema."""
    from llmx.authoring.check import count_tokens
    from llmx.pipeline.cite import citing_model
    from llmx.pipeline.prompt import type_prompt

    with user_errors():
        cls = registry_for(schemas_dir).select([name])[0]
        shown = type_prompt(citing_model(cls))
        section = f"## {shown.name}\n{shown.description}\n{shown.guidance.strip()}\nFields:\n{shown.fields}"
        tokens, exact = count_tokens(section)
        print(f"# {cls.event_type}: {cls.description}\n")
        print(f"identity fields: {', '.join(cls.identity_fields)} (match {cls.identity_match})\n")
        print("## Guidance\n" + shown.guidance.strip() + "\n")
        print(f"## Prompt section as the model sees it ({'' if exact else '≈'}{tokens} tokens)\n" + section + "\n")
        print("## JSON Schema\n" + json.dumps(cls.model_json_schema(), indent=2, ensure_ascii=False))


@schemas_app.command("check")
def schemas_check(
    name: Annotated[Optional[str], typer.Argument(help="Check only this type (default: all).")] = None,
    schemas_dir: SchemasDir = None,
) -> None:
    """Check types before shipping them: event model, field descriptions, provider schema rules, identity fields, guidance.

    Exits 1 with a list of problems; import errors and name clashes count too.
    """
    from llmx.authoring.check import check_type

    with user_errors():
        registry = load_registry(schemas_dir)
        types = registry.select([name] if name else None)
        problems = [str(p) for t in types for p in check_type(t)]
        problems = [p for p in registry.problems if not name or name in p] + problems
        for cls in types:
            if not any(p.startswith(f"{cls.event_type}:") for p in problems):
                print(f"ok  {cls.event_type}  [{registry.origins[cls.event_type]}]")
        for problem in problems:
            print(f"problem  {problem}")
        if problems:
            raise typer.Exit(1)


@schemas_app.command("new")
def schemas_new(
    name: Annotated[str, typer.Argument(help="Name of the new type: snake_case (protest) or CamelCase (Protest, ArmsSale).")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the files (your schemas directory).")] = Path("."),
) -> None:
    """Scaffold a new event type: the model, its prompt guidance, a gold example and a cassette test."""
    from llmx.authoring.scaffold import scaffold, type_name

    with user_errors():
        try:
            event_type = type_name(name)
            written = scaffold(event_type, directory)
        except (ValueError, FileExistsError) as exc:
            raise UsageError(str(exc)) from None
        for path in written:
            print(f"wrote {path}")
        print(f"next: fill in the TODOs, then `llmx schemas check {event_type} --schemas-dir {directory}` (see docs/schema-authors.md)")
