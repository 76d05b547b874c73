"""A tiny OpenAI-compatible stub server for llmx's own tests and benchmarks.

A stand-in, used ONLY to exercise mechanics: concurrency limits, resume,
caching, HTTP retries and llmx's per-article overhead. Its answers are
canned (by default an empty list per event type), so it says nothing about
extraction quality; that is tested against real model recordings in
``cassettes/``.

    with StubServer(latency=0.2) as stub:
        # run llmx with --provider compatible --base-url {stub.base_url} --model stub --mode json_object
        assert stub.requests == 12 and stub.max_in_flight <= 4

Standard library only (``ThreadingHTTPServer`` in a background thread on
127.0.0.1, a free port), so tests need no extra dependency. ``python -m
tests.stub_server`` runs it in its own process (the benchmark does, so the stub
does not compete with llmx for the GIL); ``GET /stub/stats`` then reports the
counters and the last request body.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

Answer = Callable[[dict[str, Any]], str]


def empty_answer(request: dict[str, Any]) -> str:
    """``{type: []}`` for every property of the requested schema (json_object mode, as llmx sends it)."""
    response_format = request.get("response_format") or {}
    schema = response_format.get("schema") or (response_format.get("json_schema") or {}).get("schema") or {}
    return json.dumps({key: [] for key in schema.get("properties", {})})


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


class BatchAPI:
    """OpenAI's Files and Batches endpoints in memory, served by ``StubServer(batch=BatchAPI())``.

    It stores what llmx uploads and serves back result files a test puts together
    (``finish``); it never answers as a model.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.uploads: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.on_create: Callable[[], None] | None = None
        self.fail_create = False

    def post(self, path: str, content_type: str, data: bytes) -> tuple[int, Any] | None:
        """(status, JSON body) for a Files/Batches POST, or None for another route."""
        if path == "/v1/files":
            form = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + data)
            fields = {p.get_param("name", header="content-disposition"): p for p in form.iter_parts()}
            content = fields["file"].get_payload(decode=True)
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = content
            self.uploads.append({"purpose": fields["purpose"].get_payload(decode=True).decode(), "filename": fields["file"].get_filename(), "content": content})
            return 200, {"id": file_id, "object": "file", "bytes": len(content), "created_at": 1700000000,
                         "filename": fields["file"].get_filename(), "purpose": "batch", "status": "processed"}
        if path == "/v1/batches":
            body = json.loads(data)
            self.created.append(body)
            if self.on_create:
                self.on_create()
            if self.fail_create:
                return 500, {"error": {"message": "The server had an error (simulated).", "type": "server_error", "code": None}}
            batch_id = f"batch_{len(self.batches) + 1}"
            self.batches[batch_id] = {"id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
                                      "input_file_id": body["input_file_id"], "completion_window": body["completion_window"],
                                      "status": "validating", "output_file_id": None, "error_file_id": None,
                                      "created_at": 1700000000, "completed_at": None, "metadata": body.get("metadata"),
                                      "request_counts": {"total": 0, "completed": 0, "failed": 0}}
            return 200, self.batches[batch_id]
        return None

    def get(self, path: str) -> tuple[int, Any] | bytes | None:
        """A batch (status, body), a file's raw bytes, or None for another route."""
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "batches"] and len(parts) == 3 and parts[2] in self.batches:
            return 200, self.batches[parts[2]]
        if parts[:2] == ["v1", "files"] and len(parts) == 4 and parts[3] == "content" and parts[2] in self.files:
            return self.files[parts[2]]
        return None

    def requests(self, batch_id: str) -> list[dict[str, Any]]:
        """The request lines llmx uploaded for this batch."""
        return [json.loads(line) for line in self.files[self.batches[batch_id]["input_file_id"]].decode().splitlines()]

    def set_status(self, batch_id: str, status: str, completed: int = 0, failed: int = 0) -> None:
        batch = self.batches[batch_id]
        batch["status"] = status
        batch["request_counts"] = {"total": len(self.requests(batch_id)), "completed": completed, "failed": failed}

    def finish(self, batch_id: str, outputs: list[dict[str, Any]], errors: list[dict[str, Any]] = (), status: str = "completed") -> None:
        """Serve these output (and error) lines as the batch's result files."""
        batch = self.batches[batch_id]
        for kind, lines in (("output", outputs), ("error", errors)):
            if lines:
                file_id = f"file-{kind}-{batch_id}"
                self.files[file_id] = "".join(json.dumps(line) + "\n" for line in lines).encode()
                batch[f"{kind}_file_id"] = file_id
        self.set_status(batch_id, status, completed=len(outputs), failed=len(errors))
        batch["completed_at"] = int(time.time())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server: the benchmark should not pay a TCP connect per request
    disable_nagle_algorithm = True  # else Nagle + the client's delayed ACK add ~40 ms to every keep-alive answer
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.stub._lock:
            self.server.stub._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.stub._lock:
                self.server.stub._connections.discard(self.connection)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, code: str | None, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/stub/stats":  # for a stub in another process (python -m tests.stub_server)
            stub = self.server.stub
            self._send(200, {"requests": stub.requests, "max_in_flight": stub.max_in_flight, "last_request": stub.last_request})
        elif self.server.stub.batch and (found := self.server.stub.batch.get(self.path)) is not None:
            if isinstance(found, bytes):
                self._send(200, None, raw=found)
            else:
                self._send(*found)
        elif self.path.rstrip("/") == "/v1/models":
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "llmx-testing"} for m in self.server.stub.models]
            self._send(200, {"object": "list", "data": models})
        else:
            self._error(404, f"no route {self.path}", "invalid_request_error", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        batch = self.server.stub.batch
        if batch and (answered := batch.post(self.path, self.headers.get("Content-Type", ""), raw)) is not None:
            self._send(*answered)
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}", "invalid_request_error", "not_found")
            return
        self.server.stub._serve_chat(self, raw)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default listen backlog of 5 drops SYNs when 32 clients connect at once (1 s stalls)
    stub: StubServer


