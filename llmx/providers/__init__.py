"""LLM providers, all speaking the OpenAI HTTP API through the ``openai`` client.

Providers are registered through the ``llmx.providers`` entry-point group (the
built-ins too), so a plugin can add one without touching llmx.
"""

from llmx.providers.base import MODES, Endpoint, Provider, ProviderSettings, get_provider, provider_names

__all__ = ["MODES", "Endpoint", "Provider", "ProviderSettings", "get_provider", "provider_names"]
