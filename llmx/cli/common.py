"""What every command shares: one-line errors, the options declared once, settings → library objects."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from llmx.core.errors import LlmxError
from llmx.pipeline.options import ExtractOptions
from llmx.providers.base import MODES, Provider, ProviderSettings, choose_provider, get_provider, provider_names
from llmx.registry import Registry, load_registry

err = Console(stderr=True, highlight=False, soft_wrap=True)
DEFAULTS = ExtractOptions(types=[])
"""The library's defaults, shown by --help: the CLI does not keep its own copy."""


def error(message: str) -> None:
    """One line on stderr; coloured on a terminal, plain text otherwise."""
    if err.is_terminal:
        err.print(f"[bold red]llmx: error:[/] {message}", markup=True, emoji=False)
    else:
        print(f"llmx: error: {message}", file=sys.stderr)


def warn(message: str) -> None:
    err.print(f"llmx: warning: {message}", markup=False)


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


def registry_for(schemas_dir: list[Path] | None) -> Registry:
    registry = load_registry(schemas_dir)
    for problem in registry.problems:
        warn(problem)
    return registry


def check_evidence(value: str) -> str:
    if value not in ("cite", "quote"):
        raise typer.BadParameter("choose from cite, quote", param_hint="--evidence")
    return value


def parse_date(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published) if published else None
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from None


def provider_for(settings: ProviderSettings, explicit: str | None) -> Provider:
    return get_provider(choose_provider(settings, explicit))


SchemasDir = Annotated[Optional[list[Path]], typer.Option("--schemas-dir", envvar="LLMX_SCHEMAS_DIR", help="Extra directory of event-type modules (repeatable).")]
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
TriageOpt = Annotated[bool, typer.Option("--triage/--no-triage", envvar="LLMX_TRIAGE", help="First ask which types each article reports (sentence numbers per type), then extract only those; no extraction call when none (one short extra call per article).")]
PerTypeOpt = Annotated[bool, typer.Option("--per-type/--combined", envvar="LLMX_PER_TYPE", help="One extraction call per event type (the article computed once, shared) instead of one call for all types.")]
GleanOpt = Annotated[bool, typer.Option("--glean/--no-glean", envvar="LLMX_GLEAN", help="After the combined call, show the model its answer and ask for the events it left out (one more short call per chunk; the server's prompt cache keeps the article).")]
ReReadOpt = Annotated[bool, typer.Option("--reread/--no-reread", envvar="LLMX_REREAD", help="Ask again, on its own, a cited sentence that tells of its record's type but names at most one of its people: a second meeting the model folded into the first (one short extra call per such sentence).")]
ConfirmOpt = Annotated[bool, typer.Option("--confirm/--no-confirm", envvar="LLMX_CONFIRM", help="Ask the model one yes/no question about each record's evidence and drop the records it denies (one short extra call per record).")]
AskAgainOpt = Annotated[Optional[list[str]], typer.Option("--ask-again", envvar="LLMX_ASK_AGAIN", help="After the combined call, ask this type once more on its own (repeatable; the article's prompt is shared, so each costs a short call per chunk). Default: the types that ask for it (security_warning); 'none' asks no type again.")]
EvidenceOpt = Annotated[str, typer.Option("--evidence", envvar="LLMX_EVIDENCE", help="cite: the model cites numbered sentences and llmx copies them verbatim (fast, exact); quote: the model copies quotes itself.")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD): resolves 'on Sunday' to a date.")]


@dataclass(frozen=True)
class ModelChoice:
    """The provider options of a command that runs the model (``extract``, ``eval``)."""

    settings: ProviderSettings
    provider: Provider


def model_choice(provider: ProviderOpt = None, model: ModelOpt = None, base_url: BaseUrlOpt = None,
                 api_key: ApiKeyOpt = None, mode: ModeOpt = None) -> ModelChoice:
    settings = ProviderSettings(model=model, base_url=base_url, api_key=api_key, mode=mode)
    return ModelChoice(settings, provider_for(settings, provider))


def tuning(max_retries: RetriesOpt = DEFAULTS.max_retries, temperature: TemperatureOpt = DEFAULTS.temperature,
           max_tokens: MaxTokensOpt = DEFAULTS.max_tokens, chunk_chars: ChunkOpt = DEFAULTS.chunk_chars,
           strict: StrictOpt = DEFAULTS.strict, evidence: EvidenceOpt = DEFAULTS.evidence,
           triage: TriageOpt = DEFAULTS.triage, per_type: PerTypeOpt = DEFAULTS.per_type, glean: GleanOpt = DEFAULTS.glean,
           reread: ReReadOpt = DEFAULTS.reread, confirm: ConfirmOpt = DEFAULTS.confirm,
           ask_again: AskAgainOpt = None) -> dict[str, Any]:
    """The ExtractOptions fields that ``extract`` and ``eval`` share, as keyword arguments."""
    return {"max_retries": max_retries, "temperature": temperature, "max_tokens": max_tokens, "chunk_chars": chunk_chars,
            "strict": strict, "evidence": check_evidence(evidence), "triage": triage, "per_type": per_type, "glean": glean,
            "reread": reread, "confirm": confirm, "ask_again": None if ask_again is None else tuple(name for name in ask_again if name != "none")}


def with_options(**groups: Callable[..., object]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the parameters of each option group, declared once above, as one object each.

    ``@with_options(choice=model_choice)`` adds --provider, --model ... to the command's
    signature (typer reads ``__signature__``) and calls it with ``choice=model_choice(...)``.
    The groups are built lazily, inside the command's own error handling.
    """

    def wrap(command: Callable[..., None]) -> Callable[..., None]:
        own = [p for name, p in inspect.signature(command, eval_str=True).parameters.items() if name not in groups]
        shared = {name: list(inspect.signature(group, eval_str=True).parameters.values()) for name, group in groups.items()}

        @functools.wraps(command)
        def run(**kwargs: object) -> None:
            built = {name: functools.partial(groups[name], **{p.name: kwargs.pop(p.name) for p in params})
                     for name, params in shared.items()}
            command(**kwargs, **built)

        run.__signature__ = inspect.Signature(own + [p for params in shared.values() for p in params])  # type: ignore[attr-defined]
        return run

    return wrap
