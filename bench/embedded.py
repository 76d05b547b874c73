"""The embedded model end to end: server start, then a cold and a warm article in one run.

Prints wall time, prompt/completion tokens and tokens/s for each article.
"Cold" is the first article after the server starts (the static prompt prefix
is evaluated); "warm" is the next one, which reuses that prefix from the
server's KV cache. The response cache is off, so every number is a real call.
Takes one to three minutes on 2 cores:

    python bench/embedded.py [COLD_ARTICLE] [WARM_ARTICLE]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from llmx.pipeline.article import ExtractOptions, extract_article
from llmx.providers.base import ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.pipeline.read import Article
from llmx.registry import load_registry

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"


def main() -> None:
    cold = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "seed-putin-pezeshkian.txt"
    warm = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA / "gnad-0289.txt"
    registry = load_registry()
    options = ExtractOptions(list(registry.types.values()))
    started = time.perf_counter()
    with LocalProvider().connect(ProviderSettings()) as endpoint:
        print(f"server start (model load): {time.perf_counter() - started:6.1f} s")
        for label, path in (("cold", cold), ("warm", warm)):
            doc = extract_article(endpoint, Article(path.stem, path.read_text(encoding="utf-8"), str(path)), options)
            u, s = doc["usage"], doc["seconds"]
            print(f"{label}: {path.name:28} {s:6.1f} s  prompt {u['prompt_tokens']:5d}  completion {u['completion_tokens']:4d}"
                  f"  calls {u['calls']}  {(u['prompt_tokens'] + u['completion_tokens']) / s:6.1f} tok/s  "
                  f"events {len(doc['events'])}  errors {len(doc['errors'])}")
    print(f"total wall time incl. server start and stop: {time.perf_counter() - started:6.1f} s")


if __name__ == "__main__":
    main()
