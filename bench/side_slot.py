"""Where should confirmation questions go: a side slot of their own, or the article's slot?

Issue 10 asks that confirmation questions never evict the static prompt prefix, "parallel
slots or the server's prompt cache: measure which". Three configurations of the embedded
server, each a fresh server, the same articles at -j 1, the response cache off:

- ``side slot``: one extraction slot plus one slot for side questions (what ships);
- ``shared + RAM cache``: one slot for everything; when a confirmation replaces the
  prefix in the slot, llama.cpp's RAM prompt cache (8 GiB, its default) keeps it, and the
  next extraction request restores it from there;
- ``shared, no cache``: one slot, RAM cache off: the control, what an eviction costs.

For every call the prompt log gives the prompt tokens and how many of them the server
reused (``cached_tokens``): the rest is prefill the 2 cores really did. Prints wall
seconds, extraction and confirmation calls with their prefill tokens, and the resident
memory of the server process at the end. About 4 minutes per configuration for 5 articles:

    python bench/side_slot.py [--gold ../shared/eval/dev.jsonl] [--n 5]

Measured 2026-12-06 (2 cores, the first 4 dev articles, one run each, back to back):

    side slot              159.9 s  extract prefill 2524 tok  confirm calls 9  server RSS 2646 MiB
    shared + RAM cache     166.8 s  extract prefill 2524 tok  confirm calls 9  server RSS 2214 MiB
    shared, no cache       206.9 s  extract prefill 6931 tok  confirm calls 9  server RSS 2116 MiB

Both ways keep the prefix (the same extraction prefill; without either, 3 of 4 articles
recompute it: +29% wall). The side slot was 4% faster here, within this machine's noise,
for 430 MiB more: it stays the default, and ``extra={"side_slot": False}`` is the lean choice.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from llmx.evaluation.run import gold_articles
from llmx.pipeline.article import extract_article
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.registry import load_registry

CONFIGS = {
    "side slot": {"side_slot": True},
    "shared + RAM cache": {"side_slot": False},
    "shared, no cache": {"side_slot": False, "cache_ram_mib": 0},
}
CONFIRM_SYSTEM = "You check events"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prefill(log: Path) -> dict[str, list[int]]:
    """Calls per kind (extract / confirm), each as prompt tokens the server had to compute."""
    kinds: dict[str, list[int]] = {"extract": [], "confirm": []}
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        usage = entry.get("usage") or {}
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        system = (entry.get("messages") or [{}])[0].get("content", "")
        kinds["confirm" if system.startswith(CONFIRM_SYSTEM) else "extract"].append(usage.get("prompt_tokens", 0) - cached)
    return kinds


def one_config(label: str, extra: dict, articles: list, options: ExtractOptions) -> None:
    log = Path(tempfile.mkdtemp()) / "llm.jsonl"
    os.environ["LLMX_LOG_PATH"] = str(log)
    started = time.perf_counter()
    events = errors = 0
    rss = 0.0
    with LocalProvider().connect(ProviderSettings(concurrency=1, extra=extra)) as endpoint:
        for article in articles:
            doc = extract_article(endpoint, article, options)
            events, errors = events + len(doc.events), errors + len(doc.errors)
        server = endpoint.client._client._transport.server  # the ToServer transport's EmbeddedServer
        if server.process is not None:
            rss = rss_mib(server.process.pid)
    wall = time.perf_counter() - started
    kinds = prefill(log)
    ext, con = kinds["extract"], kinds["confirm"]
    print(f"{label:20} {wall:7.1f} s  extract calls {len(ext):3d} prefill {sum(ext):6d} tok"
          f"  confirm calls {len(con):3d} prefill {sum(con):5d} tok ({sum(con) / max(len(con), 1):5.0f}/call)"
          f"  server RSS {rss:6.0f} MiB  events {events}  errors {errors}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--n", type=int, default=5, help="articles from the start of the gold file")
    parser.add_argument("--only", action="append", choices=list(CONFIGS), help="configurations to run (default: all)")
    args = parser.parse_args()
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = gold_articles(gold, args.gold)[: args.n]
    options = ExtractOptions(load_registry().select(["meeting", "arms_deal", "security_warning", "sanction"]))
    for label in args.only or CONFIGS:
        one_config(label, CONFIGS[label], articles, options)


if __name__ == "__main__":
    main()
