"""Reading inputs and preparing text: each stage on its own."""

from __future__ import annotations

import io
import json

import pytest

from llmx.core.errors import InputError
from llmx.pipeline.prepare import chunk, clean, sentences
from llmx.pipeline.read import Article, InputFailure, decode, read_inputs
from tests.conftest import DATA


def test_decode_cp1252_german():
    text = "Außenminister Lawrow traf Kerry in Wien – „überraschend“."
    assert decode(text.encode("cp1252"), "x") == text


def test_decode_utf8_bom_and_utf16():
    assert decode("\ufeffHallo Welt".encode("utf-8"), "x") == "Hallo Welt"
    assert decode("Grüße aus Wien".encode("utf-16"), "x") == "Grüße aus Wien"


@pytest.mark.parametrize(("data", "message"), [(b"", "x: empty input"), (b"\x00\x01\x02\x03" * 100, "x: binary file, not text")])
def test_decode_refuses(data, message):
    with pytest.raises(InputError, match=message):
        decode(data, "x")


def test_directory_glob_stdin_and_jsonl(tmp_path):
    (tmp_path / "b.txt").write_text("Zweiter Text.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Erster Text.", encoding="utf-8")
    (tmp_path / "skip.bin").write_bytes(b"\x00")
    records = tmp_path / "many.jsonl"
    records.write_text(json.dumps({"id": "r1", "text": "Eins."}) + "\n{broken\n" + json.dumps({"id": "r3"}) + "\n", encoding="utf-8")
    items = list(read_inputs([str(tmp_path), "-"], stdin=io.BytesIO("Von stdin.".encode())))
    assert [(type(i).__name__, i.id) for i in items] == [
        ("Article", "a"), ("Article", "b"), ("Article", "r1"), ("InputFailure", "many:2"), ("InputFailure", "r3"), ("Article", "stdin"),
    ]
    assert items[3].error == f"{records}:2: invalid JSON (Expecting property name enclosed in double quotes)"
    assert items[4].error == f"{records}:3: needs a non-empty \"text\" field"
    globbed = list(read_inputs([str(tmp_path / "*.txt")]))
    assert [i.id for i in globbed] == ["a", "b"]


def test_missing_and_unmatched(tmp_path):
    items = list(read_inputs([str(tmp_path / "none.txt"), str(tmp_path / "*.nothing")]))
    assert all(isinstance(i, InputFailure) for i in items)
    assert items[0].error.endswith("none.txt: no such file")
    assert items[1].error.endswith("*.nothing: no matching files")


def test_clean_drops_boilerplate_only():
    seed = (DATA / "articles" / "seed-putin-pezeshkian.txt").read_text(encoding="utf-8")
    cleaned = clean(seed)
    assert "Share." not in cleaned and "Exit mobile version" not in cleaned
    assert cleaned.endswith("wenn sich die Konflikte im Nahen Osten verschärfen.")
    assert "Zunahme von Attentaten und Sabotageversuchen" in cleaned  # a real sub-heading stays


def test_sentences_german_quotes():
    parts = sentences("Er sagte: „Wir helfen.“ Dann ging er. 2022 begann der Krieg.\n\nNeuer Absatz")
    assert parts == ["Er sagte: „Wir helfen.“", "Dann ging er.", "2022 begann der Krieg.", "Neuer Absatz"]


def test_chunk_short_text_is_unchanged():
    assert [c.text for c in chunk("Kurz.", 100)] == ["Kurz."]


def test_chunk_long_text_with_overlap():
    text = " ".join(f"Satz Nummer {i} steht hier." for i in range(40))
    parts = chunk(text, max_chars=200, overlap=1)
    assert len(parts) > 4
    assert all(len(c.text) <= 200 for c in parts)
    for left, right in zip(parts, parts[1:]):
        assert left.text.splitlines()[-1] == right.text.splitlines()[0]  # one sentence of overlap
    joined = {s for c in parts for s in c.text.splitlines()}
    assert joined == set(sentences(text))  # nothing lost


def test_article_is_plain_data():
    assert Article("a", "t", "s") == Article("a", "t", "s")


def test_sentences_in_caseless_text():
    lowered = "straw said the ban was wrong. the eu pledged to lift it. z. b. nothing else"
    assert sentences(lowered) == ["straw said the ban was wrong.", "the eu pledged to lift it.", "z. b. nothing else"]
    assert sentences("北京今天下雨。明天会晴！") == ["北京今天下雨。", "明天会晴！"]
    assert sentences("Er kam z. B. spät. Dann ging er.") == ["Er kam z. B. spät.", "Dann ging er."]


def test_sentences_are_split_once_per_text_and_each_caller_gets_its_own_list():
    from llmx.pipeline.prepare import _sentences

    text = "Der Minister reiste am Montag nach Wien. Dort traf er seinen Amtskollegen zu Gesprächen."
    first = sentences(text)
    hits = _sentences.cache_info().hits
    first.append("changed by a caller")
    assert sentences(text) == ["Der Minister reiste am Montag nach Wien.", "Dort traf er seinen Amtskollegen zu Gesprächen."]
    assert _sentences.cache_info().hits == hits + 1
