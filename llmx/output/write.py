"""Write result documents as JSON, JSONL, CSV, a rich table or the HTML review page.

Writers stream: each document is written as soon as its article is finished
(JSON closes its array at the end), so an interrupted batch keeps what it did.
The review page needs every document at once, so ``html`` writes it on close
(also after Ctrl-C), with the renderer it is given (``llmx.report.page.page_renderer``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmx.core.data import Document
from llmx.schemas.base import Event

FORMATS = ("json", "jsonl", "csv", "table", "html")


def flat(value: Any) -> str:
    """A cell for CSV/table: lists joined with '; ', persons by name, None as empty."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("text") or json.dumps(value, ensure_ascii=False))
    if isinstance(value, list):
        return "; ".join(flat(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_columns(types: Iterable[type[Event]]) -> list[str]:
    columns = ["id", "type"]
    for t in types:
        for name in t.model_json_schema(mode="serialization").get("properties", {}):
            if name not in columns and name != "evidence":
                columns.append(name)
    return columns + ["evidence", "evidence_offsets", "grounded", "errors"]


class Writer:
    def __init__(self, out: IO[str], fmt: str, types: list[type[Event]], console: Console | None = None,
                 page: Callable[[list[Document]], str] | None = None):
        self.out, self.fmt, self.count = out, fmt, 0
        self.page = page
        self.docs: list[Document] = []
        if fmt == "html" and page is None:
            raise ValueError("the html format needs a page renderer")
        self.console = console or Console(file=out)
        if fmt == "csv":
            self.columns = csv_columns(types)
            self.csv = csv.DictWriter(out, fieldnames=self.columns, extrasaction="ignore")
            self.csv.writeheader()
        elif fmt == "json":
            out.write("[")

    def write(self, doc: Document) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self.out.write(("," if self.count else "") + "\n" + json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        elif self.fmt == "csv":
            self._csv_rows(doc)
        elif self.fmt == "html":
            self.docs.append(doc)  # one page shows every document: close() writes it
        else:
            self.console.print(table(doc))
        self.out.flush()
        self.count += 1

    def _csv_rows(self, doc: Document) -> None:
        errors = " | ".join(doc.errors)
        if not doc.events:
            self.csv.writerow({"id": doc.id, "errors": errors})
        for record in doc.events:
            row = {"type": record.type, **{k: flat(v) for k, v in record.facts.items()}, "grounded": flat(record.grounded)}
            row["evidence"] = " | ".join(e.text for e in record.evidence)
            row["evidence_offsets"] = " ".join(f"{e.start}-{e.end}" if e.start is not None else "-" for e in record.evidence)
            self.csv.writerow({**row, "id": doc.id, "errors": errors})

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        elif self.fmt == "html" and self.page:
            self.out.write(self.page(self.docs))
        self.out.flush()


def table(doc: Document) -> Table:
    """One article as a readable terminal table: type, facts, evidence."""
    usage = doc.usage
    caption = f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, {usage.calls} call(s), {doc.seconds or 0:.1f}s"
    grid = Table(title=f"{doc.id}  ({doc.model or 'no model'})", caption=caption, show_lines=True, expand=True)
    grid.add_column("type", style="bold cyan", no_wrap=True)
    grid.add_column("facts")
    grid.add_column("evidence", style="green")
    for record in doc.events:
        facts = "\n".join(f"{k}: {flat(v)}" for k, v in record.facts.items() if v not in (None, [], ""))
        quotes = "\n".join(f"“{e.text}” [{e.start}:{e.end} {e.match}]" for e in record.evidence)
        grid.add_row(record.type + ("" if record.grounded else "\n[red]ungrounded[/]"), escape(facts), escape(quotes))
    for error in doc.errors:
        grid.add_row("[red]error[/]", escape(error), "")
    if not doc.events and not doc.errors:
        grid.add_row("—", "no events found", "")
    return grid