class StubServer:
    """The stub as a context manager; ``requests``, ``max_in_flight`` and ``last_request`` are for assertions."""

    def __init__(self, latency: float = 0.0, answer: Answer | None = None, fail_first: int = 0,
                 retry_after: float = 0, models: tuple[str, ...] = ("stub",), refuse_key: bool = False,
                 batch: BatchAPI | None = None):
        self.latency = latency
        self.answer = answer or empty_answer
        self.fail_first = fail_first
        self.retry_after = retry_after
        """Seconds sent in ``Retry-After`` with each 429 (0: the client falls back to its own backoff)."""
        self.models = models
        self.refuse_key = refuse_key
        """Answer every chat request 401 invalid_api_key, as a server that rejects the key."""
        self.batch = batch
        """Also serve OpenAI's Files and Batches endpoints from this in-memory store."""
        self.last_request: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> int:
        """Chat-completion requests received so far, 429s included."""
        with self._lock:
            return self._requests

    @property
    def max_in_flight(self) -> int:
        """The most chat-completion requests that were being answered at the same moment."""
        with self._lock:
            return self._max_in_flight

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stub server is not running")
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def extract_args(self, *extra: str) -> list[str]:
        """``llmx extract`` options that send every call to this stub, in JSON-schema mode, with no response cache."""
        return ["--provider", "compatible", "--base-url", self.base_url, "--model", "stub", "--mode", "json_schema", "--no-cache", *extra]

    def _serve_chat(self, handler: _Handler, raw: bytes) -> None:
        with self._lock:
            self._requests += 1
            number = self._requests
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            try:
                request = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                handler._error(400, "request body is not JSON", "invalid_request_error", None)
                return
            self.last_request = request
            if self.refuse_key:
                handler._error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key")
                return
            if number <= self.fail_first:
                handler._error(429, "Rate limit reached for stub (simulated).", "requests", "rate_limit_exceeded",
                               {"Retry-After": f"{self.retry_after:g}"})
                return
            if self.latency:
                time.sleep(self.latency)
            try:
                content = self.answer(request)
            except Exception as exc:  # noqa: BLE001 -- a broken answer callable is the test's bug: report it as a 500
                handler._error(500, f"stub answer failed: {exc!r}", "server_error", None)
                return
            prompt = sum(len(_text(m.get("content"))) for m in request.get("messages", [])) // 4
            completion = len(content) // 4
            handler._send(200, {
                "id": f"chatcmpl-stub-{number}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.get("model", "stub"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            })
        finally:
            with self._lock:
                self._in_flight -= 1

    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="llmx-stub-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end open keep-alive connections and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # wakes handler threads blocked waiting for the next request
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve until standard input closes; the first line printed is the base URL."""
    parser = argparse.ArgumentParser(prog="python -m tests.stub_server", description="OpenAI-compatible stub server (mechanics only).")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-first", type=int, default=0, help="answer the first N chat requests with 429")
    parser.add_argument("--answer", type=argparse.FileType(encoding="utf-8"), help="answer every chat request with this file's text")
    args = parser.parse_args(argv)
    content = args.answer.read() if args.answer else None
    answer = (lambda request: content) if content is not None else None
    with StubServer(latency=args.latency, fail_first=args.fail_first, answer=answer) as stub:
        print(stub.base_url, flush=True)
        try:
            sys.stdin.read()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
