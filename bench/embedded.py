"""The embedded model end to end: the seed as the first article of a run, then a warm article.

Two runs, each a fresh server (as two `llmx extract` invocations would be):

1. with no saved prompt prefix (the state files in the cache's ``kv/`` are removed
   first): the server computes the static prefix, and saves it;
2. with the prefix saved by run 1, restored at start.

Each prints the server start, the seed article (the first article of the run, its wall
time measured from the moment the run starts) and a second, warm article. The response
cache is off, so every number is a real call. About 3 minutes on 2 cores:

    python bench/embedded.py [FIRST_ARTICLE] [WARM_ARTICLE] [-j N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from llmx.core.data import Article
from llmx.pipeline.article import extract_article
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import ProviderSettings
from llmx.providers.local import LocalProvider
from llmx.providers.server import slot_dir
from llmx.registry import load_registry

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"


def one_run(label: str, first: Path, warm: Path, options: ExtractOptions, concurrency: int) -> None:
    started = time.perf_counter()
    with LocalProvider().connect(ProviderSettings(concurrency=concurrency)) as endpoint:
        for name, path in (("first", first), ("warm", warm)):
            doc = extract_article(endpoint, Article(path.stem, path.read_text(encoding="utf-8"), str(path)), options)
            u = doc.usage
            since = f"  ({time.perf_counter() - started:5.1f} s since the run started)" if name == "first" else ""
            print(f"  {label:16} {name:5} {path.name:28} {doc.seconds:6.1f} s{since}  prompt {u.prompt_tokens:5d}"
                  f"  completion {u.completion_tokens:4d}  calls {u.calls}  events {len(doc.events)}  errors {len(doc.errors)}")
    print(f"  {label:16} run wall incl. server start and stop: {time.perf_counter() - started:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", nargs="?", type=Path, default=DATA / "seed-putin-pezeshkian.txt")
    parser.add_argument("warm", nargs="?", type=Path, default=DATA / "gnad-0289.txt")
    parser.add_argument("-j", type=int, default=1, help="slots for extraction (as llmx extract -j)")
    args = parser.parse_args()
    options = ExtractOptions(load_registry().select(None))
    for state in slot_dir().glob("prefix-*"):
        state.unlink()
    one_run("prefix computed", args.first, args.warm, options, args.j)
    one_run("prefix restored", args.first, args.warm, options, args.j)


if __name__ == "__main__":
    main()
