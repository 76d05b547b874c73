"""A test-only event type no answer can satisfy: exercises 'invalid after retries' against a real model."""

from pydantic import Field, field_validator

from llmx.schemas.base import Event


class Impossible(Event):
    event_type = "impossible"
    description = "Any statement in the article."
    identity_fields = ("claim",)
    guidance = "Report every statement in the article."

    claim: str = Field(description="The statement in English.")

    @field_validator("claim")
    @classmethod
    def _never(cls, value: str) -> str:
        raise ValueError("claim must quote the secret codeword, which the article does not contain")
