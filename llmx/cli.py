"""The ``llmx`` command line: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from llmx import __version__
from llmx.errors import LlmxError, ProviderError, UsageError
from llmx.extract import ExtractOptions
from llmx.prepare import DEFAULT_CHUNK_CHARS
from llmx.providers.base import MODES, ProviderSettings, choose_provider, get_provider, provider_names
from llmx.read import Article, read_inputs
from llmx.registry import Registry, load_registry
from llmx.write import FORMATS, Writer

app = typer.Typer(
    name="llmx",
    help="Turn news articles into validated, grounded event records with an LLM.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold API keys
    rich_markup_mode="rich",
)
schemas_app = typer.Typer(help="List, inspect and check event types.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")
cache_app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
err = Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """One line on stderr; coloured on a terminal, plain text otherwise."""
    if err.is_terminal:
        err.print(f"[bold red]llmx: error:[/] {message}", markup=True, emoji=False)
    else:
        print(f"llmx: error: {message}", file=sys.stderr)


@contextmanager
def user_errors() -> Iterator[None]:
    """Expected failures become one line on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except LlmxError as exc:
        error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        error("interrupted")
        raise typer.Exit(130) from None


SchemasDir = Annotated[
    Optional[list[Path]],
    typer.Option("--schemas-dir", envvar="LLMX_SCHEMAS_DIR", help="Extra directory of event-type modules (repeatable)."),
]


def gold_types(gold_rows: list[dict], registry: Registry) -> list[str]:
    """The types a gold file annotates: extracting others would cost tokens and could only score as false positives."""
    seen = {e.get("type") for row in gold_rows for e in row.get("events") or []}
    return [name for name in registry.types if name in seen] or list(registry.types)


def registry_for(schemas_dir: list[Path] | None) -> Registry:
    registry = load_registry(schemas_dir)
    for problem in registry.problems:
        err.print(f"llmx: warning: {problem}", markup=False)
    return registry


