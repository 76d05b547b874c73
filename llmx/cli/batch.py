"""``llmx batch submit|status|collect``: argument parsing only; the work is in llmx/batch.py.

llmx/cli.py mounts ``batch_app`` after its own definitions, so the helpers shared
with it (``user_errors``, ``error``, ``registry_for``, ``parse_date``) are imported
inside the commands: importing them here at the top would be circular.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import openai
import typer

from llmx.pipeline.prepare import DEFAULT_CHUNK_CHARS
from llmx.output.write import FORMATS

batch_app = typer.Typer(help="Run extraction through the OpenAI Batch API: half the price, results within 24 h.", no_args_is_help=True)

DEFAULT_MODEL = "gpt-4.1-mini"
StateOpt = Annotated[Path, typer.Option("--state", help="The batch's state file: written by submit, read by status and collect.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", envvar="LLMX_BATCH_BASE_URL", help="Another server with OpenAI's Files and Batches API (default: OpenAI, or the one submit used).")]
ApiKeyOpt = Annotated[Optional[str], typer.Option("--api-key", envvar="LLMX_API_KEY", help="Key for a --base-url server (OpenAI itself gets OPENAI_API_KEY).", show_default=False)]
SchemasDirOpt = Annotated[Optional[list[Path]], typer.Option("--schemas-dir", envvar="LLMX_SCHEMAS_DIR", help="Extra directory of event-type modules (repeatable).")]


def batch_client(base_url: str | None, api_key: str | None) -> openai.OpenAI:
    """OPENAI_API_KEY goes to OpenAI only; another server gets --api-key / LLMX_API_KEY, as in ``llmx extract``."""
    from llmx.core.errors import UsageError
    from llmx.providers.base import make_client

    if base_url:
        return make_client(base_url, api_key or "not-needed", 600.0)
    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        raise UsageError("llmx batch needs an OpenAI API key: set OPENAI_API_KEY")
    return make_client(None, key, 600.0)


def when(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if timestamp else "-"


@batch_app.command("submit")
def submit_command(
    inputs: Annotated[list[str], typer.Argument(help="Text files, directories, globs, .jsonl files (id + text per line) or - for stdin.", show_default=False)],
    state: StateOpt = Path("llmx-batch.json"),
    schema: Annotated[Optional[list[str]], typer.Option("--schema", "-s", help="Event type to extract (repeatable). Default: all registered types.")] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="OpenAI model that answers the batch.")] = DEFAULT_MODEL,
    evidence: Annotated[str, typer.Option("--evidence", envvar="LLMX_EVIDENCE", help="cite (numbered sentences) or quote (the model copies quotes).")] = "cite",
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=64, help="Cap on each answer's length.")] = 1024,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, max=2.0, help="Sampling temperature.")] = 0.0,
    chunk_chars: Annotated[int, typer.Option("--chunk-chars", min=500, help="Longer articles are split on sentence boundaries into chunks of this size.")] = DEFAULT_CHUNK_CHARS,
    published: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD): resolves 'on Sunday' to a date.")] = None,
    schemas_dir: SchemasDirOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Upload one request per article chunk and start a batch; the state file remembers it.

    Example: llmx batch submit articles/ --state run1.json
    """
    from llmx.batch.api import build_requests, submit
    from llmx.cli import check_evidence, parse_date, registry_for, user_errors
    from llmx.pipeline.article import ExtractOptions
    from llmx.pipeline.read import InputFailure, read_inputs

    with user_errors():
        options = ExtractOptions(registry_for(schemas_dir).select(schema), temperature=temperature, max_tokens=max_tokens,
                                 published=parse_date(published), chunk_chars=chunk_chars, evidence=check_evidence(evidence))
        client = batch_client(base_url, api_key)
        items = list(read_inputs(inputs))
        for item in items:
            if isinstance(item, InputFailure):
                print(f"llmx: warning: {item.error} (skipped)", file=sys.stderr)
        lines, manifest = build_requests(items, options, model)
        batch_id = submit(client, lines, {**manifest, "base_url": base_url}, state)
        print(f"submitted batch {batch_id}: {len(lines)} request(s) for {len(manifest['articles'])} article(s)")
        print(f"state: {state}  (next: llmx batch status --state {state}; llmx batch collect --state {state} -o events.jsonl)")


@batch_app.command("status")
def status_command(state: StateOpt = Path("llmx-batch.json"), base_url: BaseUrlOpt = None, api_key: ApiKeyOpt = None) -> None:
    """Show the batch's status and request counts."""
    from llmx.batch.api import load_state, status
    from llmx.cli import user_errors

    with user_errors():
        saved = load_state(state)
        info = status(batch_client(base_url or saved.get("base_url"), api_key), saved)
        counts = info["request_counts"] or {}
        print(f"{info['id']}: {info['status']}")
        print(f"requests: {counts.get('completed', 0)} completed, {counts.get('failed', 0)} failed, {counts.get('total', 0)} total")
        print(f"created: {when(info['created_at'])}  completed: {when(info['completed_at'])}")
        for problem in info["errors"]:
            print(f"error: {problem}")


@batch_app.command("collect")
def collect_command(
    state: StateOpt = Path("llmx-batch.json"),
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of standard output.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: json, jsonl, csv or table.")] = "jsonl",
    schemas_dir: SchemasDirOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Download a completed batch, validate and ground its answers like `llmx extract`, write the documents.

    Exits 1 if any article has errors (each printed on stderr).
    """
    from rich.console import Console

    from llmx.batch.api import collect, load_state, options_from
    from llmx.cli import error, registry_for, user_errors
    from llmx.core.errors import UsageError
    from llmx.output.write import Writer

    with user_errors():
        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose from {', '.join(FORMATS)}", param_hint="--format")
        saved = load_state(state)
        registry = registry_for(schemas_dir)
        docs = collect(batch_client(base_url or saved.get("base_url"), api_key), saved, registry.types)
        try:
            out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        except OSError as exc:
            raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
        try:
            writer = Writer(out, fmt, options_from(saved, registry.types).types, Console(file=out, width=160) if output else None)
            for doc in docs:
                writer.write(doc)
            writer.close()
        finally:
            if output:
                out.close()
        for doc in docs:
            for message in doc["errors"]:
                error(message)
        if any(doc["errors"] for doc in docs):
            raise typer.Exit(1)
