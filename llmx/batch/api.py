"""Extraction through the OpenAI Batch API: half the price, answers within 24 hours.

``submit`` writes one chat-completion request per chunk (the very messages and a
strict form of the schema ``llmx extract`` uses), uploads them and starts a batch;
the state file keeps the batch id and everything needed to check the answers
later. ``collect`` downloads the answers and sends them through the same
validation, salvage, merging and grounding as ``llmx extract``, so its result
documents are interchangeable with extract's. There are no re-asks: an invalid
answer keeps the events that validate one by one, as extract's last attempt does.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import openai

from llmx.core.data import Article, Document, InputFailure, Usage
from llmx.core.errors import ExtractionError, LlmxError, ProviderError, UsageError
from llmx.pipeline.answer import ChunkRequest, events_from_answer, prepare_chunk, strict_schema
from llmx.pipeline.article import checked_records, counted
from llmx.pipeline.checks import focused_records
from llmx.pipeline.call import describe_api_error, first_line
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.prepare import chunk, clean
from llmx.providers.base import Endpoint
from llmx.schemas.base import Event

ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000
"""OpenAI's per-batch limit: refused before uploading rather than after."""
PARTIAL = ("expired", "cancelled")
"""Batches that stopped early but may still hold answers for the requests they finished."""


def chunk_requests(text: str, options: ExtractOptions) -> list[ChunkRequest]:
    """What ``extract_article`` would send for this text, one request per chunk."""
    return [prepare_chunk(part.text, options) for part in chunk(clean(text), options.chunk_chars)]


def request_line(custom_id: str, request: ChunkRequest, options: ExtractOptions, model: str) -> dict[str, Any]:
    """One Batch API input line: a chat completion with OpenAI structured outputs (strict schema)."""
    body: dict[str, Any] = {
        "model": model, "messages": request.messages, "temperature": options.temperature,
        "response_format": {"type": "json_schema", "json_schema": {
            "name": "Extraction", "strict": True, "schema": strict_schema(request.response_model)}},
    }
    if options.max_tokens:
        body["max_completion_tokens"] = options.max_tokens
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}


