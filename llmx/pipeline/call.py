"""One structured LLM call through instructor, with every attempt's tokens counted.

instructor re-asks the model with the validation error when the answer does
not validate. llmx counts usage itself from each raw response (a hook), so
retries are never missing from the totals, whatever instructor reports.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache, lru_cache
from typing import Any, TypeVar

os.environ.setdefault("PYDANTIC_ERRORS_INCLUDE_URL", "0")  # docs URLs in re-asks cost tokens and vary by version

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel

from llmx.core.data import Usage
from llmx.core.cache import ResponseCache, request_key
from llmx.core.errors import ExtractionError, ProviderError
from llmx.core.calllog import CallLog
from llmx.providers.base import Endpoint, model_schema

M = TypeVar("M", bound=BaseModel)


class SchemaOnce(BaseModel):
    """A response model whose JSON Schema pydantic builds once per process, not on every request.

    instructor asks the response model for its schema on every call (JSON_SCHEMA and TOOLS
    modes) and pydantic rebuilds it each time: for the extraction model that was about 40%
    of a call's CPU. Each caller still gets its own copy, because instructor's tools mode
    edits the dict it is given.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return json.loads(_schema_text(cls, args, tuple(sorted(kwargs.items()))))


@lru_cache(maxsize=256)  # bounded: a caller may hand instructor a new subclass per call
def _schema_text(model: type[SchemaOnce], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> str:
    return json.dumps(super(SchemaOnce, model).model_json_schema(*args, **dict(kwargs)))


@cache
def instructor_model(model: type[M]) -> type[M]:
    """instructor's wrapper of ``model``, made once: instructor otherwise builds it (``create_model``) on every call."""
    return instructor.response_schema(model)


_END_RAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def literal(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Messages that instructor's templating gives back unchanged.

    Given a validation context, instructor renders every message as a Jinja template with
    that context: an article containing ``{{ sentences }}`` would send the context to the
    model, and one containing ``{% if %}`` would fail. Each content is wrapped in a raw
    block (a literal ``endraw`` inside is emitted as a string), so the text stays data.
    """
    def raw(text: str) -> str:
        return "{% raw %}" + _END_RAW.sub(lambda m: "{% endraw %}{{ " + json.dumps(m.group(0)) + " }}{% raw %}", text) + "{% endraw %}"

    return [{**m, "content": raw(m["content"])} if isinstance(m.get("content"), str) else m for m in messages]


def _api_error(exc: BaseException) -> openai.APIError | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, openai.APIError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def describe_api_error(exc: openai.APIError, endpoint: Endpoint) -> str:
    """A one-line cause a user can act on; never echoes keys or headers."""
    where = str(endpoint.client.base_url).rstrip("/") if endpoint.client else endpoint.provider
    if isinstance(exc, openai.APIConnectionError):
        if isinstance(exc.__cause__, ProviderError):  # the embedded server failed to (re)start: say why
            return str(exc.__cause__)
        return f"cannot reach {where} ({'timed out' if isinstance(exc, openai.APITimeoutError) else 'connection failed'})"
    if isinstance(exc, openai.AuthenticationError):
        return f"{where} refused the API key (401); check OPENAI_API_KEY / --api-key"
    if isinstance(exc, openai.NotFoundError):
        return f"{where} answered 404: model {endpoint.model!r} or path not found"
    if isinstance(exc, openai.RateLimitError):
        return f"{where} rate limit or quota exceeded (429)"
    if isinstance(exc, openai.APIStatusError):
        message = " ".join(str(getattr(exc, "message", exc)).split())[:200]
        return f"{where} answered HTTP {exc.status_code}: {message}"
    return f"{where}: {' '.join(str(exc).split())[:200]}"


def answer_text(completion: Any) -> str | None:
    """The model's raw answer: message content, or the first tool call's arguments."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    if getattr(message, "tool_calls", None):
        return message.tool_calls[0].function.arguments
    return getattr(message, "content", None)


def first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("…" if len(text) > 300 else "")


def call_model(
    endpoint: Endpoint,
    response_model: type[M],
    messages: list[dict[str, str]],
    usage: Usage,
    *,
    max_retries: int = 2,
    temperature: float = 0.0,
    max_tokens: int | None = None,
    context: dict[str, Any] | None = None,
    article_id: str | None = None,
    cache: ResponseCache | None = None,
) -> M:
    """Ask for ``response_model``; usage is added to ``usage`` even when the call fails."""
    kwargs: dict[str, Any] = {"temperature": temperature, **endpoint.request_extras(response_model)}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    key = None
    if cache is not None:
        request = {"messages": messages, "schema": model_schema(response_model), "max_retries": max_retries, **kwargs}
        key = request_key(endpoint.provider, endpoint.model, endpoint.mode, request)
        hit = cache.get(key)
        if hit is not None:
            usage.cached += 1
            if context is not None:
                context.update(attempt=max_retries + 1, reasks=max_retries)  # already grounded when stored
            return response_model.model_validate_json(hit.body, context=context, strict=endpoint.strict)
    spent = Usage()
    client = instructor.from_openai(endpoint.open_client(), mode=endpoint.instructor_mode)
    client.on("completion:response", usage.record)
    client.on("completion:response", spent.record)
    log = CallLog(article_id)
    client.on("completion:kwargs", log.on_kwargs)
    client.on("completion:response", log.on_response)
    if context is not None:
        # Validators read context["attempt"]; grounding re-asks only while retries remain.
        context.update(attempt=0, reasks=max_retries)
        client.on("completion:response", lambda _: context.__setitem__("attempt", context["attempt"] + 1))
    try:
        result = client.chat.completions.create(
            model=endpoint.model,
            response_model=instructor_model(response_model),
            messages=literal(messages) if context else messages,
            max_retries=max_retries,
            strict=endpoint.strict,
            context=context,
            **kwargs,
        )
    except IncompleteOutputException as exc:
        raise ExtractionError(f"the model's answer was cut off at max_tokens={max_tokens}", answer_text(exc.last_completion)) from None
    except InstructorRetryException as exc:
        api = _api_error(exc)
        if api is not None:
            raise ProviderError(describe_api_error(api, endpoint)) from None
        attempts = getattr(exc, "n_attempts", max_retries + 1)
        last = exc.failed_attempts[-1].exception if getattr(exc, "failed_attempts", None) else exc
        raise ExtractionError(f"model output still invalid after {attempts} attempts: {first_line(last)}", answer_text(exc.last_completion)) from None
    except openai.APIError as exc:
        raise ProviderError(describe_api_error(exc, endpoint)) from None
    if cache is not None and key is not None:
        cache.put(key, endpoint.model, result.model_dump_json(), spent.prompt_tokens, spent.completion_tokens)
    return result
