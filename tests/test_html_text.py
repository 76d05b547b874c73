"""HTML pages in: main text without banners or comments, metadata, non-UTF-8 pages, offsets into the stored text."""

from __future__ import annotations

import pytest

from llmx.core.errors import InputError
from llmx.pipeline.html import decode_html, page_text
from llmx.pipeline.read import Article, InputFailure, read_inputs
from tests.conftest import DATA

HTML = DATA / "html"


def test_main_text_without_boilerplate_banner_or_comments():
    page = page_text((HTML / "wire-lavrov-wang.html").read_bytes(), "wire")
    assert page.title == "Lavrov and Wang Yi hold talks in Beijing"
    assert page.url == "https://news.example.org/world/2024/04/09/lavrov-wang-yi-beijing-talks"
    assert page.published.isoformat() == "2024-04-09"
    assert "Sergey Lavrov met Chinese Foreign Minister Wang Yi in Beijing on Tuesday" in page.text
    for noise in ("cookies", "Accept all", "Subscribe", "Shanghai last week", "mark my words", "All rights reserved", "Privacy policy"):
        assert noise not in page.text, noise
    assert "\n\n" in page.text  # paragraphs stay apart, so sentences never run across them


def test_windows_1252_page_with_meta_charset():
    data = (HTML / "tagesblatt-lawrow-cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    page = page_text(data, "tagesblatt")
    assert "Der russische Außenminister Sergej Lawrow ist am Dienstag in Peking" in page.text
    assert "„stabil“" in page.text and "Blöcke" in page.text
    assert page.published.isoformat() == "2024-04-09"
    assert "Leserkommentare" not in page.text and "Schade um die Zeit" not in page.text and "Cookies" not in page.text


def test_page_without_date_or_url():
    page = page_text((HTML / "eu-belarus-nodate.html").read_bytes(), "eu")
    assert page.published is None and page.url is None
    assert "extended its sanctions against Belarus" in page.text and "dictator" not in page.text


def test_latin1_label_means_windows_1252_and_utf8_fallback():
    assert decode_html('<meta charset="iso-8859-1"><p>€ “x”</p>'.encode("cp1252"), "p") == '<meta charset="iso-8859-1"><p>€ “x”</p>'
    assert decode_html("<p>Größe</p>".encode("utf-8"), "p") == "<p>Größe</p>"
    assert decode_html('\ufeff<p>ok</p>'.encode("utf-8"), "p") == "<p>ok</p>"


def test_empty_page_is_one_clear_error():
    with pytest.raises(InputError, match="no article text"):
        page_text(b"<html><head><script>var x = 1;</script></head><body></body></html>", "empty.html")


def test_read_inputs_takes_html_in_directories_globs_and_paths(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text article about a meeting in Vienna.", encoding="utf-8")
    (tmp_path / "b.html").write_bytes((HTML / "wire-lavrov-wang.html").read_bytes())
    (tmp_path / "c.HTM").write_bytes((HTML / "tagesblatt-lawrow-cp1252.html").read_bytes())
    (tmp_path / "broken.html").write_bytes(b"<html><body></body></html>")
    items = list(read_inputs([str(tmp_path)]))
    assert [i.id for i in items] == ["a", "b", "broken", "c"]
    assert isinstance(items[2], InputFailure) and "no article text" in items[2].error
    article = items[1]
    assert isinstance(article, Article) and article.published.isoformat() == "2024-04-09"
    assert article.meta["text"] == article.text and article.meta["title"].startswith("Lavrov")
    assert items[0].meta == {} and items[0].published is None  # text inputs: the document holds no text
    [globbed] = list(read_inputs([str(tmp_path / "*.html")]))[:1]
    assert globbed.id == "b" and globbed.meta["url"].startswith("https://news.example.org/")
    [single] = list(read_inputs([str(tmp_path / "c.HTM")]))
    assert "Lawrow" in single.text
