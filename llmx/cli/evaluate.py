"""``llmx eval``: score saved predictions, or extract the gold articles and score them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from llmx.cli.common import (
    DEFAULTS, ApiKeyOpt, BaseUrlOpt, ChunkOpt, ConfirmOpt, EvidenceOpt, MaxTokensOpt, ModelOpt, ModeOpt, ProviderOpt,
    RetriesOpt, SchemaOpt, SchemasDir, StrictOpt, TemperatureOpt, check_evidence, err, provider_for, registry_for, user_errors,
)
from llmx.core.data import Document
from llmx.core.errors import UsageError
from llmx.evaluation.run import evaluate, gold_types, run_predictions
from llmx.evaluation.score import read_jsonl
from llmx.evaluation.tables import render_table
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import ProviderSettings


def progress(doc: Document) -> None:
    failed = f", {len(doc.errors)} error(s)" if doc.errors else ""
    err.print(f"{doc.id}: {len(doc.events)} events, {doc.seconds:.1f}s{failed}", markup=False)


def eval_command(
    gold: Annotated[Path, typer.Argument(help="Gold annotations: JSONL with id, text and events per line (see docs/eval-format.md).", show_default=False)],
    predictions: Annotated[Optional[Path], typer.Option("--predictions", help="Score this saved llmx JSONL output instead of running the model.")] = None,
    save: Annotated[Optional[Path], typer.Option("--save-predictions", help="Also write the predictions made during this run (JSONL).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    schema: SchemaOpt = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    mode: ModeOpt = None,
    max_retries: RetriesOpt = DEFAULTS.max_retries,
    temperature: TemperatureOpt = DEFAULTS.temperature,
    max_tokens: MaxTokensOpt = DEFAULTS.max_tokens,
    chunk_chars: ChunkOpt = DEFAULTS.chunk_chars,
    strict: StrictOpt = DEFAULTS.strict,
    evidence: EvidenceOpt = DEFAULTS.evidence,
    confirm: ConfirmOpt = DEFAULTS.confirm,
    schemas_dir: SchemasDir = None,
) -> None:
    """Measure extraction quality: precision/recall/F1 per type, field accuracy, grounding, tokens, time.

    Extracts the types the gold file annotates (or those given with -s).

    Examples:

      llmx eval gold.jsonl --save-predictions run.jsonl

      llmx eval gold.jsonl --predictions run.jsonl -f json
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
        if predicted is None:
            types = registry.select(schema or gold_types(gold_rows, registry.types))
            settings = ProviderSettings(model=model, base_url=base_url, api_key=api_key, mode=mode)
            chosen = provider_for(settings, provider)
            options = ExtractOptions(types, max_retries=max_retries, temperature=temperature, max_tokens=max_tokens,
                                     chunk_chars=chunk_chars, strict=strict, evidence=check_evidence(evidence), confirm=confirm)
            predicted = run_predictions(gold_rows, gold, lambda: chosen.connect(settings), options, save, progress)
        report = evaluate(gold_rows, predicted, registry.types)
        if fmt == "json":
            print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            Console().print(*render_table(report))
