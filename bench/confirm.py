"""The confirmation stage alone, three ways, on saved unconfirmed predictions: which question pays, per type.

Extraction is the slow part (about 30 s an article on 2 cores) and a confirmation
question only looks at one record's cited sentences, so the question's variants are
compared on one saved extraction (``llmx eval GOLD --no-confirm --save-predictions P``)
instead of one full run each:

- ``none``: every record kept;
- ``yes/no``: each type's ``confirm`` question, answered yes or no;
- ``near-misses``: the same question naming the type's ``near_misses`` as "no" cases;
- ``parties``: first the type's ``confirm_party`` question (is the issuer an official body?), then near-misses.

It prints event P/R/F1 per type for each variant and gold file, and all files together,
the questions asked and seconds per question, and writes each variant's predictions to
OUT so ``llmx eval GOLD --compare`` can show the articles that changed:

    python bench/confirm.py OUT GOLD PREDICTIONS [GOLD PREDICTIONS ...]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from llmx.core.cache import ResponseCache
from llmx.core.data import Document, Usage
from llmx.evaluation.run import evaluate
from llmx.evaluation.score import Report, read_jsonl
from llmx.pipeline.article import confirm_records
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import Endpoint, ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.registry import load_registry
from llmx.schemas.base import Event

VARIANTS = ("none", "yes/no", "near-misses", "parties")


def reconfirm(endpoint: Endpoint, docs: list[Document], variant: str, types: dict[str, type[Event]],
              cache: ResponseCache) -> tuple[list[Document], Usage, float]:
    """``docs`` with the records the variant's question denies removed; also the questions' usage and seconds.

    Answers are cached in OUT/answers.sqlite3: a question asked again about the same record (another
    extraction of the same article, a re-run) is answered from there, as ``llmx extract``'s cache would."""
    if variant == "none":
        return docs, Usage(), 0.0
    options = ExtractOptions(list(types.values()), cache=cache)
    usage, started, out = Usage(), time.perf_counter(), []
    for doc in docs:
        kept, _ = confirm_records(endpoint, doc.events, options, usage, doc.id, name_near_misses=variant != "yes/no",
                                  ask_party=variant == "parties")
        out.append(replace(doc, events=kept))
    return out, usage, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("files", nargs="+", type=Path, help="GOLD PREDICTIONS pairs")
    parser.add_argument("--only", choices=VARIANTS, action="append", help="run only these variants")
    args = parser.parse_args()
    if len(args.files) % 2:
        parser.error("give GOLD PREDICTIONS pairs")
    pairs = list(zip(args.files[::2], args.files[1::2]))
    types = load_registry().types
    args.out.mkdir(parents=True, exist_ok=True)
    cache = ResponseCache(args.out / "answers.sqlite3")
    with LocalProvider().connect(ProviderSettings()) as endpoint:
        for variant in args.only or VARIANTS:
            every_gold, every_doc, usage, seconds = [], [], Usage(), 0.0
            for gold_path, pred_path in pairs:
                gold = read_jsonl(gold_path)
                docs, used, s = reconfirm(endpoint, [Document.from_dict(d) for d in read_jsonl(pred_path)], variant, types, cache)
                seconds += s
                usage.add(used)
                name = f"{variant.replace('/', '')}-{gold_path.stem}.jsonl"
                (args.out / name).write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
                every_gold += gold
                every_doc += docs
                show(f"{variant:8} {gold_path.stem:10}", evaluate(gold, docs, types))
            show(f"{variant:8} {'together':10}", evaluate(every_gold, every_doc, types))
            print(f"{variant:8} {usage.calls + usage.cached} questions ({usage.cached} answered from the cache), "
                  f"{seconds / max(usage.calls, 1):.1f} s each\n")


def show(label: str, report: Report) -> None:
    cells = [f"{name} {s.f1:.2f} ({s.tp}/{s.fp}/{s.fn})" for name, s in report.types.items()]
    print(label, " | ".join(cells))


if __name__ == "__main__":
    main()
