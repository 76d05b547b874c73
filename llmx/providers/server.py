"""The embedded model's server process: start, wait, stop, restart once, route requests to it.

One child process (:mod:`llmx.providers.embedded_server`, llama.cpp's server through
xllamacpp) holds the model once per run. It starts on the first real request, so a run
answered wholly from the response cache never loads the model. It listens on a port the OS
picks, so a taken port never stops a run. If it dies mid-run, the request in flight fails
(that article's document carries the error), the next request starts it again, once.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx2

from llmx.core.errors import ProviderError
from llmx.core.paths import cache_dir

STARTUP_TIMEOUT = float(os.environ.get("LLMX_LOCAL_STARTUP_TIMEOUT", "180"))
RESTARTS = 1
"""A server that died is started again this many times per run; then its requests fail fast."""


@dataclass(frozen=True)
class ServerConfig:
    model: Path
    alias: str
    ctx: int = 8192
    """Tokens per slot: the longest prompt plus answer one request may use."""
    parallel: int = 2
    """Slots: requests decoded at once, each with its own KV cache."""
    threads: int = 0
    port: int = 0
    cache_ram_mib: int | None = None
    """llama.cpp's RAM prompt cache (MiB): None keeps its default (8192), 0 turns it off."""

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llmx.providers.embedded_server",
            "--model", str(self.model), "--alias", self.alias,
            "--ctx", str(self.ctx), "--parallel", str(self.parallel),
            "--threads", str(self.threads or os.cpu_count() or 2), "--port", str(self.port),
            "--slots", str(slot_dir()),
            *(["--cache-ram", str(self.cache_ram_mib)] if self.cache_ram_mib is not None else []),
        ]


def slot_dir() -> Path:
    """Saved slot states (the static prompt prefix's KV cache, see prefix.py)."""
    return cache_dir() / "kv"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _first_line(proc: subprocess.Popen, timeout: float) -> dict:
    """The child's one JSON status line, or a ProviderError if it exits or stays silent."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise ProviderError(f"embedded model server did not start within {timeout:.0f}s") from None
    try:
        return json.loads(line)
    except ValueError:
        raise ProviderError(f"embedded model server exited with code {proc.wait()} before it listened") from None


def post(base: str, path: str, body: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
    """POST JSON to one of llama.cpp's own endpoints (``/tokenize``, ``/slots/0?action=save`` ...) and read its JSON answer."""
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # 503 while loading, or refused: keep waiting
            pass
        time.sleep(0.2)
    raise ProviderError(f"embedded model server did not become ready within {timeout:.0f}s")


class EmbeddedServer:
    """The child process and its address; thread-safe. ``on_start`` runs after every (re)start."""

    def __init__(self, config: ServerConfig, on_start: Callable[[str], None] | None = None):
        self.config = config
        self.on_start = on_start
        self.process: subprocess.Popen | None = None
        self.base: str | None = None
        self.starts = 0
        self._lock = threading.RLock()

    @property
    def log(self) -> Path:
        return cache_dir() / "server.log"

    def _spawn(self, config: ServerConfig) -> tuple[subprocess.Popen, dict]:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        slot_dir().mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            # Own session: a Ctrl-C in the terminal reaches llmx, which then stops the server cleanly.
            proc = subprocess.Popen(config.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                    text=True, start_new_session=True)
        try:
            return proc, _first_line(proc, STARTUP_TIMEOUT)
        except BaseException:
            self._kill(proc)
            raise

    def start(self) -> str:
        """Start the server (a taken port falls back to one the OS picks) and return its base URL."""
        with self._lock:
            config = self.config if not self.config.port or port_free(self.config.port) else replace(self.config, port=0)
            proc, status = self._spawn(config)
            if "error" in status:
                self._kill(proc)
                raise ProviderError(f"embedded model server failed to start: {status['error']} (log: {self.log})")
            self.process, self.base, self.starts = proc, status["address"], self.starts + 1
            try:
                _wait_healthy(self.base, proc, STARTUP_TIMEOUT)
                if self.on_start:
                    self.on_start(self.base)
            except BaseException:
                self.stop()
                raise
            return self.base

    def ensure(self) -> str:
        """The running server's base URL: started on first use, restarted once if it died."""
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return self.base
            if self.process is not None:
                code = self.process.returncode
                if self.starts > RESTARTS:
                    raise ProviderError(f"embedded model server died again (code {code}); see {self.log}")
                self.process = None
            return self.start()

    def stop(self) -> None:
        with self._lock:
            if self.process is not None:
                self._kill(self.process)
                self.process = None

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                proc.stdin.close()  # the child exits when its stdin closes
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream and not stream.closed:
                stream.close()


class ToServer(httpx2.BaseTransport):
    """Sends each request to wherever the embedded server listens now (starting it if needed)."""

    def __init__(self, server: EmbeddedServer):
        self.server = server
        self.inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        base = httpx2.URL(self.server.ensure())
        request.url = request.url.copy_with(scheme=base.scheme, host=base.host, port=base.port)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


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
def running(server: EmbeddedServer) -> Iterator[EmbeddedServer]:
    """Own ``server`` for a block: stopped at its end, on errors, Ctrl-C and kill."""
    with exit_on_sigterm():
        try:
            yield server
        finally:
            server.stop()
