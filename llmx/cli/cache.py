"""``llmx cache stats|clear``: the SQLite response cache."""

from __future__ import annotations

import typer

from llmx.core.cache import ResponseCache

cache_app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)


@cache_app.command("stats")
def cache_stats() -> None:
    """Where the cache is, how many answers it holds and the tokens they saved."""
    cache = ResponseCache()
    stats = cache.stats()
    cache.close()
    print(f"path: {stats.path}\nentries: {stats.entries}\nsize: {stats.bytes / 1e6:.1f} MB\n"
          f"tokens stored: {stats.prompt_tokens_saved} prompt + {stats.completion_tokens_saved} completion")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached answer."""
    cache = ResponseCache()
    removed = cache.clear()
    cache.close()
    print(f"removed {removed} cached answer(s) from {cache.path}")
