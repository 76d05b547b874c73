"""The confirmation stage alone, three ways, on saved unconfirmed predictions: which question pays, per type.

Extraction is the slow part (about 30 s an article on 2 cores) and a confirmation
question only looks at one record's cited sentences, so the question's variants are
compared on one saved extraction (``llmx eval GOLD --no-confirm --save-predictions P``)
instead of one full run each:

- ``none``: every record kept;
- ``yes/no``: each type's ``confirm`` question, answered yes or no;
- ``near-misses``: the same question naming the type's ``near_misses`` as "no" cases;
- ``parties``: first the type's ``confirm_party`` question (is the issuer an official body?), then near-misses;
- ``reextract``: the record's type extracted again from its evidence alone must report it (:func:`reextracted`);
- ``parties+reextract``: the party question, then the re-extraction;
- ``same-government``: ``parties``, then for a meeting whose participants all represent one state, "Are A (role)
  and B (role) members of one government, party or organisation?"; a "yes" drops it (:func:`one_side`);
- ``calibrated``: the party question, then the near-miss question decided by contextual calibration
  (:func:`calibrated`), not by the answer word.

``--checks`` first applies the pipeline's current model-free record checks (``checks.check_record``: states,
parties, required fields, evidence words) to the saved records, so an extraction saved before a check was
added is measured as the pipeline now treats it; ``--unasked TYPE`` keeps that type's records without
asking them anything.

It prints event P/R/F1 per type for each variant and gold file, and all files together,
the questions asked and seconds per question, and writes each variant's predictions to
OUT so ``llmx eval GOLD --compare`` can show the articles that changed:

    python bench/confirm.py OUT GOLD PREDICTIONS [GOLD PREDICTIONS ...] [--checks] [--unasked meeting]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import replace
from pathlib import Path

from llmx.core.cache import ResponseCache
from llmx.core.data import Document, Record, Usage
from llmx.core.errors import ExtractionError
from llmx.evaluation.run import evaluate
from llmx.evaluation.score import Report, read_jsonl
from llmx.pipeline.answer import prepare_chunk
from llmx.pipeline.article import answer_request, confirm_records
from llmx.pipeline.checks import check_record
from llmx.pipeline.confirm import Verdict, confirmed, messages
from llmx.pipeline.ground import ground
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.per_type import per_type_requests
from llmx.providers.base import Endpoint, ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.registry import load_registry
from llmx.schemas.base import Event
from llmx.schemas.identity import matches_gold

VARIANTS = ("none", "yes/no", "near-misses", "parties", "reextract", "parties+reextract", "same-government", "calibrated")
CONTENT_FREE = "N/A"


def rechecked(docs: list[Document], gold: list[dict], types: dict[str, type[Event]]) -> list[Document]:
    """``docs`` with the records that the pipeline's current model-free checks drop removed (the article texts are the gold's)."""
    texts = {article["id"]: article["text"] for article in gold}
    out = []
    for doc in docs:
        text, kept = texts[doc.id], []
        for record in doc.events:
            checked, _ = check_record(record, types[record.type], text)
            if checked is not None:
                kept.append(checked)
        out.append(replace(doc, events=kept))
    return out


def asked_only(docs: list[Document], unasked: set[str]) -> tuple[list[Document], dict[str, list[Record]]]:
    """``docs`` without the records of ``unasked`` types, and those records by article (put back after the questions)."""
    aside = {doc.id: [r for r in doc.events if r.type in unasked] for doc in docs}
    return [replace(doc, events=[r for r in doc.events if r.type not in unasked]) for doc in docs], aside


def reconfirm(endpoint: Endpoint, docs: list[Document], variant: str, types: dict[str, type[Event]],
              cache: ResponseCache) -> tuple[list[Document], Usage, float]:
    """``docs`` with the records the variant's question denies removed; also the questions' usage and seconds.

    Answers are cached in OUT/answers.sqlite3: a question asked again about the same record (another
    extraction of the same article, a re-run) is answered from there, as ``llmx extract``'s cache would."""
    if variant == "none":
        return docs, Usage(), 0.0
    options = ExtractOptions(list(types.values()), cache=cache)
    usage, started, out = Usage(), time.perf_counter(), []
    if variant == "calibrated":
        for doc in docs:
            out.append(replace(doc, events=[r for r in doc.events if calibrated(endpoint.side or endpoint, r, types[r.type], usage, cache)]))
        return out, usage, time.perf_counter() - started
    if variant == "same-government":
        for doc in docs:
            kept, _ = confirm_records(endpoint, doc.events, options, usage, doc.id)
            out.append(replace(doc, events=[r for r in kept if not one_side(endpoint.side or endpoint, r, usage, cache, doc.id)]))
        return out, usage, time.perf_counter() - started
    if variant.endswith("reextract"):
        for doc in docs:
            out.append(replace(doc, events=[r for r in doc.events if kept_by_reextraction(endpoint, r, types[r.type], options, usage,
                                                                                           doc.id, variant.startswith("parties"))]))
        return out, usage, time.perf_counter() - started
    for doc in docs:
        kept, _ = confirm_records(endpoint, doc.events, options, usage, doc.id, name_near_misses=variant != "yes/no",
                                  ask_party=variant == "parties")
        out.append(replace(doc, events=kept))
    return out, usage, time.perf_counter() - started


