"""The one small interface every provider implements, and how llmx picks one."""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any

import instructor
import openai
from pydantic import BaseModel

from llmx.core.errors import UsageError

ENTRY_POINT_GROUP = "llmx.providers"

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "tools_strict": instructor.Mode.TOOLS_STRICT,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    # response_format {"type": "json_object", "schema": ...}: what llama-cpp-python's
    # server accepts (it rejects "json_schema") and uses to constrain decoding.
    "json_object": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
"""``--mode`` names → instructor modes."""


@cache
def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema, built once: pydantic rebuilds it on every call (profiled at ~75% of llmx's CPU). Read-only."""
    return model.model_json_schema()


@dataclass(frozen=True)
class ProviderSettings:
    """What the user configured; each provider reads the parts it needs."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    mode: str | None = None
    timeout: float = 600.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Endpoint:
    """A ready connection: an ``openai`` client plus how to ask it for structured output."""

    provider: str
    client: openai.OpenAI | None
    """None until :meth:`open_client` when the provider starts its server lazily."""
    model: str
    mode: str
    strict: bool = True
    """Pydantic strict validation; off for local models, which emit "3" for 3."""
    client_factory: Callable[[], openai.OpenAI] | None = None
    side: Endpoint | None = None
    """Where short side questions (llmx/pipeline/confirm.py) go; None: here. The embedded provider uses a
    second server, because llama-cpp-python's server caches one prompt and a side question
    would evict the static prompt prefix every article reuses."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open_client(self) -> openai.OpenAI:
        """The client, created on first use (thread-safe): cache hits never start a server."""
        with self._lock:
            if self.client is None:
                if self.client_factory is None:
                    raise RuntimeError(f"endpoint {self.provider} has neither a client nor a factory")
                self.client = self.client_factory()
            return self.client

    @property
    def instructor_mode(self) -> instructor.Mode:
        return MODES[self.mode]

    def request_extras(self, response_model: type[BaseModel]) -> dict[str, Any]:
        """Extra request fields for this mode (json_object sends the schema to constrain decoding)."""
        if self.mode == "json_object":
            schema = model_schema(response_model)
            return {"extra_body": {"response_format": {"type": "json_object", "schema": schema}}}
        return {}


class Provider(ABC):
    """Turns settings into an :class:`Endpoint` for the duration of a run."""

    name: str
    default_mode: str = "tools"
    default_concurrency: int = 8
    """Articles in flight when -j is not given."""

    @abstractmethod
    @contextmanager
    def connect(self, settings: ProviderSettings) -> Iterator[Endpoint]:
        """Yield a usable endpoint; release anything started (servers) on exit."""

    def check_mode(self, settings: ProviderSettings) -> str:
        mode = settings.mode or self.default_mode
        if mode not in MODES:
            raise UsageError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
        return mode


def make_client(base_url: str | None, api_key: str, timeout: float) -> openai.OpenAI:
    """An OpenAI client whose retries are left to llmx (instructor re-asks, batch backoff)."""
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=int(os.environ.get("LLMX_HTTP_RETRIES", "2")))


def provider_names() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def get_provider(name: str) -> Provider:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()()
    raise UsageError(f"unknown provider {name!r} (choose from {', '.join(provider_names())})")


def choose_provider(settings: ProviderSettings, explicit: str | None) -> str:
    """The provider to use when ``--provider`` is not given: base URL → compatible, OpenAI key → openai, else local.

    OPENAI_API_KEY is only ever sent to OpenAI: a --base-url server gets --api-key / LLMX_API_KEY.
    """
    if explicit:
        return explicit
    if settings.base_url:
        return "compatible"
    if os.environ.get("OPENAI_API_KEY"):
        return "openai"
    return "local"
