"""``llmx events``: the event store on the command line (import, list, merge, export)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

events_app = typer.Typer(help="The event store: import results, list, merge across articles, export (CSV, JSONL, Parquet, PLOVER).",
                         no_args_is_help=True)
DbOpt = Annotated[Path, typer.Option("--db", help="The SQLite event store (open it in Datasette: datasette FILE).")]


def _filters(type_: Optional[str], state: Optional[str], person: Optional[str], since: Optional[str], until: Optional[str],
             source: Optional[str], search: Optional[str], limit: Optional[int]):
    from llmx.store.query import Filters

    return Filters(type=type_, state=state, person=person, since=since, until=until, source=source, search=search, limit=limit)


TypeOpt = Annotated[Optional[str], typer.Option("--type", "-t", help="Only this event type.")]
StateOpt = Annotated[Optional[str], typer.Option("--state", help="Only records naming this state (alpha-3), or held there.")]
PersonOpt = Annotated[Optional[str], typer.Option("--person", help="Only records naming this person (full name or surname).")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Dates from (YYYY[-MM[-DD]]).")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Dates until, inclusive (YYYY[-MM[-DD]]).")]
SourceOpt = Annotated[Optional[str], typer.Option("--source", help="Articles whose id, path or URL contains this.")]
SearchOpt = Annotated[Optional[str], typer.Option("--search", "-q", help="Full-text search over the evidence (SQLite FTS syntax).")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")]
MergedOpt = Annotated[bool, typer.Option("--merged/--records", help="Merged events (after llmx events merge) or per-article records.")]


def _open(db: Path, create: bool = False):
    from llmx.store import open_store

    return open_store(db, create=create)


@events_app.command("import")
def import_command(results: Annotated[list[Path], typer.Argument(help="llmx extract -f jsonl output files.", show_default=False)],
                   db: DbOpt) -> None:
    """Load existing llmx JSONL output into the store (an article already there is replaced)."""
    from llmx.cli.common import error, registry_for, user_errors
    from llmx.store import StoreError

    with user_errors():
        store = _open(db, create=True)
        try:
            store.register_types(registry_for(None).types)
            run = store.start_run("import", None, {"files": [str(p) for p in results]})
            count = bad = 0
            for path in results:
                try:
                    lines = path.read_text(encoding="utf-8").splitlines()
                except OSError as exc:
                    raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
                for lineno, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    try:
                        store.write_document(json.loads(line), run)
                        count += 1
                    except (json.JSONDecodeError, StoreError) as exc:
                        bad += 1
                        error(f"{path}:{lineno}: skipped: {exc.msg if isinstance(exc, json.JSONDecodeError) else exc}")
        finally:
            store.close()
        print(f"imported {count} document(s) into {db}" + (f"; {bad} line(s) skipped" if bad else ""))
        if bad:
            raise typer.Exit(1)


@events_app.command("list")
def list_command(db: DbOpt, type_: TypeOpt = None, state: StateOpt = None, person: PersonOpt = None, since: SinceOpt = None,
                 until: UntilOpt = None, source: SourceOpt = None, search: SearchOpt = None, limit: LimitOpt = None,
                 merged: MergedOpt = False,
                 fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table") -> None:
    """List per-article records (or merged events) with filters; a table or JSON."""
    from llmx.cli.common import user_errors
    from llmx.core.errors import UsageError
    from llmx.store.query import events, records

    with user_errors():
        if fmt not in ("table", "json"):
            raise UsageError("--format: choose from table, json")
        store = _open(db)
        try:
            f = _filters(type_, state, person, since, until, source, search, limit)
            rows = events(store, f) if merged else records(store, f)
        finally:
            store.close()
        if fmt == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        Console(soft_wrap=False, width=160).print(_table(rows, merged))


def _table(rows: list[dict], merged: bool) -> Table:
    from llmx.output.write import flat

    grid = Table(show_lines=True, expand=True, title=f"{len(rows)} {'event' if merged else 'record'}(s)")
    for name in ("#", "type", "date", "facts", "sources" if merged else "article", "evidence" if not merged else "conflicts"):
        grid.add_column(name, overflow="fold")
    skip = {"record", "event", "article", "source", "url", "published", "title", "type", "date", "date_end", "evidence", "sources",
            "conflicts", "identity", "grounded"}
    for row in rows:
        facts = "\n".join(f"{k}: {flat(v)}" for k, v in row.items() if k not in skip and v not in (None, [], ""))
        if merged:
            where = "\n".join(s["article"] + (f" ({s['status']})" if s.get("status") else "") for s in row["sources"])
            last = "\n".join(f"{k}: " + " | ".join(f"{flat(e['value'])} ({', '.join(e['articles'])})" for e in v) for k, v in row["conflicts"].items())
            when = (row["date"] or "") + (f" … {row['date_end']}" if row.get("date_end") and row["date_end"] != row["date"] else "")
        else:
            where, last, when = row["article"], "\n".join(f"“{q['text']}”" for q in row["evidence"]), row.get("date") or ""
        cells = (str(row.get("event") or row.get("record")), row["type"], when, facts, where, last)
        grid.add_row(*(Text(c) for c in cells))  # article text is data: never read as rich markup
    return grid


@events_app.command("merge")
def merge_command(db: DbOpt,
                  window: Annotated[int, typer.Option("--window", min=0, help="Days between two reports' dates that still make one event.")] = 7,
                  window_for: Annotated[Optional[list[str]], typer.Option("--window-for", help="TYPE=DAYS for one type (repeatable); "
                                        "overrides a type's own merge_window (arms_deal: 180).")] = None) -> None:
    """Group records from different articles that describe one real-world event (redo it any time with other settings)."""
    from llmx.cli.common import user_errors
    from llmx.core.errors import UsageError
    from llmx.store.merge import merge_store

    with user_errors():
        windows = {}
        for item in window_for or []:
            name, _, days = item.partition("=")
            if not days.isdigit():
                raise UsageError(f"--window-for {item!r}: use TYPE=DAYS, e.g. arms_deal=90")
            windows[name] = int(days)
        store = _open(db)
        try:
            stats = merge_store(store, window, windows)
        finally:
            store.close()
        print(f"{stats['records']} record(s) → {stats['events']} event(s); {stats['multi_source']} reported by several articles, "
              f"{stats['conflicted']} with conflicting facts")


@events_app.command("export")
def export_command(db: DbOpt,
                   fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv, parquet or plover (PLOVER-style JSONL).")] = "jsonl",
                   output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (needed for parquet).")] = None,
                   merged: Annotated[bool, typer.Option("--merged/--records", help="Merged events (default once merged) or per-article records.")] = True,
                   type_: TypeOpt = None, state: StateOpt = None, person: PersonOpt = None, since: SinceOpt = None,
                   until: UntilOpt = None, source: SourceOpt = None) -> None:
    """Export merged events or per-article records; `-f plover` writes PLOVER-style records with CAMEO codes where declared."""
    from llmx.cli.common import err, user_errors
    from llmx.core.errors import UsageError
    from llmx.store import export
    from llmx.store.query import events, records

    with user_errors():
        if fmt not in export.FORMATS:
            raise UsageError(f"--format: choose from {', '.join(export.FORMATS)}")
        if fmt == "parquet" and output is None:
            raise UsageError("Parquet is binary: give --output FILE.parquet")
        store = _open(db)
        try:
            f = _filters(type_, state, person, since, until, source, None, None)
            has_merge = store.conn.execute("SELECT COUNT(*) FROM merges").fetchone()[0] > 0
            if merged and not has_merge:
                err.print("llmx: note: no merge yet (llmx events merge): exporting per-article records", markup=False)
            rows = events(store, f) if merged and has_merge else records(store, f)
            types = store.type_info()
        finally:
            store.close()
        if fmt == "plover":
            rows, skipped = export.plover_rows(rows, types)
            for kind, n in skipped.items():
                err.print(f"llmx: note: {n} {kind} row(s) left out: the type declares no PLOVER code", markup=False)
        if fmt == "parquet":
            export.write_parquet(rows, output)
            return
        out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            (export.write_csv if fmt == "csv" else export.write_jsonl)(rows, out)
        finally:
            if output:
                out.close()
