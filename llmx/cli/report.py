"""``llmx report``: saved results (and optionally gold) → one self-contained HTML review page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from llmx.cli.common import SchemasDir, err, registry_for, user_errors
from llmx.core.data import Article, Document
from llmx.core.errors import UsageError
from llmx.evaluation.run import specs
from llmx.evaluation.score import read_jsonl
from llmx.pipeline.read import read_inputs
from llmx.report.data import build_report
from llmx.report.page import render


def report(
    results: Annotated[list[Path], typer.Argument(help="llmx extract -f jsonl output (one or more files).", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the page here instead of standard output.")] = None,
    articles: Annotated[Optional[list[str]], typer.Option("--articles", "-a", help="The article texts (files, directories, globs, .jsonl), when the results do not carry them (repeatable).")] = None,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold annotations (JSONL): mark each record matched or false, list the missed events, show P/R/F1.")] = None,
    title: Annotated[str, typer.Option("--title", help="The page's title.")] = "llmx review",
    schemas_dir: SchemasDir = None,
) -> None:
    """Write a review page: every record beside the words it came from.

    Examples:

      llmx report events.jsonl -o report.html

      llmx report run.jsonl --articles news.jsonl --gold gold.jsonl -o review.html
    """
    with user_errors():
        try:
            docs = [Document.from_dict(d) for path in results for d in read_jsonl(path)]
            gold_rows = read_jsonl(gold) if gold else None
        except (OSError, ValueError) as exc:
            raise UsageError(str(exc)) from None
        texts = [a for a in read_inputs(articles or []) if isinstance(a, Article)]
        try:
            view = build_report(docs, texts, gold_rows, specs(registry_for(schemas_dir).types), title, gold.name if gold else None)
        except ValueError as exc:  # the scorer refuses duplicate ids rather than double-count
            raise UsageError(str(exc)) from None
        page = render(view)
        if output is None:
            sys.stdout.write(page)
            return
        output.write_text(page, encoding="utf-8")
        err.print(f"{output}: {len(view.articles)} article(s), {len(page.encode()) // 1024} KB", markup=False)
