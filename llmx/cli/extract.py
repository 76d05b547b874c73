"""``llmx extract``: parse the options, then hand the run to :func:`llmx.corpus.extract_inputs`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from llmx.cli.common import (
    DEFAULTS, ApiKeyOpt, BaseUrlOpt, ChunkOpt, ConfirmOpt, DateOpt, EvidenceOpt, MaxTokensOpt, ModelOpt, ModeOpt,
    ProviderOpt, RetriesOpt, SchemaOpt, SchemasDir, StrictOpt, TemperatureOpt, check_evidence, err, error, parse_date,
    provider_for, registry_for, user_errors,
)
from llmx.core.cache import ResponseCache
from llmx.core.data import Article, Document
from llmx.core.errors import UsageError
from llmx.corpus import Destination, extract_inputs
from llmx.output.write import FORMATS
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.read import read_inputs
from llmx.providers.base import ProviderSettings


def extract(
    inputs: Annotated[list[str], typer.Argument(help="Text files, directories of .txt files, globs, .jsonl files (id + text per line) or - for stdin.", show_default=False)],
    schema: SchemaOpt = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    mode: ModeOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", envvar="LLMX_FORMAT", help=f"Output format: {', '.join(FORMATS)}.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of standard output. An existing JSONL file is resumed.")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", "-j", min=1, envvar="LLMX_CONCURRENCY", help="Articles in flight at once. Default: the provider's (1 for the embedded model, 8 otherwise).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start the --output file afresh instead of resuming it.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary (errors are still printed).")] = False,
    max_retries: RetriesOpt = DEFAULTS.max_retries,
    temperature: TemperatureOpt = DEFAULTS.temperature,
    max_tokens: MaxTokensOpt = DEFAULTS.max_tokens,
    published: DateOpt = None,
    chunk_chars: ChunkOpt = DEFAULTS.chunk_chars,
    strict: StrictOpt = DEFAULTS.strict,
    evidence: EvidenceOpt = DEFAULTS.evidence,
    confirm: ConfirmOpt = DEFAULTS.confirm,
    schemas_dir: SchemasDir = None,
) -> None:
    """Extract events from articles.

    Examples:

      llmx extract examples/seed-putin-pezeshkian.txt

      llmx extract articles/ -f jsonl -o events.jsonl -j 16    (run it again to resume)

      llmx extract news.jsonl --base-url http://localhost:8000/v1 --model qwen2.5 -s meeting
    """
    with user_errors():
        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose from {', '.join(FORMATS)}", param_hint="--format")
        types = registry_for(schemas_dir).select(schema)
        options = ExtractOptions(types, max_retries=max_retries, temperature=temperature, max_tokens=max_tokens,
                                 published=parse_date(published), chunk_chars=chunk_chars, strict=strict,
                                 evidence=check_evidence(evidence), confirm=confirm)
        settings = ProviderSettings(model=model, base_url=base_url, api_key=api_key, mode=mode)
        chosen = provider_for(settings, provider)
        items = list(read_inputs(inputs))
        if not any(isinstance(i, Article) for i in items):
            unreadable = [i.error for i in items]
            raise UsageError(unreadable[0] if len(unreadable) == 1 else f"no readable input: {'; '.join(unreadable)}")
        options.cache = None if no_cache else ResponseCache()

        def report(doc: Document) -> None:
            for message in doc.errors:
                error(message)

        summary = extract_inputs(
            items, lambda: chosen.connect(settings), options, Destination(fmt, output, overwrite),
            concurrency=concurrency or chosen.default_concurrency, on_document=report,
            on_resume=None if quiet else lambda n: err.print(f"resuming {output}: {n} article(s) already done", markup=False),
            show_progress=not quiet and err.is_terminal,
        )
        if not quiet and len(items) > 1:
            for line in summary.lines():
                err.print(line, markup=False)
        if summary.failed:
            raise typer.Exit(1)
