"""The store's schema, migrations and writes: one result document per transaction.

SQLite in WAL mode with a busy timeout, writes in ``BEGIN IMMEDIATE`` transactions: two
``llmx extract --db`` runs on one file interleave whole documents and lose none, and a crash
leaves no half-written article. ``PRAGMA application_id`` marks the file as an llmx store and
``PRAGMA user_version`` holds the schema version, so foreign and newer files are refused in one line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from llmx import __version__
from llmx.core.data import as_list
from llmx.core.errors import LlmxError

APPLICATION_ID = 0x6C6D7831  # "lmx1"
RESERVED = {"id", "article_id", "position", "type", "date", "facts", "grounded", "location", "country", "status"}


class StoreError(LlmxError):
    """The database file cannot be used: corrupt, foreign, newer, or locked."""


def _v1(db: sqlite_utils.Database) -> None:
    """Articles, runs, per-article records, their evidence and actors; FTS over evidence."""
    db["runs"].create({"id": int, "started": str, "llmx_version": str, "command": str, "model": str, "options": str}, pk="id")
    db["articles"].create({"id": str, "source": str, "model": str, "run_id": int, "title": str, "url": str, "published": str,
                           "text": str, "usage": str, "seconds": float, "errors": str, "warnings": str, "ok": int, "stored": str},
                          pk="id", foreign_keys=[("run_id", "runs", "id")])
    db["event_types"].create({"type": str, "identity_fields": str, "identity_match": str, "person_fields": str, "codes": str,
                              "merge_window": int}, pk="type")
    db["records"].create({"id": int, "article_id": str, "position": int, "type": str, "date": str, "location": str, "country": str,
                          "status": str, "grounded": int, "identity": str, "facts": str}, pk="id",
                         foreign_keys=[("article_id", "articles", "id")])
    db["records"].create_index(["article_id"])
    db["records"].create_index(["type", "date"])
    db["evidence"].create({"id": int, "record_id": int, "article_id": str, "position": int, "text": str, "start": int, "end": int,
                           "match": str}, pk="id", foreign_keys=[("record_id", "records", "id"), ("article_id", "articles", "id")])
    db["evidence"].create_index(["record_id"])
    db["evidence"].enable_fts(["text"], create_triggers=True)
    db["actors"].create({"record_id": int, "field": str, "name": str, "kind": str, "country": str, "role": str},
                        foreign_keys=[("record_id", "records", "id")])
    db["actors"].create_index(["record_id"])
    db["actors"].create_index(["country"])
    db["actors"].create_index(["name"])


def _v2(db: sqlite_utils.Database) -> None:
    """Merged events: one row per real-world event, linked to its per-article records (rebuilt by each merge)."""
    db["merges"].create({"id": int, "created": str, "settings": str, "records": int, "events": int}, pk="id")
    db["events"].create({"id": int, "merge_id": int, "type": str, "date": str, "date_end": str, "location": str, "country": str,
                         "identity": str, "articles": int, "records": int, "facts": str, "conflicts": str}, pk="id",
                        foreign_keys=[("merge_id", "merges", "id")])
    db["event_records"].create({"event_id": int, "record_id": int}, pk=("event_id", "record_id"),
                               foreign_keys=[("event_id", "events", "id"), ("record_id", "records", "id")])
    db["event_records"].create_index(["record_id"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def _timeout() -> float:
    return float(os.environ.get("LLMX_DB_TIMEOUT", "30"))


def _friendly(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: the database is locked by another process (waited {_timeout():.0f}s); try again when it is done")
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return StoreError(f"{path}: not a usable SQLite database (corrupt, or another kind of file)")
    return StoreError(f"{path}: database error: {text}")


class Store:
    """An open event store. Use :func:`open_store`."""

    def __init__(self, path: Path):
        self.path = path
        conn = sqlite3.connect(str(path), timeout=_timeout(), isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One all-or-nothing write; IMMEDIATE takes the write lock up front, so the busy timeout applies."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _friendly(self.path, exc) from None
        try:
            yield self.db
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK") if self.conn.in_transaction else None
            raise _friendly(self.path, exc) from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def migrate(self) -> None:
        version, app = (self.conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("user_version", "application_id"))
        if app not in (0, APPLICATION_ID) or (app == 0 and version == 0 and self.db.table_names()):
            names = ", ".join(self.db.table_names()[:5]) or "none"
            raise StoreError(f"{self.path}: an SQLite database but not an llmx event store (tables: {names}); use another --db file")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer llmx (store schema {version}; this llmx {__version__} reads up to "
                             f"{SCHEMA_VERSION}); upgrade llmx")
        if version == SCHEMA_VERSION:
            return
        with self.write() as db:
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
            for step in MIGRATIONS[current:]:
                step(db)
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def start_run(self, command: str, model: str | None, options: dict[str, Any]) -> int:
        with self.write() as db:
            return db["runs"].insert({"started": _now(), "llmx_version": __version__, "command": command, "model": model,
                                      "options": json.dumps(options, default=str, sort_keys=True)}).last_pk

    def finished_ids(self) -> set[str]:
        """Articles stored without errors: a resumed run skips them, failed ones are redone."""
        return {row[0] for row in self.conn.execute("SELECT id FROM articles WHERE ok = 1")}

    def register_types(self, types: dict[str, Any]) -> None:
        """What decides "the same event" and the ontology codes of each type, so merge and export need no schema code."""
        rows = [{"type": name, "identity_fields": json.dumps(list(cls.identity_fields)), "identity_match": cls.identity_match,
                 "person_fields": json.dumps(list(cls.person_fields)), "codes": json.dumps(getattr(cls, "codes", None)),
                 "merge_window": getattr(cls, "merge_window", None)}
                for name, cls in types.items()]
        with self.write() as db:
            db["event_types"].upsert_all(rows, pk="type")

    def type_info(self) -> dict[str, dict[str, Any]]:
        return {r["type"]: {"identity_fields": json.loads(r["identity_fields"]), "identity_match": r["identity_match"],
                            "person_fields": json.loads(r["person_fields"]), "codes": json.loads(r["codes"] or "null"),
                            "merge_window": r["merge_window"]}
                for r in self.db["event_types"].rows}

    def write_document(self, doc: dict[str, Any], run_id: int | None = None) -> None:
        """Store one result document, replacing an earlier copy of the same article, all in one transaction."""
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not isinstance(doc.get("events", []), list):
            raise StoreError("not an llmx result document (needs \"id\" and \"events\")")
        info = self.type_info()
        with self.write() as db:
            old = [r[0] for r in self.conn.execute("SELECT id FROM records WHERE article_id = ?", [doc["id"]])]
            if old:
                marks = ",".join("?" * len(old))
                for table in ("evidence", "actors", "event_records"):
                    self.conn.execute(f"DELETE FROM {table} WHERE record_id IN ({marks})", old)
                self.conn.execute("DELETE FROM records WHERE article_id = ?", [doc["id"]])
            db["articles"].upsert({
                "id": doc["id"], "source": doc.get("source"), "model": doc.get("model"), "run_id": run_id,
                "title": doc.get("title"), "url": doc.get("url"), "published": doc.get("published"), "text": doc.get("text"),
                "usage": json.dumps(doc.get("usage") or {}), "seconds": doc.get("seconds"),
                "errors": json.dumps(doc.get("errors") or [], ensure_ascii=False),
                "warnings": json.dumps(doc.get("warnings") or [], ensure_ascii=False),
                "ok": int(not doc.get("errors")), "stored": _now()}, pk="id")
            for position, event in enumerate(doc.get("events") or []):
                self._write_record(db, doc["id"], position, event, info.get(event.get("type"), {}))

    def _write_record(self, db: sqlite_utils.Database, article_id: str, position: int, event: dict[str, Any], info: dict[str, Any]) -> None:
        facts = {k: v for k, v in event.items() if k not in ("type", "evidence", "grounded")}
        identity_fields = info.get("identity_fields") or []
        row = {"article_id": article_id, "position": position, "type": event.get("type"), "date": _text(facts.get("date")),
               "location": _text(facts.get("location")), "country": _text(facts.get("country")), "status": _text(facts.get("status")),
               "grounded": int(bool(event.get("grounded", True))),
               "identity": json.dumps({f: facts.get(f) for f in identity_fields}, ensure_ascii=False, sort_keys=True),
               "facts": json.dumps(facts, ensure_ascii=False)}
        for field in identity_fields:  # typed identity columns: supplier, recipient, participants … filterable in Datasette
            row[f"id_{field}" if field in RESERVED else field] = _cell(facts.get(field))
        record_id = db["records"].insert(row, alter=True).last_pk
        db["evidence"].insert_all([{"record_id": record_id, "article_id": article_id, "position": i, "text": q.get("text"),
                                    "start": q.get("start"), "end": q.get("end"), "match": q.get("match")}
                                   for i, q in enumerate(event.get("evidence") or []) if isinstance(q, dict)])
        db["actors"].insert_all(actors(facts, record_id, identity_fields, info.get("person_fields") or []))

    def close(self) -> None:
        self.conn.close()


def actors(facts: dict[str, Any], record_id: int, identity_fields: list[str], person_fields: list[str]) -> list[dict[str, Any]]:
    """Every person and state a record names, with the field it came from: the filters and PLOVER's actors use them."""
    from llmx.normalize.countries import is_alpha3

    rows = []
    for field, value in facts.items():
        for item in as_list(value):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                rows.append({"record_id": record_id, "field": field, "name": item["name"], "kind": "person",
                             "country": item.get("country"), "role": item.get("role")})
            elif isinstance(item, str) and item and (field in identity_fields or field in person_fields or is_alpha3(item)):
                if field in ("country", "currency"):
                    continue  # the place of the event and money are not actors
                state = is_alpha3(item)
                kind = "state" if state else ("person" if field in person_fields else "other")
                rows.append({"record_id": record_id, "field": field, "name": item, "kind": kind,
                             "country": item if state else None, "role": None})
    return rows


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _cell(value: Any) -> str | None:
    """An identity value as one sortable cell: persons by name, lists joined (sorted) with '; '."""
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(sorted(_cell(v) or "" for v in value))
    if isinstance(value, dict):
        return str(value.get("name") or json.dumps(value, sort_keys=True))
    return str(value)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting up to the busy timeout: SQLite answers the switch "locked" at once, without its busy
    handler, while another connection writes, so two runs creating one store at once failed in half the tries."""
    deadline = time.monotonic() + _timeout()
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not ("locked" in str(exc) or "busy" in str(exc)) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def open_store(path: Path, create: bool = True) -> Store:
    """Open (and create or migrate) the store at ``path``, or raise one clear StoreError."""
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database (llmx extract --db or llmx events import create one)")
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    store = None
    try:
        store = Store(path)
        _use_wal(store.conn)
        store.conn.execute("PRAGMA foreign_keys=ON")
        store.migrate()
        return store
    except sqlite3.Error as exc:
        if store:
            store.close()
        raise _friendly(path, exc) from None
    except StoreError:
        if store:
            store.close()
        raise


def open_for_run(path: Path, types: list[Any], model: str | None, options: dict[str, Any]) -> tuple[Store, int]:
    """``llmx extract --db``: the store opened, the run's types registered and the run recorded."""
    store = open_store(path)
    try:
        store.register_types({t.event_type: t for t in types})
        return store, store.start_run("extract", model, options)
    except BaseException:
        store.close()
        raise
