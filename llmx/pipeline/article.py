"""The pipeline for one article: prepare → prompt → call → answer → reread → mend → ground → checks → merge → confirm → focus.

Each stage lives in its own module; this one only wires them, builds the article's
:class:`~llmx.core.data.Document` (the only place one is built from a live run) and
turns failures into its ``errors``, so a batch never loses an article silently.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TypeVar

from llmx.core.data import Article, Document, InputFailure, Record, Usage
from llmx.core.errors import ExtractionError, LlmxError, ProviderError
from llmx.pipeline.answer import ChunkRequest, answered_events, prepare_chunk, salvaged
from llmx.pipeline.call import call_model
from llmx.pipeline.checks import check_record, focused_records, kept_values
from llmx.pipeline.confirm import confirmed, question
from llmx.pipeline.glean import glean_request
from llmx.pipeline.ground import ground
from llmx.pipeline.mend import mended_events
from llmx.pipeline.merge import merge_events
from llmx.pipeline.options import ExtractOptions
from llmx.pipeline.per_type import per_type_requests
from llmx.pipeline.prepare import chunk, clean, language, sentences
from llmx.pipeline.reread import new_events, second_event_sentences
from llmx.pipeline.triage import triaged
from llmx.providers.base import Endpoint
from llmx.schemas.base import Event

T = TypeVar("T")


def extract_chunk(endpoint: Endpoint, text: str, options: ExtractOptions, usage: Usage, article_id: str) -> tuple[list[Event], list[str]]:
    """The events of one chunk and warnings: one call for all requested types, or one per type (``per_type``)."""
    request = prepare_chunk(text, options)
    endpoint.keep_prefix(request.messages[:-1])  # system prompt and worked example: the same for every article
    if options.triage:
        request = triaged(endpoint, request, usage, temperature=options.temperature, cache=options.cache, article_id=article_id)
        if request is None:
            return [], []
    if options.per_type:  # one type's failed answer loses only that type
        return _joined(answer_or_note(endpoint, one, options, usage, article_id, one.types[0].event_type)
                       for one in per_type_requests(request))
    events, notes, answer = answer_with_text(endpoint, request, options, usage, article_id)
    follow_ups = [(glean_request(request, answer), "second look")] if options.glean and answer else []
    follow_ups += [(one, f"{one.types[0].event_type} asked again")
                   for one in per_type_requests(request, only=options.asked_again())]
    more, more_notes = _joined(answer_or_note(endpoint, ask, options, usage, article_id, label) for ask, label in follow_ups)
    return events + more, notes + more_notes


def _joined(answers: Iterable[tuple[list[Event], list[str]]]) -> tuple[list[Event], list[str]]:
    events: list[Event] = []
    notes: list[str] = []
    for found, more in answers:
        events += found
        notes += more
    return events, notes


def answer_or_note(endpoint: Endpoint, request: ChunkRequest, options: ExtractOptions, usage: Usage, article_id: str,
                   label: str) -> tuple[list[Event], list[str]]:
    """:func:`answer_request`, a failed answer becoming the note "label: error": a follow-up call never loses the
    answers before it."""
    try:
        return answer_request(endpoint, request, options, usage, article_id)
    except ExtractionError as exc:
        return [], [f"{label}: {exc}"]


def answer_request(endpoint: Endpoint, request: ChunkRequest, options: ExtractOptions, usage: Usage,
                   article_id: str) -> tuple[list[Event], list[str]]:
    """One call: its valid events, or those of an invalid answer that validate one by one (ExtractionError when none)."""
    events, notes, _ = answer_with_text(endpoint, request, options, usage, article_id)
    return events, notes


def answer_with_text(endpoint: Endpoint, request: ChunkRequest, options: ExtractOptions, usage: Usage,
                     article_id: str) -> tuple[list[Event], list[str], str | None]:
    """:func:`answer_request`, and the answer as JSON text (what a follow-up question shows the model)."""
    try:
        result = call_model(endpoint, request.response_model, request.messages, usage, max_retries=options.max_retries,
                            temperature=options.temperature, max_tokens=options.max_tokens, context=request.context,
                            article_id=article_id, cache=options.cache)
        return answered_events(request, result), [], result.model_dump_json()
    except ExtractionError as exc:
        kept = salvaged(request, exc.last_answer, str(exc))
        if kept is None:
            raise
        return *kept, exc.last_answer


def reread(endpoint: Endpoint, events: list[Event], text: str, options: ExtractOptions, usage: Usage,
           article_id: str) -> tuple[list[Event], list[str]]:
    """Events of a cited sentence that tells a second event of its record's type, asked on its own (reread.py)."""
    found: list[Event] = []
    notes: list[str] = []
    for cls, sentence in second_event_sentences(events, language(text)):
        try:
            events_of, more = answer_request(endpoint, prepare_chunk(sentence, options), replace(options, max_retries=0),
                                             usage, article_id)
        except ExtractionError as exc:  # no usable answer: the sentence stays evidence of the first event only
            notes.append(f"re-reading \"{sentence[:60]}\": {exc}")
            continue
        found += [event for event in events_of if event.event_type == cls.event_type]
        notes += more
    return new_events(found, events), notes


