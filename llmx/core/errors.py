"""Errors llmx reports to the user as one line; anything else is a bug."""


class LlmxError(Exception):
    """An expected failure with a message fit for the user."""

    exit_code = 1


class UsageError(LlmxError):
    """The command line or configuration asks for something impossible."""

    exit_code = 2


class InputError(LlmxError):
    """An input file or record cannot be read as an article."""


class ProviderError(LlmxError):
    """The LLM endpoint failed: unreachable, refused the key, or broke the protocol."""


class ExtractionError(LlmxError):
    """The model's answer stayed invalid after all retries (or was cut off)."""

    def __init__(self, message: str, last_answer: str | None = None):
        super().__init__(message)
        self.last_answer = last_answer
        """The last raw answer, so valid events in it can still be kept."""