def reextracted(endpoint: Endpoint, record: Record, cls: type[Event], options: ExtractOptions, usage: Usage,
                article_id: str) -> bool | None:
    """Does extraction from the record's evidence alone report the same event? None when it could not answer.

    The cited sentences are given as if they were the whole article, with the type's own instruction
    (pipeline/per_type.py) after the extraction's own system prompt and worked example (so the saved prefix
    serves), and the record counts as confirmed when the fresh answer reports it by the scorer's rule. The idea:
    a yes/no question lets a small model agree with whatever it is shown; extraction can answer "none"."""
    text = " ".join(span.text for span in record.evidence if span.text)
    if not text:
        return None
    one = next((r for r in per_type_requests(prepare_chunk(text, options)) if r.types[0].event_type == cls.event_type), None)
    if one is None:
        return None
    try:
        events, _ = answer_request(endpoint, one, replace(options, max_retries=0), usage, article_id)
    except ExtractionError:
        return None
    spec = cls.identity_spec()
    return any(matches_gold(record.facts, ground(e, text).facts, spec) for e in events)


def kept_by_reextraction(endpoint: Endpoint, record: Record, cls: type[Event], options: ExtractOptions, usage: Usage,
                         article_id: str, party_first: bool) -> bool:
    """The record survives its type's party question (if asked) and its re-extraction from its own evidence."""
    if party_first and party_denied(endpoint.side or endpoint, record, cls, usage, options.cache, article_id):
        return False
    return reextracted(endpoint, record, cls, options, usage, article_id) is not False


def party_denied(endpoint: Endpoint, record: Record, cls: type[Event], usage: Usage, cache: ResponseCache | None,
                 article_id: str | None = None) -> bool:
    """The type has a ``confirm_party`` question and the model answers it "no"."""
    return bool(cls.confirm_party) and confirmed(endpoint, record, cls.confirm_party, usage, cache=cache,
                                                 article_id=article_id) is False


def one_side(endpoint: Endpoint, record: Record, usage: Usage, cache: ResponseCache, article_id: str) -> bool:
    """A meeting whose participants all represent one state that the model calls internal to one government,
    party or organisation (the gold rules' "not talks between different states or organisations")."""
    people = record.facts.get("participants") or []
    if record.type != "meeting" or len({p.get("country") for p in people}) != 1 or not people[0].get("country"):
        return False
    named = " and ".join(f"{p['name']} ({p['role']})" if p.get("role") else p["name"] for p in people)
    ask = f"Are {named} members of one government, party or organisation?".replace("{", "(").replace("}", ")")
    return confirmed(endpoint, record, ask, usage, cache=cache, article_id=article_id) is True


def calibrated(endpoint: Endpoint, record: Record, cls: type[Event], usage: Usage, cache: ResponseCache) -> bool:
    """The party question as shipped, then the near-miss question with the model's yes-bias taken out.

    Contextual calibration (Zhao et al. 2021, "Calibrate Before Use") measures a model's bias
    without gold data: the same question is asked about a content-free text ("N/A"), and the
    record is kept when its cited sentences make "yes" more likely than no text at all does,
    P(yes | evidence) > P(yes | "N/A"). P(yes) is read from the answer word's top-20
    log-probabilities, every casing summed, normalised over yes + no."""
    if party_denied(endpoint, record, cls, usage, cache):
        return False
    if not cls.confirm:
        return True
    chat = messages(record, cls.confirm, cls.near_misses)
    evidence = "\n".join(span.text for span in record.evidence if span.text)
    empty = [chat[0], {**chat[1], "content": chat[1]["content"].replace(evidence, CONTENT_FREE, 1)}]
    return p_yes(endpoint, chat, usage) > p_yes(endpoint, empty, usage)


def p_yes(endpoint: Endpoint, chat: list[dict[str, str]], usage: Usage) -> float:
    """P(yes) / (P(yes) + P(no)) at the answer's first word (asked live: log-probabilities are not cached)."""
    response = endpoint.open_client().chat.completions.create(
        model=endpoint.model, messages=chat, temperature=0.0, max_tokens=16, logprobs=True, top_logprobs=20,
        **endpoint.request_extras(Verdict))
    usage.calls += 1
    for position in response.choices[0].logprobs.content:
        if _word(position.token) in ("yes", "no"):
            mass = {"yes": 0.0, "no": 0.0}
            for alt in position.top_logprobs:
                if _word(alt.token) in mass:
                    mass[_word(alt.token)] += math.exp(alt.logprob)
            return mass["yes"] / (mass["yes"] + mass["no"])
    raise ExtractionError(f"no yes/no in {response.choices[0].message.content!r}")


def _word(token: str) -> str:
    word = token.strip().strip('"').lower()
    return {"y": "yes", "ye": "yes", "n": "no"}.get(word, word)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("files", nargs="+", type=Path, help="GOLD PREDICTIONS pairs")
    parser.add_argument("--only", choices=VARIANTS, action="append", help="run only these variants")
    parser.add_argument("--checks", action="store_true", help="apply the current required-fields and evidence-words checks first")
    parser.add_argument("--unasked", action="append", default=[], help="a type whose records are kept without questions")
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
                docs = [Document.from_dict(d) for d in read_jsonl(pred_path)]
                docs, aside = asked_only(rechecked(docs, gold, types) if args.checks else docs, set(args.unasked))
                docs, used, s = reconfirm(endpoint, docs, variant, types, cache)
                docs = [replace(doc, events=doc.events + aside[doc.id]) for doc in docs]
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