def version_callback(value: bool) -> None:
    if value:
        print(f"llmx {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Turn news articles into validated, grounded event records with an LLM.

    With no API key and no base URL, llmx runs the embedded local model.
    """
    # instructor logs every failed attempt as a multi-line ERROR on stderr; llmx reports
    # each failure once, as one line, and keeps the details in its prompt/response log.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


ProviderOpt = Annotated[Optional[str], typer.Option("--provider", "-p", envvar="LLMX_PROVIDER", help=f"One of: {', '.join(provider_names())}. Default: compatible with --base-url, openai with OPENAI_API_KEY, else local.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", envvar="LLMX_MODEL", help="Model name (provider default if omitted).")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", envvar="LLMX_BASE_URL", help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1.")]
ApiKeyOpt = Annotated[Optional[str], typer.Option("--api-key", envvar="LLMX_API_KEY", help="API key for --base-url servers that need one (openai reads OPENAI_API_KEY).", show_default=False)]
ModeOpt = Annotated[Optional[str], typer.Option("--mode", envvar="LLMX_MODE", help=f"Structured-output mode: {', '.join(MODES)}. Default depends on the provider.")]
SchemaOpt = Annotated[Optional[list[str]], typer.Option("--schema", "-s", help="Event type to extract (repeatable). Default: all registered types.")]
RetriesOpt = Annotated[int, typer.Option("--max-retries", min=0, help="Re-asks after an invalid or ungrounded answer.")]
TemperatureOpt = Annotated[float, typer.Option("--temperature", min=0.0, max=2.0, help="Sampling temperature.")]
MaxTokensOpt = Annotated[int, typer.Option("--max-tokens", min=64, help="Cap on the answer's length per call.")]
ChunkOpt = Annotated[int, typer.Option("--chunk-chars", min=500, help="Longer articles are split on sentence boundaries into chunks of this size.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Drop events whose evidence cannot be found in the text.")]
ConfirmOpt = Annotated[bool, typer.Option("--confirm/--no-confirm", envvar="LLMX_CONFIRM", help="Ask the model one yes/no question about each record's evidence and drop the records it denies (one short extra call per record).")]
EvidenceOpt = Annotated[str, typer.Option("--evidence", envvar="LLMX_EVIDENCE", help="cite: the model cites numbered sentences and llmx copies them verbatim (fast, exact); quote: the model copies quotes itself.")]


def check_evidence(value: str) -> str:
    if value not in ("cite", "quote"):
        raise typer.BadParameter("choose from cite, quote", param_hint="--evidence")
    return value


def parse_date(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published) if published else None
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from None


@app.command()
def extract(
    inputs: Annotated[list[str], typer.Argument(help="Text files, directories of .txt files, globs, .jsonl files (id + text per line) or - for stdin.", show_default=False)],
    schema: SchemaOpt = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    mode: ModeOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", envvar="LLMX_FORMAT", help="Output format: json, jsonl, csv or table.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of standard output. An existing JSONL file is resumed.")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", "-j", min=1, envvar="LLMX_CONCURRENCY", help="Articles in flight at once. Default: 1 for the embedded model, 8 otherwise.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start the --output file afresh instead of resuming it.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary (errors are still printed).")] = False,
    max_retries: RetriesOpt = 1,
    temperature: TemperatureOpt = 0.0,
    max_tokens: MaxTokensOpt = 1024,
    published: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD): resolves 'on Sunday' to a date.")] = None,
    chunk_chars: ChunkOpt = DEFAULT_CHUNK_CHARS,
    strict: StrictOpt = False,
    evidence: EvidenceOpt = "cite",
    confirm: ConfirmOpt = True,
    schemas_dir: SchemasDir = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="Also store every document in this SQLite event store as it finishes (see llmx events); a re-run resumes it.")] = None,
) -> None:
    """Extract events from articles.

    Examples:

      llmx extract examples/seed-putin-pezeshkian.txt

      llmx extract articles/ -f jsonl -o events.jsonl -j 16    (run it again to resume)

      llmx extract news.jsonl --base-url http://localhost:8000/v1 --model qwen2.5 -s meeting
    """
    from llmx.cache import ResponseCache
    from llmx.run import finished_ids, run_batch

    with user_errors():
        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose from {', '.join(FORMATS)}", param_hint="--format")
        pub = parse_date(published)
        types = registry_for(schemas_dir).select(schema)
        settings = ProviderSettings(model=model, base_url=base_url, api_key=api_key, mode=mode)
        name = choose_provider(settings, provider)
        chosen = get_provider(name)
        cache = None if no_cache else ResponseCache()
        options = ExtractOptions(types, max_retries=max_retries, temperature=temperature, max_tokens=max_tokens, published=pub,
                                 chunk_chars=chunk_chars, strict=strict, evidence=check_evidence(evidence), confirm=confirm, cache=cache)
        items = list(read_inputs(inputs))
        resume = bool(output and fmt == "jsonl" and output.exists() and not overwrite)
        done = finished_ids(output) if resume and output else set()
        store = None
        if db:  # the event store: skips what it holds (and, with a resumed -o file, what both hold)
            from llmx.store.db import open_for_run

            store, run_id = open_for_run(db, types, f"{name}/{model or 'default'}", {**vars(options), "types": [t.event_type for t in types], "cache": None, "inputs": inputs})
            stored = store.finished_ids()
            done = (done & stored) if resume else (stored if output is None else set())
        if done and not quiet:
            err.print(f"resuming {output or db}: {len(done)} article(s) already done", markup=False)
        out = output.open("a" if resume else "w", encoding="utf-8", newline="") if output else sys.stdout
        writer = Writer(out, fmt, types, Console(file=out, width=160) if output else None)

        def write(doc: dict) -> None:
            if store:
                store.write_document(doc, run_id)
            writer.write(doc)
            for message in doc["errors"]:
                error(message)

        try:
            needs_model = any(isinstance(i, Article) and i.id not in done for i in items)
            with chosen.connect(settings) if needs_model else nullcontext() as endpoint:
                jobs = concurrency or (1 if name == "local" else 8)
                summary = run_batch(endpoint, items, options, write, concurrency=jobs, skip=done, show_progress=not quiet and err.is_terminal)
        finally:
            writer.close()
            if output:
                out.close()
            if cache:
                cache.close()
            if store:
                store.close()
        if not quiet and len(items) > 1:
            for line in summary.lines():
                err.print(line, markup=False)
        if summary.failed:
            raise typer.Exit(1)


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Argument(help="Gold annotations: JSONL with id, text and events per line (see docs/eval-format.md).", show_default=False)],
    predictions: Annotated[Optional[Path], typer.Option("--predictions", help="Score this saved llmx JSONL output instead of running the model.")] = None,
    save: Annotated[Optional[Path], typer.Option("--save-predictions", help="Also write the predictions made during this run (JSONL).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    schema: SchemaOpt = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key: ApiKeyOpt = None,
    mode: ModeOpt = None,
    max_retries: RetriesOpt = 1,
    temperature: TemperatureOpt = 0.0,
    max_tokens: MaxTokensOpt = 1024,
    chunk_chars: ChunkOpt = DEFAULT_CHUNK_CHARS,
    strict: StrictOpt = False,
    evidence: EvidenceOpt = "cite",
    confirm: ConfirmOpt = True,
    schemas_dir: SchemasDir = None,
) -> None:
    """Measure extraction quality: precision/recall/F1 per type, field accuracy, grounding, tokens, time.

    Extracts the types the gold file annotates (or those given with -s).

    Examples:

      llmx eval gold.jsonl --save-predictions run.jsonl

      llmx eval gold.jsonl --predictions run.jsonl -f json
    """
    from llmx.evaluate import evaluate, run_predictions
    from llmx.score import read_jsonl
    from llmx.score import render_table

    with user_errors():
        if fmt not in ("table", "json"):
            raise typer.BadParameter("choose from table, json", param_hint="--format")
        try:
            gold_rows = read_jsonl(gold)
            predicted = read_jsonl(predictions) if predictions else None
        except (OSError, ValueError) as exc:
            raise UsageError(str(exc)) from None
        registry = registry_for(schemas_dir)
        if predicted is None:
            types = registry.select(schema or gold_types(gold_rows, registry))
            settings = ProviderSettings(model=model, base_url=base_url, api_key=api_key, mode=mode)
            chosen = get_provider(choose_provider(settings, provider))
            options = ExtractOptions(types, max_retries=max_retries, temperature=temperature, max_tokens=max_tokens,
                                     chunk_chars=chunk_chars, strict=strict, evidence=check_evidence(evidence), confirm=confirm)
            progress = lambda doc: err.print(f"{doc['id']}: {len(doc['events'])} events, {doc['seconds']:.1f}s" + (f", {len(doc['errors'])} error(s)" if doc["errors"] else ""), markup=False)  # noqa: E731
            predicted = run_predictions(gold_rows, gold, lambda: chosen.connect(settings), options, save, progress)
        report = evaluate(gold_rows, predicted, registry.types)
        if fmt == "json":
            print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            Console().print(*render_table(report))


@schemas_app.command("list")
def schemas_list(schemas_dir: SchemasDir = None) -> None:
    """List the registered event types and where they come from."""
    registry = registry_for(schemas_dir)
    for name, cls in registry.types.items():
        print(f"{name:20} {cls.description}  [{registry.origins[name]}]")


@schemas_app.command("show")
def schemas_show(
    name: Annotated[str, typer.Argument(help="Event type name, e.g. meeting.")],
    schemas_dir: SchemasDir = None,
) -> None:
    """Show a type's guidance, the prompt section the model sees (with its token count) and its JSON Schema."""
    from llmx.cite import citing_model
    from llmx.kit import count_tokens
    from llmx.prompt import type_prompt

    with user_errors():
        cls = registry_for(schemas_dir).select([name])[0]
        shown = type_prompt(citing_model(cls))
        section = f"## {shown.name}\n{shown.description}\n{shown.guidance.strip()}\nFields:\n{shown.fields}"
        tokens, exact = count_tokens(section)
        print(f"# {cls.event_type}: {cls.description}\n")
        print(f"identity fields: {', '.join(cls.identity_fields)} (match {cls.identity_match})\n")
        print("## Guidance\n" + shown.guidance.strip() + "\n")
        print(f"## Prompt section as the model sees it ({'' if exact else '≈'}{tokens} tokens)\n" + section + "\n")
        print("## JSON Schema\n" + json.dumps(cls.model_json_schema(), indent=2, ensure_ascii=False))


@schemas_app.command("check")
def schemas_check(
    name: Annotated[Optional[str], typer.Argument(help="Check only this type (default: all).")] = None,
    schemas_dir: SchemasDir = None,
) -> None:
    """Check types before shipping them: event model, field descriptions, provider schema rules, identity fields, guidance.

    Exits 1 with a list of problems; import errors and name clashes count too.
    """
    from llmx.kit import check_type

    with user_errors():
        registry = load_registry(schemas_dir)
        types = registry.select([name] if name else None)
        problems = [str(p) for t in types for p in check_type(t)]
        problems = [p for p in registry.problems if not name or name in p] + problems
        for cls in types:
            if not any(p.startswith(f"{cls.event_type}:") for p in problems):
                print(f"ok  {cls.event_type}  [{registry.origins[cls.event_type]}]")
        for problem in problems:
            print(f"problem  {problem}")
        if problems:
            raise typer.Exit(1)


@schemas_app.command("new")
def schemas_new(
    name: Annotated[str, typer.Argument(help="snake_case name of the new type, e.g. sanction.")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the files (your schemas directory).")] = Path("."),
) -> None:
    """Scaffold a new event type: the model, its prompt guidance, a gold example and a cassette test."""
    from llmx.kit import scaffold

    with user_errors():
        try:
            written = scaffold(name, directory)
        except (ValueError, FileExistsError) as exc:
            raise UsageError(str(exc)) from None
        for path in written:
            print(f"wrote {path}")
        print(f"next: fill in the TODOs, then `llmx schemas check {name} --schemas-dir {directory}` (see docs/schema-authors.md)")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8199,
    n_ctx: Annotated[int, typer.Option(help="Context size in tokens.")] = 8192,
) -> None:
    """Run the embedded model as an OpenAI-compatible server until Ctrl-C.

    Keeps the model loaded between llmx runs (use --base-url), and is what the
    test suite records its cassettes against.
    """
    from llmx.providers.local import running_server
    from llmx.providers.weights import MODEL_NAME

    with user_errors(), running_server(port=port, n_ctx=n_ctx) as server:
        err.print(f"serving {MODEL_NAME} at {server.base_url} (Ctrl-C to stop; log: {server.log})", markup=False)
        while server.process.poll() is None:
            time.sleep(1)
        raise ProviderError(f"the model server stopped with code {server.process.returncode}; see {server.log}")


@cache_app.command("stats")
def cache_stats() -> None:
    """Where the cache is, how many answers it holds and the tokens they saved."""
    from llmx.cache import ResponseCache

    cache = ResponseCache()
    stats = cache.stats()
    cache.close()
    print(f"path: {stats.path}\nentries: {stats.entries}\nsize: {stats.bytes / 1e6:.1f} MB\n"
          f"tokens stored: {stats.prompt_tokens_saved} prompt + {stats.completion_tokens_saved} completion")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached answer."""
    from llmx.cache import ResponseCache

    cache = ResponseCache()
    removed = cache.clear()
    cache.close()
    print(f"removed {removed} cached answer(s) from {cache.path}")


from llmx.batch_cli import batch_app  # noqa: E402  (batch_cli imports from this module lazily)
from llmx.events_cli import events_app  # noqa: E402  (events_cli imports from this module lazily)

app.add_typer(batch_app, name="batch")
app.add_typer(events_app, name="events")


def main() -> None:
    app()
