"""api.openai.com with ``OPENAI_API_KEY``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from llmx.core.errors import UsageError
from llmx.providers.base import Endpoint, Provider, ProviderSettings, make_client

DEFAULT_MODEL = "gpt-4.1-mini"


class OpenAIProvider(Provider):
    """OpenAI's API (needs OPENAI_API_KEY); strict structured tool calls by default."""

    name = "openai"
    default_mode = "tools_strict"

    @contextmanager
    def connect(self, settings: ProviderSettings) -> Iterator[Endpoint]:
        api_key = settings.api_key or os.environ.get("OPENAI_API_KEY")
        if not api_key:
            raise UsageError("provider openai needs an API key: set OPENAI_API_KEY")
        client = make_client(settings.base_url, api_key, settings.timeout)
        yield Endpoint(self.name, client, settings.model or DEFAULT_MODEL, self.check_mode(settings))
