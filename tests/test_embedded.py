"""The embedded runtime's process handling and saved prompt prefix, against a fake llama.cpp server.

The child process is llmx's real entry point with xllamacpp swapped for the fake
(tests/fake_llama_server.py): start on first use, restart once, a taken port, no server
left behind when llmx is killed, and prefix files that are restored when sound and
rebuilt when stale, truncated or corrupt.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import httpx2
import pytest

from llmx.core.errors import ProviderError
from llmx.providers import local, server
from llmx.providers.base import ProviderSettings
from llmx.providers.prefix import load_prefix, state_for
from llmx.providers.server import EmbeddedServer, ServerConfig, ToServer
from tests.fake_llama_server import FakeLlama

FAKE = Path(__file__).with_name("fake_llama_server.py")


@pytest.fixture
def fake_child(monkeypatch, tmp_path):
    """ServerConfig.command runs the fake instead of xllamacpp; the cache goes to tmp."""
    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ServerConfig, "command", lambda self: [sys.executable, str(FAKE), *_args(self)])


def _args(config: ServerConfig) -> list[str]:
    return ["--model", str(config.model), "--alias", config.alias, "--port", str(config.port), "--slots", str(server.slot_dir())]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _health(base: str) -> int:
    with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
        return response.status


def test_starts_on_first_use_and_stops(fake_child, tmp_path):
    srv = EmbeddedServer(ServerConfig(tmp_path / "m.gguf", "m"))
    assert srv.process is None  # nothing runs until a request needs the model
    base = srv.ensure()
    assert _health(base) == 200 and srv.ensure() == base
    pid = srv.process.pid
    srv.stop()
    assert srv.process is None and not _alive(pid)


def test_restarted_once_then_fails_fast(fake_child, tmp_path):
    srv = EmbeddedServer(ServerConfig(tmp_path / "m.gguf", "m"))
    srv.ensure()
    srv.process.kill()
    srv.process.wait()
    base = srv.ensure()  # died mid-run: started again
    assert _health(base) == 200 and srv.starts == 2
    srv.process.kill()
    srv.process.wait()
    with pytest.raises(ProviderError, match="died again"):
        srv.ensure()
    srv.stop()


def test_taken_port_falls_back_to_a_free_one(fake_child, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        srv = EmbeddedServer(ServerConfig(tmp_path / "m.gguf", "m", port=port))
        try:
            base = srv.ensure()
            assert httpx2.URL(base).port != port and _health(base) == 200
        finally:
            srv.stop()


def test_killed_llmx_leaves_no_server(tmp_path):
    """kill -9 of llmx gives no finally-block a chance: the child notices its stdin closing."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from pathlib import Path
        from llmx.providers.server import EmbeddedServer, ServerConfig
        ServerConfig.command = lambda self: [sys.executable, {str(FAKE)!r}, "--model", "m", "--alias", "m", "--slots", "."]
        srv = EmbeddedServer(ServerConfig(Path("m"), "m"))
        srv.ensure()
        print(srv.process.pid, flush=True)
        import time; time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "LLMX_CACHE_DIR": str(tmp_path)})
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def test_requests_are_routed_to_the_current_server(fake_child, tmp_path):
    srv = EmbeddedServer(ServerConfig(tmp_path / "m.gguf", "m"))
    with httpx2.Client(transport=ToServer(srv)) as client:
        assert srv.process is None
        assert client.get("http://embedded-model/health").status_code == 200  # started by this request
        srv.process.kill()
        srv.process.wait()
        assert client.get("http://embedded-model/health").status_code == 200  # restarted, new port
    srv.stop()


def test_local_provider_slots_and_side_endpoint(fake_child, monkeypatch, tmp_path):
    monkeypatch.setattr(local, "embedded_model", lambda: tmp_path / "m.gguf")
    with local.LocalProvider().connect(ProviderSettings(concurrency=3)) as endpoint:
        assert endpoint.mode == "json_schema" and endpoint.extra_body == {}
        # Confirmations go to the slot after the three extraction slots, never evicting their prefix.
        assert endpoint.side.extra_body == {"id_slot": 3} and endpoint.side.client is endpoint.client
        assert endpoint.client.models.with_raw_response.list().status_code == 200



def test_schema_token_counts_come_from_the_model_server_when_it_is_assembled(fake_child, monkeypatch, tmp_path):
    from llmx.authoring import check

    check.count_tokens.cache_clear()
    monkeypatch.setattr(local.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(local, "assembled_path", lambda: None)
    assert check.count_tokens("one two three four five six seven eight") == (9, False)  # 39 characters: ≈ chars/4 without a model
    with pytest.raises(local.UsageError, match="not assembled"):
        local.count_tokens("one two")

    check.count_tokens.cache_clear()
    (tmp_path / "m.gguf").write_bytes(b"")
    monkeypatch.setattr(local, "assembled_path", lambda: tmp_path / "m.gguf")
    assert check.count_tokens("one two three four five six seven eight") == (8, True)  # the fake's tokenizer: one per word
    check.count_tokens.cache_clear()

# --- the saved prefix ----------------------------------------------------------------------

MESSAGES = [{"role": "system", "content": "Extract events."}, {"role": "user", "content": "example"},
            {"role": "assistant", "content": "{}"}]


@pytest.fixture
def fake_llama(tmp_path):
    servers = []

    def start(**kwargs) -> FakeLlama:
        servers.append(FakeLlama(slots=tmp_path, **kwargs))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def test_prefix_built_once_then_restored_into_every_slot(fake_llama, tmp_path):
    first = fake_llama()
    assert load_prefix(first.listening_address, MESSAGES, tmp_path, "sha", [0, 1]) == "built"
    assert first.cache[0] == first.cache[1] and first.cache[0].endswith("<user>")  # cut before the article's turn
    second = fake_llama()  # the next run
    assert load_prefix(second.listening_address, MESSAGES, tmp_path, "sha", [0, 1]) == "restored"
    assert "/completion" not in second.calls and second.cache[0] == first.cache[0] == second.cache[1]


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "stamp"])
def test_damaged_prefix_file_is_rebuilt_not_trusted(fake_llama, tmp_path, damage):
    s = fake_llama()
    load_prefix(s.listening_address, MESSAGES, tmp_path, "sha", [0])
    state = next(p for p in tmp_path.glob("prefix-*.bin"))
    if damage == "corrupt":
        state.write_text(state.read_text().replace("Extract", "Exfract"))  # same size, other bytes
    elif damage == "truncated":
        state.write_text(state.read_text()[:5])
    else:
        state.with_suffix(".json").write_text("{not json")
    again = fake_llama()
    assert load_prefix(again.listening_address, MESSAGES, tmp_path, "sha", [0]) == "rebuilt"
    assert "/completion" in again.calls and "Exfract" not in again.cache[0]
    assert json.loads(state.with_suffix(".json").read_text())["bytes"] == state.stat().st_size


def test_prefix_restored_with_a_wrong_token_count_is_rebuilt(fake_llama, tmp_path):
    load_prefix(fake_llama().listening_address, MESSAGES, tmp_path, "sha", [0])
    odd = fake_llama(restore_bonus=7)
    assert load_prefix(odd.listening_address, MESSAGES, tmp_path, "sha", [0]) == "rebuilt"


def test_prefix_key_follows_model_and_prompt(tmp_path):
    a = state_for(tmp_path, "sha-a", "prompt")
    assert a == state_for(tmp_path, "sha-a", "prompt")
    assert a != state_for(tmp_path, "sha-b", "prompt") and a != state_for(tmp_path, "sha-a", "prompt v2")
