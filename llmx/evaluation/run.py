"""``llmx eval``: run extraction over a gold file (or load saved predictions) and score it.

The gold format is FORMAT.md's (one article per JSONL line with ``id``,
``text`` and ``events``). Matching rules per type come from the types
themselves (``Event.identity_spec()``), so a new type is scored without code changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmx.core.data import Article, Document
from llmx.evaluation.score import Report, score
from llmx.pipeline.article import extract_all
from llmx.pipeline.options import ExtractOptions
from llmx.schemas.base import Event
from llmx.schemas.identity import TypeSpec


def gold_articles(gold: list[dict[str, Any]], path: Path) -> list[Article]:
    return [Article(str(a["id"]), a["text"], f"{path}:{a['id']}") for a in gold]


def run_predictions(
    gold: list[dict[str, Any]],
    path: Path,
    connect: Callable[[], Any],
    options: ExtractOptions,
    save: Path | None = None,
    on_doc: Callable[[Document], None] | None = None,
) -> list[Document]:
    """Extract every gold article with one endpoint; optionally save the predictions as JSONL."""
    docs: list[Document] = []
    out = save.open("w", encoding="utf-8") if save else None
    try:
        with connect() as endpoint:
            for doc in extract_all(endpoint, gold_articles(gold, path), options):
                docs.append(doc)
                if out:
                    out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
                    out.flush()
                if on_doc:
                    on_doc(doc)
    finally:
        if out:
            out.close()
    return docs


def specs(types: dict[str, type[Event]]) -> dict[str, TypeSpec]:
    """The registered types' identity rules, as the scorer takes them."""
    return {name: cls.identity_spec() for name, cls in types.items()}


def evaluate(gold: list[dict[str, Any]], predicted: list[Document], types: dict[str, type[Event]]) -> Report:
    """Score with the registered types' identity rules."""
    return score(gold, predicted, specs(types))