def build_requests(items: Sequence[Article | InputFailure], options: ExtractOptions, model: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Request lines for every chunk of every article, and the manifest ``collect`` needs to check the answers."""
    lines: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for position, item in enumerate(items):
        if isinstance(item, InputFailure):
            failures.append({"id": item.id, "source": item.source, "error": item.error, "position": position})
            continue
        if item.id in seen:  # custom ids are how answers find their article again
            raise UsageError(f"article id {item.id!r} is used twice ({seen[item.id]} and {item.source}); batch ids must be unique")
        seen[item.id] = item.source
        requests = chunk_requests(item.text, options)
        lines.extend(request_line(f"{item.id}#{i}", r, options, model) for i, r in enumerate(requests))
        articles.append({"id": item.id, "source": item.source, "text": item.text, "chunks": len(requests), "position": position})
    manifest = {
        "version": 1, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "model": model,
        "options": {"types": [t.event_type for t in options.types], "evidence": options.evidence,
                    "temperature": options.temperature, "max_tokens": options.max_tokens, "chunk_chars": options.chunk_chars,
                    "published": options.published.isoformat() if options.published else None},
        "articles": articles, "failures": failures,
    }
    return lines, manifest


def options_from(state: dict[str, Any], types: dict[str, type[Event]]) -> ExtractOptions:
    """The submit-time options again: the prompts and schemas must be rebuilt exactly to read the answers."""
    saved = state["options"]
    missing = [name for name in saved["types"] if name not in types]
    if missing or not saved["types"]:
        raise UsageError(f"the batch was submitted with event type(s) {', '.join(missing) or 'none'} that are not registered now; pass the same --schemas-dir")
    published = date.fromisoformat(saved["published"]) if saved.get("published") else None
    return ExtractOptions([types[n] for n in saved["types"]], temperature=saved["temperature"], max_tokens=saved["max_tokens"],
                          published=published, chunk_chars=saved["chunk_chars"], evidence=saved["evidence"])


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Atomically: a half-written state file would lose track of a paid batch."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the batch state ({exc.strerror or exc})") from None


def load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no batch state file; run `llmx batch submit` first or pass --state") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable llmx batch state file ({first_line(exc)})") from None
    if not isinstance(state, dict) or state.get("version") != 1 or "articles" not in state:
        raise UsageError(f"{path}: not an llmx batch state file (version 1)")
    if not state.get("batch_id"):
        raise UsageError(f"{path}: the submit did not finish (no batch id); submit again")
    return state


@contextmanager
def api_errors(client: openai.OpenAI, doing: str) -> Iterator[None]:
    """OpenAI client failures as one line naming the step that failed."""
    try:
        yield
    except openai.NotFoundError as exc:
        raise ProviderError(f"{doing}: {str(client.base_url).rstrip('/')} answered 404: {first_line(exc)}") from None
    except openai.APIError as exc:
        raise ProviderError(f"{doing}: {describe_api_error(exc, Endpoint('openai', client, 'batch', 'json_schema'))}") from None


def submit(client: openai.OpenAI, lines: list[dict[str, Any]], manifest: dict[str, Any], state_path: Path) -> str:
    """Upload the requests and start the batch; the state file is written before anything is paid for."""
    if not lines:
        raise UsageError("nothing to submit: no readable article")
    if len(lines) > MAX_REQUESTS:
        raise UsageError(f"{len(lines)} requests; a batch takes at most {MAX_REQUESTS}: split the inputs")
    if state_path.exists():
        try:
            previous = json.loads(state_path.read_text(encoding="utf-8")).get("batch_id")
        except (OSError, ValueError, AttributeError):
            previous = "unknown"
        if previous:
            raise UsageError(f"{state_path} already tracks batch {previous}; collect it or choose another --state")
    state = {**manifest, "batch_id": None, "input_file_id": None}
    save_state(state_path, state)
    with tempfile.TemporaryDirectory(prefix="llmx-batch-") as tmp:
        path = Path(tmp) / "requests.jsonl"
        path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
        with api_errors(client, "uploading the requests"):
            state["input_file_id"] = client.files.create(file=path, purpose="batch").id
    save_state(state_path, state)
    with api_errors(client, "creating the batch"):
        batch = client.batches.create(input_file_id=state["input_file_id"], endpoint=ENDPOINT, completion_window="24h", metadata={"tool": "llmx"})
    state["batch_id"] = batch.id
    save_state(state_path, state)
    return batch.id


def status(client: openai.OpenAI, state: dict[str, Any]) -> dict[str, Any]:
    """Where the batch is: OpenAI's status, request counts and result files."""
    with api_errors(client, f"asking for batch {state['batch_id']}"):
        batch = client.batches.retrieve(state["batch_id"])
    counts = batch.request_counts
    problems = [_line(e.message or e.code) for e in (batch.errors.data or [])] if batch.errors else []
    return {"id": batch.id, "status": batch.status,
            "request_counts": {"total": counts.total, "completed": counts.completed, "failed": counts.failed} if counts else None,
            "created_at": batch.created_at, "completed_at": batch.completed_at,
            "output_file_id": batch.output_file_id, "error_file_id": batch.error_file_id, "errors": problems}


def _download(client: openai.OpenAI, file_id: str | None) -> dict[str, dict[str, Any]]:
    """Result lines by custom_id; lines that are not JSON objects with a custom_id cannot be attributed and are skipped."""
    if not file_id:
        return {}
    with api_errors(client, f"downloading {file_id}"):
        text = client.files.content(file_id).text
    lines: dict[str, dict[str, Any]] = {}
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and isinstance(line.get("custom_id"), str):
            lines[line["custom_id"]] = line
    return lines


def _line(value: Any) -> str:
    text = " ".join(str(value).split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _answer(line: dict[str, Any] | None, failed: dict[str, Any] | None, usage: Usage, batch_status: str) -> tuple[str, bool]:
    """The model's text for one chunk and whether it was cut off; a missing or failed request raises."""
    result = line or failed or {}
    problem = result.get("error")
    if isinstance(problem, dict):
        raise ProviderError(f"request failed: {problem.get('code') or 'error'}: {_line(problem.get('message') or '')}")
    if problem:
        raise ProviderError(f"request failed: {_line(problem)}")
    response = result.get("response")
    if not response:
        stopped = f" (the batch was {batch_status} first)" if batch_status in PARTIAL else ""
        raise ProviderError(f"listed in the batch's error file without a cause{stopped}" if failed else f"no answer in the batch output{stopped}")
    body = response.get("body") or {}
    if response.get("status_code") != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        raise ProviderError(f"answered HTTP {response.get('status_code')}: {_line(message or body)}")
    used = body.get("usage") or {}
    usage.calls += 1
    usage.prompt_tokens += used.get("prompt_tokens") or 0
    usage.completion_tokens += used.get("completion_tokens") or 0
    try:
        choice = body["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise ProviderError("the answer has no choices[0].message") from None
    if message.get("refusal"):
        raise ExtractionError(f"the model refused: {_line(message['refusal'])}")
    if not message.get("content"):
        raise ExtractionError("the model's answer is empty")
    return message["content"], choice.get("finish_reason") == "length"


def _document(entry: dict[str, Any], options: ExtractOptions, model: str, outputs: dict[str, dict[str, Any]],
              failed: dict[str, dict[str, Any]], batch_status: str) -> Document:
    """One article's result document, as ``extract_article`` makes it (but never confirmed)."""
    doc = Document(entry["id"], entry["source"], f"openai-batch/{model}")
    usage, errors, warnings, events = doc.usage, doc.errors, doc.warnings, []
    source, text = entry["source"], entry["text"]
    requests = chunk_requests(text, options)
    if len(requests) != entry["chunks"]:
        errors.append(f"{source}: splits into {len(requests)} chunks now but {entry['chunks']} at submit time (llmx changed?); submit it again")
        requests = []
    elif len(requests) > 1:
        warnings.append(f"{len(clean(text))} characters: split into {len(requests)} chunks on sentence boundaries")
    for index, request in enumerate(requests):
        custom_id = f"{entry['id']}#{index}"
        where = f"{source}{f' (chunk {index + 1}/{len(requests)})' if len(requests) > 1 else ''} [{custom_id}]"
        try:
            answer, cut = _answer(outputs.get(custom_id), failed.get(custom_id), usage, batch_status)
            try:
                found, notes = events_from_answer(request, answer)
            except ExtractionError:
                if cut:
                    raise ExtractionError(f"the model's answer was cut off at max_tokens={options.max_tokens}") from None
                raise
        except LlmxError as exc:
            errors.append(f"{where}: {exc}")
            continue
        events.extend(found)
        warnings.extend(f"{source}: {note}" for note in notes)
    doc.events, notes = checked_records(events, text, options.strict)  # not confirmed: that would need a second batch
    warnings.extend(f"{source}: {note}" for note in notes)
    doc.events, notes = focused_records(doc.events, options.types)
    warnings.extend(f"{source}: {note}" for note in counted(notes))
    return doc


def collect(client: openai.OpenAI, state: dict[str, Any], registry_types: dict[str, type[Event]]) -> list[Document]:
    """Result documents in input order once the batch is done; each chunk's failure stays with its article."""
    info = status(client, state)
    if info["status"] != "completed" and not (info["status"] in PARTIAL and info["output_file_id"]):
        counts = info["request_counts"] or {}
        done = f" ({counts.get('completed', 0)}/{counts.get('total', 0)} requests done)" if counts else ""
        why = f": {info['errors'][0]}" if info["errors"] else ""
        later = "; run `llmx batch status` and collect when it is completed" if info["status"] not in ("failed", *PARTIAL) else ""
        raise LlmxError(f"batch {info['id']} is {info['status']}, not completed{done}{why}{later}")
    options = options_from(state, registry_types)
    outputs = _download(client, info["output_file_id"])
    failed = _download(client, info["error_file_id"])
    docs = [(a["position"], _document(a, options, state["model"], outputs, failed, info["status"])) for a in state["articles"]]
    docs += [(f["position"], Document.failed(InputFailure(f["id"], f["source"], f["error"]))) for f in state["failures"]]
    return [doc for _, doc in sorted(docs, key=lambda pair: pair[0])]
