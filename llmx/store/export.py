"""Export the store: per-article records or merged events as CSV, JSONL or Parquet, or PLOVER-style event records.

PLOVER records follow the data interchange fields of the PLOVER manual 2.0 ("PLOVER JSON"
table: id, date, enddate, actor, recipient, event, mode, context, event_loc, event_text,
quad_code, coder, codebook), with llmx's own additions (``cameo``, ``sources``, ``conflicts``)
as the manual allows. A record whose type declares no PLOVER category is left out, not guessed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from llmx import __version__
from llmx.core.data import as_list
from llmx.schemas.ontology import PLOVER, resolve

FORMATS = ("jsonl", "csv", "parquet", "plover")
CODEBOOK = "PLOVER manual 2.0 (draft), CAMEO 1.1b3"


def _cell(value: Any) -> Any:
    """CSV/Parquet cells: scalars as they are, persons by name, other lists and objects as JSON."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return "; ".join(str(v["name"]) for v in value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def flat_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """One flat row per record or event, columns in first-seen order; evidence and sources as JSON."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return columns, [{c: _cell(r.get(c)) for c in columns} for r in rows]


def write_csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    columns, flat = flat_rows(rows)
    writer = csv.DictWriter(out, fieldnames=columns or ["type"])
    writer.writeheader()
    writer.writerows(flat)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    """Parquet needs a file and pyarrow (``pip install llmx[parquet]``); every column is a string or number."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from llmx.core.errors import UsageError

        raise UsageError("Parquet export needs pyarrow: pip install 'llmx[parquet]'") from None
    columns, flat = flat_rows(rows)
    fields = []
    for c in columns:
        values = [r[c] for r in flat if r[c] is not None]
        kind = pa.float64() if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) else pa.string()
        fields.append(pa.field(c, kind))
    data = {c: [(None if r[c] is None else (r[c] if f.type == pa.float64() else str(r[c]))) for r in flat] for c, f in zip(columns, fields)}
    pq.write_table(pa.table(data, schema=pa.schema(fields)), path)


def _entity(value: Any) -> dict[str, Any] | None:
    from llmx.normalize.countries import is_alpha3

    if isinstance(value, dict) and value.get("name"):
        return {k: v for k, v in {"code": value.get("country"), "entity_text": value["name"], "office": value.get("role")}.items() if v}
    if isinstance(value, str) and value:
        return {"code": value} if is_alpha3(value) else {"entity_text": value}
    return None


def _entities(value: Any) -> list[dict[str, Any]]:
    return [e for e in (_entity(v) for v in as_list(value)) if e]


def plover(row: dict[str, Any], info: dict[str, Any]) -> dict[str, Any] | None:
    """One PLOVER-style record for a merged event or a per-article record; None when its type has no PLOVER code."""
    codes = resolve(info.get("codes"), row)
    category = codes.get("plover")
    if not category:
        return None
    fields = info.get("identity_fields") or []
    if info.get("identity_match") == "all" and len(fields) == 1:  # reciprocal (a meeting): every participant is the actor
        actor, recipient = _entities(row.get(fields[0])), []
    else:
        actor = _entities(row.get(fields[0])) if fields else []
        recipient = _entities(row.get(fields[1])) if len(fields) > 1 else []
    mode, cameo = codes.get("plover_mode"), codes.get("cameo")
    countries = {e.get("code") for e in actor + recipient}
    if category == "CONSULT" and not mode and row.get("country") and row["country"] not in countries:
        mode, cameo = "third-party", "044"  # PLOVER CONSULT mode; CAMEO 044 "Meet at a 'third' location"
    sources = row.get("sources") or [{k: row.get(k) for k in ("article", "source", "url", "title", "published", "evidence")}]
    record = {
        "id": f"llmx-{row['event']}" if "event" in row else f"llmx-{row['article']}-{row['record']}",
        "date": row.get("date"), "enddate": row.get("date_end") if row.get("date_end") != row.get("date") else None,
        "actor": actor, "recipient": recipient, "event": [category], "mode": [mode] if mode else [],
        "context": [codes["plover_context"]] if codes.get("plover_context") else [], "cameo": cameo,
        "quad_code": PLOVER[category][0],
        "event_loc": {k: v for k, v in {"extracted_place": row.get("location"), "city": row.get("location"),
                                        "country_code": row.get("country")}.items() if v} or None,
        "event_text": [q["text"] for s in sources for q in s.get("evidence") or []],
        "sources": sources, "conflicts": row.get("conflicts") or {}, "llmx_type": row.get("type"),
        "coder": f"llmx {__version__}", "codebook": CODEBOOK,
    }
    return {k: v for k, v in record.items() if v is not None}


def plover_rows(rows: list[dict[str, Any]], types: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """PLOVER records, and per type how many were left out for want of a code."""
    out, skipped = [], {}
    for row in rows:
        record = plover(row, types.get(row.get("type"), {}))
        if record is None:
            skipped[row.get("type")] = skipped.get(row.get("type"), 0) + 1
        else:
            out.append(record)
    return out, skipped
