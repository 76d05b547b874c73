"""``llmx serve``: the embedded model as an OpenAI-compatible server until Ctrl-C."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from llmx.cli.common import err, user_errors
from llmx.core.errors import ProviderError


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