def checked_records(events: list[Event], text: str, strict: bool = False) -> tuple[list[Record], list[str]]:
    """The model-free tail of the pipeline: ground (repeated sentences cited too), check states, parties and the
    type's words (checks.py), merge, --strict.

    Each event is checked before merging, so a value the checks remove (a city the article does not name, a
    state its evidence does not mention) cannot keep two reports of one event apart; merged evidence only
    adds mentions, so the merged events pass again and are grounded once more."""
    parts = sentences(clean(text))
    checked: list[Event] = []
    warnings: list[str] = []
    for event in events:
        record, notes = check_record(ground(event, text, parts), type(event), text)
        warnings.extend(notes)
        if record is not None:
            checked.append(kept_values(event, record))
    records = [ground(event, text, parts) for event in merge_events(checked)]
    if strict:
        kept = [r for r in records if r.grounded]
        if len(kept) < len(records):
            warnings.append(f"--strict dropped {len(records) - len(kept)} event(s) whose evidence is not in the text")
        records = kept
    return records, counted(warnings)


def counted(notes: list[str]) -> list[str]:
    """Each note once, in order, with how many times it was made: the reports of one event, checked before merging,
    are often dropped for one reason."""
    return [f"{note} (×{n})" if n > 1 else note for note, n in Counter(notes).items()]


def confirm_records(endpoint: Endpoint, records: list[Record], options: ExtractOptions, usage: Usage,
                    article_id: str, *, name_near_misses: bool = True, ask_party: bool = True) -> tuple[list[Record], list[str]]:
    """Records that the model denies, asked their type's ``confirm_party`` and then ``confirm`` question, are dropped
    (pipeline/confirm.py); the second question is not asked once the first is denied.

    ``name_near_misses=False`` asks the plain question, ``ask_party=False`` skips the party question (bench/confirm.py)."""
    types = {t.event_type: t for t in options.types}
    kept, warnings = [], []
    for record in records:
        cls = types.get(record.type)
        denied = None
        for template, misses in _questions(cls, name_near_misses, ask_party):
            if confirmed(endpoint.side or endpoint, record, template, usage, near_misses=misses,
                         cache=options.cache, article_id=article_id) is False:
                denied = question(template, record.facts)
                break
        if denied:
            warnings.append(f"dropped a {record.type}: the model denied it when asked \"{denied}\"")
        else:
            kept.append(record)
    return kept, warnings


def _questions(cls: type[Event] | None, name_near_misses: bool, ask_party: bool) -> list[tuple[str, tuple[str, ...]]]:
    """The confirmation questions for a type, in the order asked, each with the near misses it names."""
    if cls is None:
        return []
    party = [(cls.confirm_party, ())] if ask_party and cls.confirm_party else []
    event = [(cls.confirm, cls.near_misses if name_near_misses else ())] if cls.confirm else []
    return party + event


def extract_article(endpoint: Endpoint, article: Article, options: ExtractOptions) -> Document:
    """Extract, ground and merge the events of one article; never raises for model trouble."""
    started = time.perf_counter()
    if article.published:  # the page's own date; --date covers articles that state none
        options = replace(options, published=article.published)
    doc = Document(article.id, article.source, f"{endpoint.provider}/{endpoint.model}", meta=dict(article.meta))
    text = clean(article.text)
    chunks = chunk(text, options.chunk_chars)
    if len(chunks) > 1:
        doc.warnings.append(f"{len(text)} characters: split into {len(chunks)} chunks on sentence boundaries")
    events: list[Event] = []
    down = False  # the endpoint failed: records are then kept unconfirmed rather than failing once each
    for part in chunks:
        try:
            found, notes = extract_chunk(endpoint, part.text, options, doc.usage, article.id)
            events.extend(found)
            doc.warnings.extend(f"{article.source}: {note}" for note in notes)
        except ProviderError as exc:
            doc.errors.append(f"{article.source}: {exc}")
            down = True
            break  # the endpoint is down or refuses us: the other chunks would fail the same way
        except LlmxError as exc:
            where = f" (chunk {part.index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
            doc.errors.append(f"{article.source}{where}: {exc}")
    if options.reread and not down:
        more = _follow_up(doc, article.source, lambda: reread(endpoint, events, article.text, options, doc.usage, article.id))
        down = more is None
        events += more or []
    if not down:
        mended = _follow_up(doc, article.source, lambda: mended_events(endpoint, events, article.text, doc.usage,
                                                                        cache=options.cache, article_id=article.id))
        down = mended is None
        events = events if mended is None else mended
    doc.events, notes = checked_records(events, article.text, options.strict)
    doc.warnings.extend(f"{article.source}: {note}" for note in notes)
    if options.confirm and not down:
        kept = _follow_up(doc, article.source, lambda: confirm_records(endpoint, doc.events, options, doc.usage, article.id))
        doc.events = doc.events if kept is None else kept
    doc.events, notes = focused_records(doc.events, options.types)
    doc.warnings.extend(f"{article.source}: {note}" for note in counted(notes))
    doc.seconds = round(time.perf_counter() - started, 3)
    return doc


def _follow_up(doc: Document, source: str, stage: Callable[[], tuple[T, list[str]]]) -> T | None:
    """A model stage after extraction: its result, its notes added to ``doc``; None, the error noted, when the
    endpoint fails (the stages after it then ask nothing)."""
    try:
        result, notes = stage()
    except ProviderError as exc:
        doc.errors.append(f"{source}: {exc}")
        return None
    doc.warnings.extend(f"{source}: {note}" for note in notes)
    return result


def extract_all(endpoint: Endpoint, inputs: Iterable[Article | InputFailure], options: ExtractOptions) -> Iterator[Document]:
    """Result documents in input order; unreadable inputs become documents with an error."""
    for item in inputs:
        yield Document.failed(item) if isinstance(item, InputFailure) else extract_article(endpoint, item, options)
