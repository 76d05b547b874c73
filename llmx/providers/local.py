"""The embedded model: llama.cpp's own server (xllamacpp, a prebuilt wheel) on this machine.

One server per run holds the model once. It has one slot (KV cache) per article in
flight plus one for confirmation questions, so a confirmation never evicts the static
prompt prefix the extraction slots keep; that prefix is restored from disk at start
(prefix.py). Requests use OpenAI's ``json_schema`` response format, which llama.cpp turns
into a grammar (LLGuidance) that constrains decoding to the capped schema.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from llmx.core.errors import UsageError
from llmx.providers.base import Endpoint, Provider, ProviderSettings, make_client
from llmx.providers.prefix import load_prefix
from llmx.providers.server import EmbeddedServer, ServerConfig, ToServer, post, running, slot_dir
from llmx.providers.weights import INSTALL_HINT, MODEL_NAME, assembled_path, model_path, sha256_of

CONTEXT = 8192
"""Tokens per slot: the static prefix, the longest chunk and its answer."""


def embedded_model() -> Path:
    """The verified GGUF, with xllamacpp present to serve it; a clear error otherwise."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise UsageError(f"the embedded model needs xllamacpp; {INSTALL_HINT}")
    return model_path()


def count_tokens(text: str) -> int:
    """The embedded model's token count for ``text`` (no special tokens), from its own tokenizer.

    A short-lived server with a small context answers ``/tokenize``; the weights are
    memory-mapped, so it takes a few seconds. It never assembles the model: without an
    assembled model (or without xllamacpp) it raises :class:`UsageError`.
    """
    if importlib.util.find_spec("xllamacpp") is None:
        raise UsageError(f"counting the embedded model's tokens needs xllamacpp; {INSTALL_HINT}")
    model = assembled_path()
    if model is None:
        raise UsageError("the embedded model is not assembled yet (the first llmx extract assembles it)")
    with running(EmbeddedServer(server_config(model, 1, ctx=512, side_slot=False))) as server:
        return len(post(server.start(), "/tokenize", {"content": text, "add_special": False})["tokens"])


class PrefixKeeper:
    """Keeps the run's static prompt prefix in the extraction slots, across (re)starts."""

    def __init__(self, model: Path, slots: list[int]):
        self.model = model
        self.slots = slots
        self.messages: list[dict[str, str]] | None = None
        self.base: str | None = None
        self.loaded: str | None = None
        self.outcomes: list[str] = []
        """"restored", "built" or "rebuilt", one per load: what benchmarks and tests read."""
        self._lock = threading.Lock()

    def keep(self, messages: list[dict[str, str]]) -> None:
        with self._lock:
            if messages == self.messages:
                return
            self.messages = [dict(m) for m in messages]
            self.loaded = None
            if self.base is not None:  # the server already runs: load now, before this request
                self._load()

    def on_start(self, base: str) -> None:
        with self._lock:
            self.base, self.loaded = base, None
            if self.messages is not None:
                self._load()

    def _load(self) -> None:
        if self.messages and self.base and self.loaded is None:
            self.outcomes.append(load_prefix(self.base, self.messages, slot_dir(), sha256_of(self.model), self.slots))
            self.loaded = self.base


def server_config(model: Path, concurrency: int, *, ctx: int = CONTEXT, port: int = 0, side_slot: bool = True,
                  cache_ram_mib: int | None = None) -> ServerConfig:
    """One slot per article in flight, and (by default) one for side questions."""
    return ServerConfig(model, MODEL_NAME, ctx=ctx, parallel=concurrency + side_slot, port=port, cache_ram_mib=cache_ram_mib)


class LocalProvider(Provider):
    """The embedded Qwen2.5-Coder-1.5B model on this machine: no key, no network (needs the [local] extra)."""

    name = "local"
    default_mode = "json_schema"
    default_concurrency = 2
    """Measured on the dev set, 2 cores: 56 articles/hour at -j 1, 65 at -j 2, 67 at -j 4 (slots batch their decoding;
prefill stays bound to the cores, so -j 4 adds little for twice the per-article latency)."""

    @contextmanager
    def connect(self, settings: ProviderSettings) -> Iterator[Endpoint]:
        """Checks now; the server starts on the first real request, so a run answered wholly
        from the response cache never loads the model."""
        mode = self.check_mode(settings)
        model = embedded_model()
        concurrency = settings.concurrency or self.default_concurrency
        # extra: what bench/side_slot.py varies (no side slot: side questions share the article's slot, and
        # llama.cpp's RAM prompt cache keeps the evicted prefix, unless cache_ram_mib is 0).
        side_slot = bool(settings.extra.get("side_slot", True))
        config = server_config(model, concurrency, ctx=int(settings.extra.get("n_ctx", CONTEXT)), side_slot=side_slot,
                               cache_ram_mib=settings.extra.get("cache_ram_mib"))
        keeper = PrefixKeeper(model, list(range(concurrency)))
        server = EmbeddedServer(config, on_start=keeper.on_start)
        with running(server):
            http = httpx2.Client(transport=ToServer(server), timeout=settings.timeout)
            client = make_client("http://embedded-model/v1", "not-needed", settings.timeout, http_client=http)
            side = Endpoint(self.name, client, MODEL_NAME, mode, strict=False, extra_body={"id_slot": concurrency}) if side_slot else None
            try:
                yield Endpoint(self.name, client, MODEL_NAME, mode, strict=False, side=side, prefix_keeper=keeper.keep)
            finally:
                http.close()
