"""Find event types: installed entry points (built-ins included) and schema directories.

Built-in types are registered in llmx's own ``pyproject.toml`` under the
``llmx.schemas`` entry-point group, the same way a third-party package
(``pip install acme-llmx-schemas``) registers its types. A directory given with
``--schemas-dir`` / ``LLMX_SCHEMAS_DIR`` is scanned for ``*.py`` files.
A broken or clashing type is reported as a problem and never hides the others.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

from llmx.core.errors import UsageError
from llmx.schemas.base import Event

ENTRY_POINT_GROUP = "llmx.schemas"


@dataclass
class Registry:
    """Event types by name, plus the problems met while loading them."""

    types: dict[str, type[Event]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, cls: type[Event], origin: str) -> None:
        name = getattr(cls, "event_type", None)
        if not isinstance(name, str) or not name:
            self.problems.append(f"{origin}: {cls.__name__} has no event_type")
            return
        if name in self.types and self.types[name] is not cls:
            self.problems.append(f"{origin}: event type {name!r} already defined by {self.origins[name]}; skipped")
            return
        self.types[name] = cls
        self.origins[name] = origin

    def select(self, names: list[str] | None) -> list[type[Event]]:
        """The requested types in the registry's order, whatever the order asked (all types when ``names`` is empty).

        The prompt lists types in this order, so ``-s a -s b`` and ``-s b -s a`` send the same prompt,
        get the same answers and share one saved prompt prefix."""
        if not names:
            return list(self.types.values())
        unknown = [n for n in names if n not in self.types]
        if unknown:
            known = ", ".join(sorted(self.types)) or "none"
            raise UsageError(f"unknown schema {', '.join(unknown)} (known: {known})")
        wanted = set(names)
        return [t for name, t in self.types.items() if name in wanted]


def event_classes(module: object) -> list[type[Event]]:
    """Concrete Event subclasses defined in ``module`` itself (not the imported base)."""
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Event)
        and obj is not Event
        and obj.__module__ == getattr(module, "__name__", None)
        and "event_type" in vars(obj)
    ]


def load_directory(registry: Registry, directory: Path) -> None:
    """Import every ``*.py`` in ``directory`` (not starting with ``_`` or ``test_``)."""
    if not directory.is_dir():
        registry.problems.append(f"{directory}: schemas directory not found")
        return
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith(("_", "test_")):
            continue
        module_name = f"llmx_user_schemas.{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # a schema author's bug must not break the other types
            registry.problems.append(f"{path}: cannot import: {type(exc).__name__}: {exc}")
            continue
        found = event_classes(module)
        if not found:
            registry.problems.append(f"{path}: defines no Event subclass with an event_type")
        for cls in found:
            registry.add(cls, str(path))


def load_entry_points(registry: Registry) -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):  # declaration order: the order types appear in prompts
        try:
            obj = ep.load()
        except Exception as exc:
            registry.problems.append(f"entry point {ep.name} ({ep.value}): cannot import: {type(exc).__name__}: {exc}")
            continue
        if not (inspect.isclass(obj) and issubclass(obj, Event)):
            registry.problems.append(f"entry point {ep.name} ({ep.value}): not an llmx Event subclass")
            continue
        registry.add(obj, f"entry point {ep.value}")


def load_registry(schema_dirs: list[Path] | None = None) -> Registry:
    """All installed types, then the ones in ``schema_dirs``."""
    registry = Registry()
    load_entry_points(registry)
    for directory in schema_dirs or []:
        load_directory(registry, directory)
    return registry


def guidance_for(cls: type[Event]) -> str:
    """Prompt guidance: inline ``guidance``, else ``<type>.md`` beside the module, else prompts/types/."""
    if cls.guidance:
        return cls.guidance
    module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if module_file:
        beside = Path(module_file).with_name(f"{cls.event_type}.md")
        if beside.is_file():
            return beside.read_text(encoding="utf-8")
    builtin = files("llmx.prompts").joinpath("types", f"{cls.event_type}.md")
    if builtin.is_file():
        return builtin.read_text(encoding="utf-8")
    return ""
