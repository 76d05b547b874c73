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
    # response_format {"type": "json_schema", ...}: OpenAI structured outputs, vLLM, llama.cpp's
    # server (the embedded model), Ollama. llmx sends the schema with length caps (capped_schema).
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


STRING_CAP = 400
"""Characters, for every string the schema leaves unbounded: a quoted sentence fits, a loop stops."""
LIST_CAP = 12
"""Items, for every list the schema leaves unbounded."""


def _capped(node: Any) -> Any:
    if isinstance(node, list):
        return [_capped(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _capped(v) for k, v in node.items()}
    kind = out.get("type")
    if kind == "string" and "maxLength" not in out and "enum" not in out and "const" not in out:
        out["maxLength"] = STRING_CAP
    elif kind == "array" and "maxItems" not in out:
        out["maxItems"] = LIST_CAP
    return out


@cache
def capped_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with a length cap on every string and list.

    Under constrained decoding (llama.cpp, vLLM) a small model that starts repeating
    itself otherwise runs on until max_tokens (measured: 1,024 tokens of a repeated name);
    with caps the JSON closes early and the answer still validates. Caps never reject a
    value the schema's own constraints accept: they only bound what it left open.
    """
    return _capped(model_schema(model))


@dataclass(frozen=True)
class ProviderSettings:
    """What the user configured; each provider reads the parts it needs."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    mode: str | None = None
    timeout: float = 600.0
    concurrency: int | None = None
    """Requests the run keeps in flight (-j); the embedded model sizes its slots by it."""
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
    """Where short side questions (llmx/pipeline/confirm.py) go; None: here. The embedded provider
    sends them to a slot of their own, so they never evict the static prompt prefix the
    extraction slots keep."""
    extra_body: dict[str, Any] = field(default_factory=dict)
    """Fields added to every request's JSON body (the embedded model's side slot: ``id_slot``)."""
    prefix_keeper: Callable[[list[dict[str, str]]], None] | None = None
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

    def keep_prefix(self, messages: list[dict[str, str]]) -> None:
        """Say which leading messages every request of this run repeats (cheap; providers that can keep them warm do)."""
        if self.prefix_keeper is not None:
            self.prefix_keeper(messages)

    def request_extras(self, response_model: type[BaseModel]) -> dict[str, Any]:
        """Extra request fields: the capped schema for the response_format modes, and ``extra_body``."""
        body = dict(self.extra_body)
        if self.mode == "json_object":
            body["response_format"] = {"type": "json_object", "schema": capped_schema(response_model)}
        elif self.mode == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": response_model.__name__, "schema": capped_schema(response_model)}}
        return {"extra_body": body} if body else {}


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


def make_client(base_url: str | None, api_key: str, timeout: float, http_client: Any = None) -> openai.OpenAI:
    """An OpenAI client whose retries are left to llmx (instructor re-asks, batch backoff)."""
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, http_client=http_client,
                         max_retries=int(os.environ.get("LLMX_HTTP_RETRIES", "2")))


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
