"""Stand-ins for the embedded runtime, so its process handling and prefix files are tested without a model.

``python tests/fake_llama_server.py ARGS`` runs llmx's real child entry point
(:func:`llmx.providers.embedded_server.main`: status line, stdin watch, signals) with
xllamacpp replaced by :class:`FakeLlama`, a tiny HTTP server that speaks the few
llama.cpp endpoints llmx uses: ``/health``, ``/apply-template``, ``/tokenize``, ``/completion`` and
``/slots/N?action=save|restore``. Saved "states" are the prompt text itself, so a
restore can be checked exactly.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class FakeLlama:
    """A llama.cpp-like server on ``port`` (0: any) saving slot states under ``slots``."""

    def __init__(self, port: int = 0, slots: str | Path = ".", *, restore_bonus: int = 0):
        self.slots_dir = Path(slots)
        self.cache: dict[int, str] = {}
        self.calls: list[str] = []
        self.restore_bonus = restore_bonus
        """Added to n_restored: a server that restores something other than what was saved."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(200, {"status": "ok"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                code, answer = owner.handle(urlparse(self.path), body)
                self._send(code, answer)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.listening_address = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, url, body: dict) -> tuple[int, dict]:
        self.calls.append(url.path)
        if url.path == "/apply-template":
            return 200, {"prompt": "".join(f"<{m['role']}>{m['content']}</>" for m in body["messages"]) + "<assistant>"}
        if url.path == "/tokenize":  # one "token" per word, so a count can be checked exactly
            return 200, {"tokens": list(range(len(body["content"].split())))}
        if url.path == "/completion":
            self.cache[body.get("id_slot", 0)] = body["prompt"]
            return 200, {"content": ""}
        if url.path.startswith("/slots/"):
            slot, action = int(url.path.rsplit("/", 1)[1]), parse_qs(url.query)["action"][0]
            file = self.slots_dir / body["filename"]
            if action == "save":
                file.write_text(self.cache[slot])
                return 200, {"n_saved": len(self.cache[slot])}
            if not file.is_file():
                return 400, {"error": "no such file"}
            self.cache[slot] = file.read_text(errors="replace")
            return 200, {"n_restored": len(self.cache[slot]) + self.restore_bonus}
        return 404, {"error": "not found"}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from llmx.providers import embedded_server

    def fake(args):
        return FakeLlama(args.port, args.slots)

    embedded_server.start_server = fake
    sys.exit(embedded_server.main())
