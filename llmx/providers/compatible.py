"""Any OpenAI-compatible server: vLLM, Ollama, llama.cpp, LM Studio, a gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from llmx.core.errors import UsageError
from llmx.providers.base import Endpoint, Provider, ProviderSettings, make_client


class CompatibleProvider(Provider):
    """Any OpenAI-compatible --base-url (vLLM, Ollama, llama.cpp); choose --mode to suit the server."""

    name = "compatible"
    default_mode = "json_schema"

    @contextmanager
    def connect(self, settings: ProviderSettings) -> Iterator[Endpoint]:
        if not settings.base_url:
            raise UsageError("provider compatible needs --base-url (or LLMX_BASE_URL), e.g. http://localhost:8000/v1")
        if not settings.model:
            raise UsageError("provider compatible needs --model (or LLMX_MODEL): the name the server serves")
        client = make_client(settings.base_url, settings.api_key or "not-needed", settings.timeout)
        yield Endpoint(self.name, client, settings.model, self.check_mode(settings), strict=False)
