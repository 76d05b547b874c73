"""Running many articles: bounded concurrency, resume from the output file, progress, summary.

Each finished article is written at once (JSONL lines are flushed), so an
interrupted run loses at most the articles in flight. Running the same command
again resumes: articles already in the output without errors are skipped,
failed ones are tried again, and the file never holds an article twice.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from llmx.core.data import Article, Document, InputFailure, Usage
from llmx.output.write import Writer
from llmx.pipeline.article import extract_article
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import Endpoint


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    events: Counter = field(default_factory=Counter)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, doc: Document) -> None:
        if doc.errors:
            self.failed += 1
            self.failures.extend((doc.id, e) for e in doc.errors)
        else:
            self.ok += 1
        self.events.update(r.type for r in doc.events)
        self.usage.add(doc.usage)

    def lines(self) -> list[str]:
        events = ", ".join(f"{n} {t}" for t, n in sorted(self.events.items())) or "none"
        u = self.usage
        out = [
            f"{self.ok} ok, {self.failed} failed" + (f", {self.skipped} already done (resumed)" if self.skipped else "")
            + f" in {self.seconds:.1f}s",
            f"events: {events}",
            f"tokens: {u.prompt_tokens} prompt + {u.completion_tokens} completion in {u.calls} request(s); {u.cached} cache hit(s)",
        ]
        out += [f"failed: {i}: {e}" for i, e in self.failures]
        return out


def finished_ids(path: Path) -> set[str]:
    """Resume support: keep the output's successful documents, drop failed or torn lines, return their ids.

    The file is rewritten atomically, so a crash during the rewrite loses nothing.
    """
    if not path.exists():
        return set()
    kept, ids = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a crash: the article is redone
        if isinstance(doc, dict) and not doc.get("errors") and "id" in doc and doc["id"] not in ids:
            ids.add(doc["id"])
            kept.append(line)
    tmp = path.with_name(path.name + ".resume-tmp")
    tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    os.replace(tmp, path)
    return ids


def progress_bar(enabled: bool) -> Progress | None:
    if not enabled:
        return None
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )


def guarded(endpoint: Endpoint, article: Article, options: ExtractOptions) -> Document:
    """extract_article, but a bug hit by one article becomes that article's error, not the batch's end."""
    try:
        return extract_article(endpoint, article, options)
    except Exception as exc:  # noqa: BLE001 - reported in the document and on stderr, never swallowed
        failure = InputFailure(article.id, article.source, f"{article.source}: internal error: {type(exc).__name__}: {exc}")
        return Document.failed(failure, f"{endpoint.provider}/{endpoint.model}")


def run_articles(
    endpoint: Endpoint | None,
    items: Iterable[Article | InputFailure],
    options: ExtractOptions,
    write: Callable[[Document], None],
    *,
    concurrency: int = 1,
    skip: set[str] | None = None,
    show_progress: bool | None = None,
) -> Summary:
    """Extract every item with at most ``concurrency`` requests in flight; ``write`` gets each document as it finishes."""
    summary = Summary()
    started = time.perf_counter()
    todo: list[Article | InputFailure] = []
    for item in items:
        if skip and item.id in skip:
            summary.skipped += 1
        else:
            todo.append(item)
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    bar = progress_bar(show_progress and len(todo) > 1)

    def finish(doc: Document) -> None:
        write(doc)
        summary.add(doc)
        if bar is not None:
            elapsed = time.perf_counter() - started
            done = summary.ok + summary.failed
            bar.update(task, advance=1, rate=f"{done / elapsed:.2f} art/s" if elapsed else "")

    with bar or nullcontext():
        task = bar.add_task("extracting", total=len(todo), rate="") if bar else None
        pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
        try:
            pending: set[Future] = set()
            for item in todo:
                if isinstance(item, InputFailure):
                    finish(Document.failed(item))
                    continue
                if endpoint is None:
                    raise RuntimeError("an article needs an endpoint")
                pending.add(pool.submit(guarded, endpoint, item, options))
                if len(pending) >= max(1, concurrency):  # bounded: never queue thousands of articles in memory
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        finish(future.result())
            for future in _as_done(pending):
                finish(future.result())
        except BaseException:
            # Ctrl-C or kill: do not wait for requests in flight (they are redone on resume);
            # leaving now lets the caller stop the model server, which ends those requests.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    summary.seconds = time.perf_counter() - started
    return summary


def _as_done(pending: set[Future]) -> Iterable[Future]:
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from done


@dataclass
class Destination:
    """Where a run's documents go: a file (JSONL is resumed) or a stream, in one format."""

    fmt: str
    output: Path | None = None
    overwrite: bool = False
    db: Path | None = None
    """Also an SQLite event store (llmx/store), written as each document finishes and resumed."""
    page: Callable[[list[Document]], str] | None = None
    """The html format's renderer: all documents → the review page (``llmx.report.page.page_renderer``)."""

    @property
    def resumable(self) -> bool:
        return bool(self.output and self.fmt == "jsonl" and self.output.exists() and not self.overwrite)


def extract_inputs(
    items: list[Article | InputFailure],
    connect: Callable[[], Any],
    options: ExtractOptions,
    destination: Destination,
    *,
    concurrency: int,
    on_document: Callable[[Document], None] | None = None,
    on_resume: Callable[[int], None] | None = None,
    show_progress: bool = False,
    run_label: str | None = None,
) -> Summary:
    """A whole ``llmx extract`` run: resume, write as documents finish, start the model only if needed.

    ``connect`` opens the provider's endpoint (a context manager); it is not called when every
    article is already done. The response cache in ``options`` is closed at the end. With a
    store, an article is skipped when the store holds it (and, with a resumed JSONL file too, both do).
    """
    done = finished_ids(destination.output) if destination.resumable and destination.output else set()
    store = run_id = None
    if destination.db:
        from llmx.store.db import open_for_run  # sqlite-utils costs ~0.1 s at start-up: only runs with --db pay it

        recorded = {**vars(options), "types": [t.event_type for t in options.types], "cache": None,
                    "published": options.published.isoformat() if options.published else None}
        store, run_id = open_for_run(destination.db, options.types, run_label, recorded)
        stored = store.finished_ids()
        done = (done & stored) if destination.resumable else (stored if destination.output is None else set())
    if done and on_resume:
        on_resume(len(done))
    out = (destination.output.open("a" if destination.resumable else "w", encoding="utf-8", newline="")
           if destination.output else sys.stdout)
    writer = Writer(out, destination.fmt, options.types, Console(file=out, width=160) if destination.output else None,
                    page=destination.page)

    def write(doc: Document) -> None:
        if store:
            store.write_document(doc.to_dict(), run_id)
        writer.write(doc)
        if on_document:
            on_document(doc)

    try:
        needs_model = any(isinstance(i, Article) and i.id not in done for i in items)
        with connect() if needs_model else nullcontext() as endpoint:
            return run_articles(endpoint, items, options, write, concurrency=concurrency, skip=done, show_progress=show_progress)
    finally:
        writer.close()
        if destination.output:
            out.close()
        if options.cache:
            options.cache.close()
        if store:
            store.close()
