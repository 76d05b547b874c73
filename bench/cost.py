"""Prompt tokens per article: one combined call versus one call per event type.

Counts with the embedded model's own tokenizer (the embedded server's ``/tokenize``,
no inference) over the exact messages llmx sends, plus Qwen's 5 chat-template tokens
per message. Needs the [local] extra. Runs in seconds once the model is loaded:

    python bench/cost.py [ARTICLE]    # default: examples/seed-putin-pezeshkian.txt
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import httpx2

from llmx.pipeline.cite import numbered
from llmx.pipeline.prepare import clean, sentences
from llmx.pipeline.prompt import build_messages
from llmx.providers.local import embedded_model, server_config
from llmx.providers.server import EmbeddedServer, running
from llmx.registry import load_registry

TEMPLATE_TOKENS = 5  # <|im_start|>role\n ... <|im_end|>\n


def main() -> None:
    article = Path(sys.argv[1] if len(sys.argv) > 1 else "examples/seed-putin-pezeshkian.txt")
    with running(EmbeddedServer(server_config(embedded_model(), 1, side_slot=False))) as server:
        url = server.ensure() + "/tokenize"  # llama.cpp's own route beside the OpenAI ones under /v1
        with httpx2.Client(timeout=60) as http:
            report(article, lambda text: len(http.post(url, json={"content": text}).raise_for_status().json()["tokens"]))


def report(article: Path, count: Callable[[str], int]) -> None:
    def tokens(messages: list[dict[str, str]]) -> int:
        return sum(count(m["content"]) + TEMPLATE_TOKENS for m in messages)

    registry = load_registry()
    types = [registry.types[n] for n in ("meeting", "arms_deal", "security_warning")]
    text = clean(article.read_text(encoding="utf-8"))
    shown = numbered(sentences(text))
    combined = build_messages(types, shown, cite=True)
    per_type = [build_messages([t], shown, cite=True) for t in types]
    quoted = build_messages(types, text, cite=False)
    static = tokens(combined[:-1])
    print(f"article: {article} ({len(text)} chars)")
    print(f"combined call, 3 types, cited evidence : {tokens(combined):6d} prompt tokens ({static} static prefix, cacheable)")
    print(f"one call per type (3 calls)            : {sum(tokens(m) for m in per_type):6d} prompt tokens "
          f"({', '.join(f'{t.event_type} {tokens(m)}' for t, m in zip(types, per_type))})")
    print(f"combined call, quoted evidence         : {tokens(quoted):6d} prompt tokens")
    print(f"all {len(registry.types)} registered types, cited        : {tokens(build_messages(list(registry.types.values()), shown, cite=True)):6d} prompt tokens")


if __name__ == "__main__":
    main()
