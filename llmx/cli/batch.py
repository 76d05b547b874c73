"""``llmx batch submit|status|collect``: argument parsing only; the work is in llmx/batch/api.py."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import openai
import typer
from rich.console import Console

from llmx.batch.api import build_requests, collect, load_state, options_from, status, submit
from llmx.cli.common import DEFAULTS, ChunkOpt, DateOpt, EvidenceOpt, MaxTokensOpt, TemperatureOpt, SchemaOpt, SchemasDir, check_evidence, error, parse_date, registry_for, user_errors, warn
from llmx.core.data import InputFailure
from llmx.core.errors import UsageError
from llmx.output.write import FORMATS, Writer
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.read import read_inputs
from llmx.providers.base import make_client
from llmx.providers.openai import DEFAULT_MODEL

batch_app = typer.Typer(help="Run extraction through the OpenAI Batch API: half the price, results within 24 h.", no_args_is_help=True)

StateOpt = Annotated[Path, typer.Option("--state", help="The batch's state file: written by submit, read by status and collect.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", envvar="LLMX_BATCH_BASE_URL", help="Another server with OpenAI's Files and Batches API (default: OpenAI, or the one submit used).")]
ApiKeyOpt = Annotated[Optional[str], typer.Option("--api-key", envvar="LLMX_API_KEY", help="Key for a --base-url server (OpenAI itself gets OPENAI_API_KEY).", show_default=False)]


def batch_client(base_url: str | None, api_key: str | None) -> openai.OpenAI:
    """OPENAI_API_KEY goes to OpenAI only; another server gets --api-key / LLMX_API_KEY, as in ``llmx extract``."""
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
    schema: SchemaOpt = None,
    model: Annotated[str, typer.Option("--model", "-m", help="OpenAI model that answers the batch.")] = DEFAULT_MODEL,
    evidence: EvidenceOpt = DEFAULTS.evidence,
    max_tokens: MaxTokensOpt = DEFAULTS.max_tokens,
    temperature: TemperatureOpt = DEFAULTS.temperature,
    chunk_chars: ChunkOpt = DEFAULTS.chunk_chars,
    published: DateOpt = None,
    schemas_dir: SchemasDir = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Upload one request per article chunk and start a batch; the state file remembers it.

    Example: llmx batch submit articles/ --state run1.json
    """
    with user_errors():
        options = ExtractOptions(registry_for(schemas_dir).select(schema), temperature=temperature, max_tokens=max_tokens,
                                 published=parse_date(published), chunk_chars=chunk_chars, evidence=check_evidence(evidence))
        client = batch_client(base_url, api_key)
        items = list(read_inputs(inputs))
        for item in items:
            if isinstance(item, InputFailure):
                warn(f"{item.error} (skipped)")
        lines, manifest = build_requests(items, options, model)
        batch_id = submit(client, lines, {**manifest, "base_url": base_url}, state)
        print(f"submitted batch {batch_id}: {len(lines)} request(s) for {len(manifest['articles'])} article(s)")
        print(f"state: {state}  (next: llmx batch status --state {state}; llmx batch collect --state {state} -o events.jsonl)")


@batch_app.command("status")
def status_command(state: StateOpt = Path("llmx-batch.json"), base_url: BaseUrlOpt = None, api_key: ApiKeyOpt = None) -> None:
    """Show the batch's status and request counts."""
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
    schemas_dir: SchemasDir = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
) -> None:
    """Download a completed batch, validate and ground its answers like `llmx extract`, write the documents.

    Exits 1 if any article has errors (each printed on stderr).
    """
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
            for message in doc.errors:
                error(message)
        if any(doc.errors for doc in docs):
            raise typer.Exit(1)
