"""Read inputs into articles: text and HTML files, directories, globs, stdin and JSONL records.

Every input either becomes an :class:`Article` or an :class:`InputFailure`
carrying a one-line cause, so one unreadable file never stops a batch.
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from llmx.core.data import Article, InputFailure
from llmx.core.errors import InputError
from llmx.pipeline.html import HTML_SUFFIXES, page_text

__all__ = ["Article", "InputFailure", "read_inputs"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}


def decode(data: bytes, name: str) -> str:
    """UTF-8 first (with or without BOM), then charset detection; binary data is refused."""
    if not data.strip():
        raise InputError(f"{name}: empty input")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"{name}: not UTF-8 and no text encoding fits; convert it to UTF-8") from None
        text = str(best)
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise InputError(f"{name}: binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: empty input")
    return text


def _records(path: Path, data: bytes) -> Iterator[Article | InputFailure]:
    """One article per JSONL line with ``id`` and ``text``; bad lines fail alone."""
    for lineno, line in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputFailure(f"{path.stem}:{lineno}", where, f"{where}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            yield InputFailure(str(record.get("id", f"{path.stem}:{lineno}")) if isinstance(record, dict) else f"{path.stem}:{lineno}", where, f"{where}: needs a non-empty \"text\" field")
            continue
        yield Article(str(record.get("id") or f"{path.stem}:{lineno}"), record["text"], where)


def _read_file(path: Path) -> Iterator[Article | InputFailure]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputFailure(path.stem, str(path), f"{path}: cannot read ({exc.strerror or exc})")
        return
    if path.suffix == ".jsonl":
        yield from _records(path, data)
        return
    if path.suffix.lower() in HTML_SUFFIXES:
        yield _html_article(path, data)
        return
    try:
        yield Article(path.stem, decode(data, str(path)), str(path))
    except InputError as exc:
        yield InputFailure(path.stem, str(path), str(exc))


def _html_article(path: Path, data: bytes) -> Article | InputFailure:
    """A saved web page: its main text, with the text itself in the document (offsets refer to it)."""
    try:
        page = page_text(data, str(path))
    except InputError as exc:
        return InputFailure(path.stem, str(path), str(exc))
    meta = {"title": page.title, "url": page.url, "published": page.published.isoformat() if page.published else None, "text": page.text}
    return Article(path.stem, page.text, str(path), published=page.published, meta=meta)


def expand(spec: str) -> list[Path]:
    """A path, a directory (its text, HTML and JSONL files, sorted) or a glob pattern."""
    path = Path(spec)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and (p.suffix in TEXT_SUFFIXES or p.suffix == ".jsonl" or p.suffix.lower() in HTML_SUFFIXES))
    if not path.exists() and any(ch in spec for ch in "*?["):
        return [Path(p) for p in sorted(glob.glob(spec, recursive=True)) if Path(p).is_file()]
    return [path]


def read_inputs(specs: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Article | InputFailure]:
    """Articles in the order given; '-' reads standard input."""
    for spec in specs:
        if spec == "-":
            data = (stdin or sys.stdin.buffer).read()
            try:
                yield Article("stdin", decode(data, "stdin"), "stdin")
            except InputError as exc:
                yield InputFailure("stdin", "stdin", str(exc))
            continue
        paths = expand(spec)
        if not paths:
            yield InputFailure(spec, spec, f"{spec}: no matching files")
        for path in paths:
            if not path.exists():
                yield InputFailure(path.stem, str(path), f"{path}: no such file")
                continue
            yield from _read_file(path)
