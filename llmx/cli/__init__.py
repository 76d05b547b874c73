"""The ``llmx`` command line: parses arguments and calls the library, nothing more.

One module per command group; options shared by several commands are declared once in
:mod:`llmx.cli.common`.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from llmx import __version__
from llmx.cli.batch import batch_app
from llmx.cli.cache import cache_app
from llmx.cli.evaluate import eval_command
from llmx.cli.events import events_app
from llmx.cli.extract import extract
from llmx.cli.report import report
from llmx.cli.schemas import schemas_app
from llmx.cli.serve import serve

app = typer.Typer(
    name="llmx",
    help="Turn news articles into validated, grounded event records with an LLM.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold API keys
    rich_markup_mode="rich",
)


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


app.command()(extract)
app.command("eval")(eval_command)
app.command()(report)
app.command()(serve)
app.add_typer(schemas_app, name="schemas")
app.add_typer(cache_app, name="cache")
app.add_typer(batch_app, name="batch")
app.add_typer(events_app, name="events")


def main() -> None:
    app()
