"""Re-reading the sentences no record cites that have one of a type's cue words: does it find missed events?

The shipped re-read (pipeline/reread.py) only asks again a sentence that a record already cites. This
bench measures the wider version: every sentence with one of a type's cue words that no record of that
type cites is asked again, with the sentence before it (for "he", "er"), with the article's prompt, and
the events of that type it reports join the article's before the checks and the confirmation questions.
A meeting's cue words are its ``evidence_words``; warnings and deals have none, so the lists measured are
given here (``CUES``). Each article is extracted as ``llmx extract`` does (all registered types, combined
call, re-read, checks, questions), once without and once with the cue re-reads:

    python bench/cues.py OUT GOLD [GOLD ...] [--types security_warning arms_deal meeting]

Answers are cached in OUT/answers.sqlite3, so a second run (other types) asks only the new sentences.
It prints event P/R/F1 per type for both variants, per gold file and all together, the cue sentences
asked, and writes both variants' predictions to OUT for ``llmx eval GOLD --compare``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from llmx.core.cache import ResponseCache
from llmx.core.data import Article, Document, Usage
from llmx.core.errors import ExtractionError
from llmx.evaluation.run import evaluate
from llmx.evaluation.score import read_jsonl
from llmx.pipeline.answer import prepare_chunk
from llmx.pipeline.article import answer_request, checked_records, confirm_records, extract_chunk, reread
from llmx.pipeline.checks import word_pattern
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.prepare import chunk, clean, language, sentences
from llmx.pipeline.reread import new_events
from llmx.providers.base import Endpoint, ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.registry import load_registry
from llmx.schemas.base import Event

from confirm import show  # bench/confirm.py: one line of P/R/F1 per type

CUES = {
    "security_warning": {"de": ("warn*", "*bedroh*", "*gefahr*"), "en": ("warn*", "*threat*", "danger*")},
    "arms_deal": {"de": ("*waffe*", "*rüstung*", "*export*", "drohne*", "*rakete*", "munition*", "*lieferung*"),
                  "en": ("arms", "weapon*", "missile*", "drone*", "munition*", "export*")},
}
"""Cue words of the types without ``evidence_words``, measured in the seventh session (README)."""


def cue_sentences(events: list[Event], text: str, cues: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(type, sentence with the one before it) for each sentence with a type's cue word that no event of the type cites."""
    parts = sentences(clean(text))
    found = []
    for name, words in cues.items():
        cited = {str(q) for event in events if event.event_type == name for q in event.evidence}
        pattern = word_pattern(words)
        found += [(name, " ".join(parts[max(0, i - 1):i + 1])) for i, s in enumerate(parts) if pattern.search(s) and s not in cited]
    return found


def cue_events(endpoint: Endpoint, events: list[Event], text: str, cues: dict[str, tuple[str, ...]], options: ExtractOptions,
               usage: Usage, article_id: str) -> tuple[list[Event], int]:
    """The events of the cue sentences' types that the article's events do not already report, and how many were asked."""
    asked = cue_sentences(events, text, cues)
    found: list[Event] = []
    for name, window in asked:
        try:
            answered, _ = answer_request(endpoint, prepare_chunk(window, options), replace(options, max_retries=0), usage, article_id)
        except ExtractionError:
            continue
        found += new_events([e for e in answered if e.event_type == name], events + found)
    return found, len(asked)


def extract(endpoint: Endpoint, article: Article, options: ExtractOptions, cues: dict[str, tuple[str, ...]]) -> tuple[Document, Document, int]:
    """The article as ``llmx extract`` gives it, and with the cue re-reads; also the cue sentences asked."""
    usage, events = Usage(), []
    for part in chunk(clean(article.text), options.chunk_chars):
        try:
            events += extract_chunk(endpoint, part.text, options, usage, article.id)[0]
        except ExtractionError:
            pass
    events += reread(endpoint, events, article.text, options, usage, article.id)[0]
    more, asked = cue_events(endpoint, events, article.text, cues, options, usage, article.id)
    docs = []
    for found in (events, events + more):
        records, _ = checked_records(found, article.text)
        records, _ = confirm_records(endpoint, records, options, usage, article.id)
        docs.append(Document(article.id, article.source, f"{endpoint.provider}/{endpoint.model}", events=records))
    return docs[0], docs[1], asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--types", nargs="+", default=list(CUES), help="types whose cue sentences are re-read")
    args = parser.parse_args()
    types = load_registry().types
    cue_words = {name: dict(CUES.get(name) or types[name].evidence_words) for name in args.types}
    args.out.mkdir(parents=True, exist_ok=True)
    options = ExtractOptions(list(types.values()), cache=ResponseCache(args.out / "answers.sqlite3"))
    every: dict[str, list] = {"gold": [], "shipped": [], "cues": []}
    with LocalProvider().connect(ProviderSettings()) as endpoint:
        for gold_path in args.gold:
            gold = read_jsonl(gold_path)
            variants: dict[str, list[Document]] = {"shipped": [], "cues": []}
            asked, started = 0, time.perf_counter()
            for row in gold:
                lang = language(row["text"])
                cues = {name: tuple(words[lang]) for name, words in cue_words.items() if words.get(lang)}
                shipped, cued, n = extract(endpoint, Article(row["id"], row["text"], row.get("source", "")), options, cues)
                variants["shipped"].append(shipped)
                variants["cues"].append(cued)
                asked += n
            every["gold"] += gold
            for name, docs in variants.items():
                every[name] += docs
                (args.out / f"{name}-{gold_path.stem}.jsonl").write_text(
                    "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
                show(f"{name:8} {gold_path.stem:10}", evaluate(gold, docs, types))
            print(f"{gold_path.stem}: {asked} cue sentences asked, {time.perf_counter() - started:.0f} s in all\n")
    for name in ("shipped", "cues"):
        show(f"{name:8} {'together':10}", evaluate(every["gold"], every[name], types))


if __name__ == "__main__":
    main()
