"""What the review-page tests and bench/report.py share: real documents, hostile ones, many ones, a browser.

The documents are the recorded pipeline outputs in tests/data/documents/ (snapshots of
real runs); their article texts are tests/data/articles/ or the HTML documents' own text.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmx.core.data import Article, Document, Record, Span

DATA = Path(__file__).resolve().parent / "data"
CHROMIUM = os.environ.get("LLMX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAYLOADS = ('<script>window.__pwned="script"</script>', '<img src=x onerror="window.__pwned=\'img\'">',
            '</script><script>window.__pwned="close"</script>')


def recorded() -> list[Document]:
    """Every recorded document whose article text is at hand, one per id."""
    seen: dict[str, Document] = {}
    for path in sorted((DATA / "documents").glob("*.json")):
        for d in json.loads(path.read_text(encoding="utf-8")):
            doc = Document.from_dict(d)
            if doc.id not in seen and (doc.meta.get("text") or (DATA / "articles" / f"{doc.id}.txt").exists()):
                seen[doc.id] = doc
    return list(seen.values())


def text_of(doc: Document) -> str:
    return doc.meta.get("text") or (DATA / "articles" / f"{doc.id}.txt").read_text(encoding="utf-8")


def seed() -> tuple[Document, Article]:
    """The seed article's real recorded document and its text."""
    path = DATA / "documents" / "test_extract_llm__test_seed_end_to_end.json"
    doc = Document.from_dict(json.loads(path.read_text(encoding="utf-8"))[0])
    return doc, Article(doc.id, text_of(doc), doc.source)


def hostile() -> tuple[Document, Article]:
    """An article whose text, id, names, facts and messages all carry markup that must stay text."""
    text = "Officials met. " + " ".join(PAYLOADS) + " Talks ended."
    at = text.index(PAYLOADS[1])
    record = Record("meeting", {"participants": [{"name": PAYLOADS[0]}, {"name": "Ann <b>Bold</b>"}], "location": PAYLOADS[2]},
                    [Span(PAYLOADS[1], at, at + len(PAYLOADS[1]), "exact")])
    doc = Document(PAYLOADS[1], PAYLOADS[2], "<i>model</i>", [record], errors=[PAYLOADS[0]], warnings=[PAYLOADS[1]],
                   meta={"title": PAYLOADS[2]})
    return doc, Article(doc.id, text, doc.source)


def mixed() -> tuple[list[Document], list[Article]]:
    """The recorded documents plus one with an error and one with an ungrounded record: every badge and filter has a case."""
    docs = recorded()
    articles = [Article(d.id, text_of(d), d.source) for d in docs]
    failed = Document("broken-input", "broken.txt", "compatible/test", errors=["broken.txt: binary file, not text"])
    loose = Document("loose-quote", "loose.txt", "compatible/test", [Record("arms_deal", {"supplier": "FRA", "recipient": "EGY", "value_usd": 4500000000.0}, [Span("a quote the model invented")])],
                     warnings=["loose.txt: 1 quote not found in the text"])
    return docs + [failed, loose], articles + [Article("loose-quote", "France will sell Rafale jets to Egypt.", "loose.txt")]


def many(n: int) -> tuple[list[Document], list[Article]]:
    """``n`` documents made by replicating the recorded ones under new ids (their texts too)."""
    base = recorded()
    docs, articles = [], []
    for i in range(n):
        doc = base[i % len(base)]
        new_id = f"{doc.id}-{i:04d}"
        docs.append(replace(doc, id=new_id))
        articles.append(Article(new_id, text_of(doc), doc.source))
    return docs, articles


def write_inputs(tmp: Path, docs: list[Document], articles: list[Article]) -> tuple[Path, Path]:
    """A results file (as ``llmx extract -f jsonl`` writes it) and an articles file (id + text per line)."""
    results, texts = tmp / "results.jsonl", tmp / "articles.jsonl"
    results.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    texts.write_text("".join(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return results, texts


def launch(playwright: Any) -> Any:
    """Debian's chromium, driven by playwright (no downloaded browser)."""
    return playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=CHROMIUM_ARGS)


def first_paint(page: Any) -> dict[str, float]:
    """The page's paint timings in ms (first-paint, first-contentful-paint), from the Performance API."""
    return page.evaluate("() => Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]))")
