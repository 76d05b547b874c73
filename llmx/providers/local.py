"""The embedded model: llama-cpp-python's OpenAI-compatible server on a free loopback port.

One server per run (the model stays loaded across a batch). The server is
stopped when the run ends, on errors and on Ctrl-C. Requests use
``response_format={"type": "json_object", "schema": ...}``, which that server
turns into a grammar that constrains decoding to the schema.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import openai

from llmx.core.errors import ProviderError, UsageError
from llmx.providers.base import Endpoint, Provider, ProviderSettings, make_client
from llmx.core.paths import cache_dir
from llmx.providers.weights import INSTALL_HINT, MODEL_NAME, model_path

STARTUP_TIMEOUT = float(os.environ.get("LLMX_LOCAL_STARTUP_TIMEOUT", "180"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(model: Path, port: int, *, n_ctx: int, threads: int) -> list[str]:
    """The llama_cpp.server command line; chat format left unset so the GGUF's own template is used."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", MODEL_NAME,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads), "--n_threads_batch", str(threads),
        "--n_batch", "512",
        "--interrupt_requests", "False",
        # No --cache: its RAM state cache copies ~80 MB per request and grew the server to
        # 23 GB (OOM-killed) over a 13-article run. The live KV cache already reuses the
        # longest common prefix, which is what our static system prompt is designed for.
        *shlex.split(os.environ.get("LLMX_LOCAL_SERVER_ARGS", "")),
    ]


def wait_until_ready(proc: subprocess.Popen, base_url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            raise ProviderError(f"embedded model server exited with code {proc.returncode}: {' '.join(tail) or 'see ' + str(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused while loading, or a timeout: keep waiting
            pass
        time.sleep(0.5)
    raise ProviderError(f"embedded model server did not answer within {timeout:.0f}s (log: {log})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)  # a server mid-generation finishes the token batch, not the answer
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


SIDE_CONTEXT = 4096
"""Tokens for side questions: a record's cited sentences and one question."""


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path


def embedded_model() -> Path:
    """The verified GGUF, with llama-cpp-python present to serve it; a clear error otherwise."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise UsageError(f"the embedded model needs llama-cpp-python; {INSTALL_HINT}")
    return model_path()


@contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM (kill) into SystemExit so finally-blocks stop the server; main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def running_server(*, port: int | None = None, n_ctx: int = 8192, threads: int | None = None, model: Path | None = None,
                   log_name: str = "server.log") -> Iterator[Server]:
    """Start the embedded server, yield it once it answers, always stop it."""
    model = model or embedded_model()
    port = port or free_port()
    threads = threads or os.cpu_count() or 2
    log = cache_dir() / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("wb") as log_file:
        # Own process group: a Ctrl-C in the terminal reaches llmx, which stops the server cleanly.
        proc = subprocess.Popen(server_command(model, port, n_ctx=n_ctx, threads=threads), stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            with exit_on_sigterm():
                wait_until_ready(proc, base_url, log, STARTUP_TIMEOUT)
                yield Server(base_url, proc, log)
        finally:
            stop(proc)


def _started_client(servers: ExitStack, model: Path, n_ctx: int, log_name: str, *, timeout: float) -> openai.OpenAI:
    """Start a server whose lifetime ``servers`` owns, and return a client for it."""
    server = servers.enter_context(running_server(n_ctx=n_ctx, model=model, log_name=log_name))
    return make_client(server.base_url, "not-needed", timeout)


class LocalProvider(Provider):
    """The embedded Qwen2.5-Coder-1.5B model on this machine: no key, no network (needs the [local] extra)."""

    name = "local"
    default_mode = "json_object"
    default_concurrency = 1

    @contextmanager
    def connect(self, settings: ProviderSettings) -> Iterator[Endpoint]:
        """Checks now; the server starts on the first real request, so a run answered wholly
        from the response cache never loads the model."""
        mode = self.check_mode(settings)
        n_ctx = int(settings.extra.get("n_ctx", 8192))
        model = embedded_model()
        with ExitStack() as servers, exit_on_sigterm():

            start = partial(_started_client, servers, model, timeout=settings.timeout)
            # Side questions get their own server (same weights, mapped once by the OS), started only if asked.
            side = Endpoint(self.name, None, MODEL_NAME, mode, strict=False, client_factory=partial(start, SIDE_CONTEXT, "server-side.log"))
            yield Endpoint(self.name, None, MODEL_NAME, mode, strict=False, client_factory=partial(start, n_ctx, "server.log"), side=side)
