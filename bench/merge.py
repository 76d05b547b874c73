"""Merge 100,000 synthetic per-article records through `llmx events merge`'s code path; print time and peak memory.

    python bench/merge.py [N]

Synthetic events (meetings, arms deals, sanctions between a pool of people and states) are each
reported by 1-9 articles with dates a few days apart; the records go into a fresh store in one
bulk transaction (not timed), then merge_store groups them and writes the events tables (timed).
Also prints the pairwise precision/recall of the recovered grouping against the generated truth.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pycountry

from llmx.registry import load_registry
from llmx.store import open_store
from llmx.store.merge import merge_store, pairwise

STATES = sorted(c.alpha_3 for c in pycountry.countries)


def synthetic(n: int, seed: int = 13) -> tuple[list[dict], dict[int, int]]:
    rng = random.Random(seed)
    people = [(f"Person{i} Surname{i}", rng.choice(STATES)) for i in range(2000)]
    rows, truth, event = [], {}, 0
    while len(rows) < n:
        event += 1
        kind = rng.choice(["meeting", "meeting", "arms_deal", "sanction"])
        day = date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        if kind == "meeting":
            a, b = rng.sample(people, 2)
            facts = {"participants": [{"name": a[0], "country": a[1]}, {"name": b[0], "country": b[1]}], "country": rng.choice(STATES)}
            identity = {"participants": "; ".join(sorted([a[0], b[0]]))}
        elif kind == "arms_deal":
            s, r = rng.sample(STATES, 2)
            facts = {"supplier": s, "recipient": r, "status": rng.choice(["signed", "delivered"])}
            identity = {"supplier": s, "recipient": r}
        else:
            s, r = rng.sample(STATES, 2)
            facts = {"imposer": s, "target": r, "action": "impose", "status": "decided"}
            identity = {"imposer": s, "target": r}
        for _ in range(min(rng.randint(1, 9), n - len(rows))):
            when = (day + timedelta(days=rng.randint(0, 2))).isoformat()
            rows.append({"article_id": f"a{len(rows)}", "position": 0, "type": kind, "date": when, "country": facts.get("country"),
                         "status": facts.get("status"), "grounded": 1, "identity": json.dumps(identity),
                         "facts": json.dumps({**facts, "date": when}), **identity})
            truth[len(rows)] = event
    return rows, truth


def main(n: int = 100_000) -> None:
    rows, truth = synthetic(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.sqlite")
        store.register_types(load_registry().types)
        with store.write() as db:
            db["articles"].insert_all(({"id": r["article_id"], "ok": 1} for r in rows), batch_size=5000)
            db["records"].insert_all(rows, batch_size=5000, alter=True)
        tracemalloc.start()
        started = time.perf_counter()
        stats = merge_store(store)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        groups: dict[int, set[int]] = {}
        for event_id, record_id in store.conn.execute("SELECT event_id, record_id FROM event_records"):
            groups.setdefault(event_id, set()).add(record_id)
        store.close()
    true_groups: dict[int, set[int]] = {}
    for record_id, event in truth.items():
        true_groups.setdefault(event, set()).add(record_id)
    precision, recall = pairwise(list(groups.values()), list(true_groups.values()))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{stats['records']:,} records → {stats['events']:,} events ({len(true_groups):,} true) in {seconds:.1f} s")
    print(f"peak Python memory during merge {peak / 2**20:.0f} MiB; process peak RSS {rss:.0f} MiB")
    print(f"pairwise precision {precision:.3f}, recall {recall:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
