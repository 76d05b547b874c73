"""``llmx eval``: run extraction over a gold file (or load saved predictions) and score it.

The gold format is FORMAT.md's (one article per JSONL line with ``id``,
``text`` and ``events``). Matching rules per type come from the types
themselves (``identity_fields``), so a new type is scored without code changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmx.pipeline.article import ExtractOptions, extract_all
from llmx.pipeline.read import Article
from llmx.registry import type_specs
from llmx.evaluation.score import DEFAULT_SPECS, Report, score


def gold_articles(gold: list[dict[str, Any]], path: Path) -> list[Article]:
    return [Article(str(a["id"]), a["text"], f"{path}:{a['id']}") for a in gold]


def run_predictions(
    gold: list[dict[str, Any]],
    path: Path,
    connect: Callable[[], Any],
    options: ExtractOptions,
    save: Path | None = None,
    on_doc: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Extract every gold article with one endpoint; optionally save the predictions as JSONL."""
    docs: list[dict[str, Any]] = []
    out = save.open("w", encoding="utf-8") if save else None
    try:
        with connect() as endpoint:
            for doc in extract_all(endpoint, gold_articles(gold, path), options):
                docs.append(doc)
                if out:
                    out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                    out.flush()
                if on_doc:
                    on_doc(doc)
    finally:
        if out:
            out.close()
    return docs


def evaluate(gold: list[dict[str, Any]], predicted: list[dict[str, Any]], types: dict[str, Any]) -> Report:
    """Score with the registered types' identity rules (FORMAT.md's rules for the built-ins)."""
    specs = {**DEFAULT_SPECS, **type_specs(types)}
    return score(gold, predicted, specs)
