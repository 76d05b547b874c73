"""``llmx extract``: parse the options, then hand the run to :func:`llmx.corpus.extract_inputs`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from llmx.cli.common import (
    DateOpt, ModelChoice, SchemaOpt, SchemasDir, err, error, model_choice, parse_date, registry_for, tuning,
    user_errors, with_options,
)
from llmx.core.cache import ResponseCache
from llmx.core.data import Article, Document
from llmx.core.errors import UsageError
from llmx.corpus import Destination, extract_inputs
from llmx.output.write import FORMATS
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.read import read_inputs
from llmx.report.page import page_renderer


@with_options(choice=model_choice, tune=tuning)
def extract(
    inputs: Annotated[list[str], typer.Argument(help="Text files, directories of .txt files, globs, .jsonl files (id + text per line) or - for stdin.", show_default=False)],
    choice: Callable[[], ModelChoice],
    tune: Callable[[], dict[str, Any]],
    schema: SchemaOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", envvar="LLMX_FORMAT", help=f"Output format: {', '.join(FORMATS)}.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of standard output. An existing JSONL file is resumed.")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", "-j", min=1, envvar="LLMX_CONCURRENCY", help="Articles in flight at once. Default: the provider's (2 for the embedded model, 8 otherwise).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start the --output file afresh instead of resuming it.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary (errors are still printed).")] = False,
    published: DateOpt = None,
    schemas_dir: SchemasDir = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="Also store every document in this SQLite event store as it finishes (see llmx events); a re-run resumes it.")] = None,
) -> None:
    """Extract events from articles.

    Examples:

      llmx extract examples/seed-putin-pezeshkian.txt

      llmx extract articles/ -f jsonl -o events.jsonl -j 16    (run it again to resume)

      llmx extract articles/ -f html -o report.html    (a review page: every record beside its evidence)

      llmx extract news.jsonl --base-url http://localhost:8000/v1 --model qwen2.5 -s meeting
    """
    with user_errors():
        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose from {', '.join(FORMATS)}", param_hint="--format")
        types = registry_for(schemas_dir).select(schema)
        options = ExtractOptions(types, published=parse_date(published), **tune())
        chosen = choice()
        items = list(read_inputs(inputs))
        if not any(isinstance(i, Article) for i in items):
            unreadable = [i.error for i in items]
            raise UsageError(unreadable[0] if len(unreadable) == 1 else f"no readable input: {'; '.join(unreadable)}")
        options.cache = None if no_cache else ResponseCache()
        page = page_renderer([i for i in items if isinstance(i, Article)]) if fmt == "html" else None

        def report(doc: Document) -> None:
            for message in doc.errors:
                error(message)

        concurrency = concurrency or chosen.provider.default_concurrency
        settings = replace(chosen.settings, concurrency=concurrency)  # the embedded model sizes its slots by it
        summary = extract_inputs(
            items, lambda: chosen.provider.connect(settings), options, Destination(fmt, output, overwrite, db, page),
            concurrency=concurrency, on_document=report,
            on_resume=None if quiet else lambda n: err.print(f"resuming {output or db}: {n} article(s) already done", markup=False),
            show_progress=not quiet and err.is_terminal, run_label=f"{chosen.provider.name}/{chosen.settings.model or 'default'}",
        )
        if not quiet and len(items) > 1:
            for line in summary.lines():
                err.print(line, markup=False)
        if summary.failed:
            raise typer.Exit(1)
