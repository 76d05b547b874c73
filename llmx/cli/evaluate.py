"""``llmx eval``: score saved predictions, or extract the gold articles and score them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from llmx.cli.common import ModelChoice, SchemaOpt, SchemasDir, err, model_choice, registry_for, tuning, user_errors, with_options
from llmx.core.data import Document
from llmx.core.errors import UsageError
from llmx.evaluation.compare import compare
from llmx.evaluation.run import evaluate, run_predictions, specs
from llmx.evaluation.score import read_jsonl
from llmx.evaluation.tables import comparison_table, render_table
from llmx.pipeline.options import ExtractOptions


def progress(doc: Document) -> None:
    failed = f", {len(doc.errors)} error(s)" if doc.errors else ""
    err.print(f"{doc.id}: {len(doc.events)} events, {doc.seconds:.1f}s{failed}", markup=False)


@with_options(choice=model_choice, tune=tuning)
def eval_command(
    choice: Callable[[], ModelChoice],
    tune: Callable[[], dict[str, Any]],
    gold: Annotated[Path, typer.Argument(help="Gold annotations: JSONL with id, text and events per line (see docs/eval-format.md).", show_default=False)],
    predictions: Annotated[Optional[Path], typer.Option("--predictions", help="Score this saved llmx JSONL output instead of running the model.")] = None,
    save: Annotated[Optional[Path], typer.Option("--save-predictions", help="Also write the predictions made during this run (JSONL).")] = None,
    against: Annotated[Optional[tuple[Path, Path]], typer.Option("--compare", help="Two saved prediction files (JSONL) side by side on this gold: per type, and the articles whose verdict changed.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    schema: SchemaOpt = None,
    schemas_dir: SchemasDir = None,
) -> None:
    """Measure extraction quality: precision/recall/F1 per type, field accuracy, grounding, tokens, time.

    Extracts what `llmx extract` would: every registered type, or those given with -s. The gold's
    own types are not used to choose: the prompt must not depend on the answers (asked only the two
    types dev2's gold holds, the embedded model reported five false warnings there; asked all four, none).

    Examples:

      llmx eval gold.jsonl --save-predictions run.jsonl

      llmx eval gold.jsonl --predictions run.jsonl -f json

      llmx eval gold.jsonl --compare before.jsonl after.jsonl
    """
    with user_errors():
        if fmt not in ("table", "json"):
            raise typer.BadParameter("choose from table, json", param_hint="--format")
        try:
            gold_rows = read_jsonl(gold)
            predicted = [Document.from_dict(d) for d in read_jsonl(predictions)] if predictions else None
        except (OSError, ValueError) as exc:
            raise UsageError(str(exc)) from None
        registry = registry_for(schemas_dir)
        if against:
            try:
                a, b = ([Document.from_dict(d) for d in read_jsonl(path)] for path in against)
            except (OSError, ValueError) as exc:
                raise UsageError(str(exc)) from None
            result = compare(gold_rows, a, b, specs(registry.types))
            if fmt == "json":
                print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
            else:
                Console().print(*comparison_table(result, (against[0].name, against[1].name)))
            return
        if predicted is None:
            types = registry.select(schema)
            chosen, options = choice(), ExtractOptions(types, **tune())
            predicted = run_predictions(gold_rows, gold, lambda: chosen.provider.connect(chosen.settings), options, save, progress)
        report = evaluate(gold_rows, predicted, registry.types)
        if fmt == "json":
            print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            Console().print(*render_table(report))
