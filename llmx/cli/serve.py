"""``llmx serve``: the embedded model as an OpenAI-compatible server until Ctrl-C."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from llmx.cli.common import err, user_errors
from llmx.core.errors import ProviderError


def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; if it is taken, another free one is used (and printed).")] = 8199,
    n_ctx: Annotated[int, typer.Option(help="Context size per slot, in tokens.")] = 8192,
    parallel: Annotated[int, typer.Option(help="Slots: requests decoded at once, each keeping its own prompt cache.")] = 2,
) -> None:
    """Run the embedded model as an OpenAI-compatible server until Ctrl-C.

    The same runtime as the embedded provider (llama.cpp's server through xllamacpp).
    Keeps the model loaded between llmx runs (use --base-url ... --mode json_schema), and is
    what the test suite records its cassettes against.
    """
    from llmx.providers.local import embedded_model, server_config
    from llmx.providers.server import EmbeddedServer, running
    from llmx.providers.weights import MODEL_NAME

    with user_errors():
        server = EmbeddedServer(server_config(embedded_model(), parallel - 1, ctx=n_ctx, port=port))
        with running(server):
            base = server.ensure()
            err.print(f"serving {MODEL_NAME} at {base}/v1 (Ctrl-C to stop; log: {server.log})", markup=False)
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
            raise ProviderError(f"the model server stopped; see {server.log}")
