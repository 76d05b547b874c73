"""The review page in a real browser: Debian's chromium, driven by playwright-python.

These tests fail (they do not skip) when playwright or chromium is missing: install them
with ``pip install -e ".[dev]"`` and ``apt-get install chromium`` (``.ci/run`` does both).
Set LLMX_SKIP_BROWSER=1 to skip them on purpose. LLMX_UPDATE_SCREENSHOT=1 rewrites
docs/report-seed.png from the seed's page.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmx.cli import app
from llmx.evaluation.run import specs
from llmx.evaluation.score import read_jsonl
from llmx.registry import load_registry
from llmx.report.data import build_report
from llmx.report.page import render
from tests.conftest import DATA, ROOT
from tests.reportkit import CHROMIUM, PAYLOADS, first_paint, hostile, launch, many, mixed, seed, write_inputs

SCREENSHOT = ROOT / "docs" / "report-seed.png"
SKIP = os.environ.get("LLMX_SKIP_BROWSER") == "1"  # read at import: conftest clears LLMX_* for each test
UPDATE_SCREENSHOT = os.environ.get("LLMX_UPDATE_SCREENSHOT") == "1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if SKIP:
        pytest.skip("LLMX_SKIP_BROWSER=1: browser tests skipped on purpose")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]' (or set LLMX_SKIP_BROWSER=1)")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set LLMX_SKIP_BROWSER=1)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, tmp_path):
    """Write HTML to a file, open it, and fail the test on any script error or any request leaving the file."""
    pages = []

    def opener(html: str, name: str = "report.html", viewport: tuple[int, int] = (1400, 900), fragment: str = "") -> Any:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.errors, page.requests = [], []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("request", lambda r: page.requests.append(r.url))
        page.goto(path.as_uri() + fragment)
        page.wait_for_selector("body[data-ready]")
        pages.append(page)
        return page

    yield opener
    for page in pages:
        assert page.errors == [], page.errors
        assert [u for u in page.requests if not u.startswith("file://")] == [], "the page must not use the network"
        page.close()


def seed_page() -> str:
    doc, article = seed()
    gold = [g for g in read_jsonl(DATA / "eval" / "mini_gold.jsonl") if g["id"] == doc.id]
    return render(build_report([doc], [article], gold, specs(load_registry().types), title="llmx review: the seed article", gold_name="mini_gold.jsonl"))


def marks(page) -> list[dict]:
    return page.eval_on_selector_all("#text mark", "ms => ms.map(m => ({keys: m.dataset.keys.split(' '), text: m.textContent, cls: m.className}))")


def test_seed_spans_are_highlighted_in_place(open_page):
    doc, article = seed()
    page = open_page(seed_page())
    assert page.inner_text("#view h2") == doc.id
    assert page.text_content("#text") == article.text  # the whole text, nothing lost or added
    shown = marks(page)
    spans = {(r, s.start, s.end) for r, rec in enumerate(doc.events) for s in rec.evidence}
    for r, start, end in spans:  # every record's every span is covered by marks carrying its key
        covered = "".join(m["text"] for m in shown if f"r{r}" in m["keys"])
        assert article.text[start:end] in covered
    assert any(m["cls"].startswith("hl gold") or "with-gold" in m["cls"].split() for m in shown), "missed gold evidence is shown, muted"
    gold_types = {e["type"] for g in read_jsonl(DATA / "eval" / "mini_gold.jsonl") if g["id"] == doc.id for e in g["events"]}
    assert page.locator("#legend .chip").count() == len({r.type for r in doc.events} | gold_types) + 1  # + the missed-gold swatch
    assert "0.50" in page.inner_text("#scores") or "1.00" in page.inner_text("#scores")
    page.click("#card-r1")  # the picture shows one record selected (the meeting): its spans and its card outlined
    if UPDATE_SCREENSHOT:
        page.screenshot(path=str(SCREENSHOT))
    png = page.screenshot()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_click_record_and_click_span(open_page):
    page = open_page(seed_page(), viewport=(1200, 600))
    page.click("#card-r1")  # the meeting: its spans light up and the first is scrolled into view
    selected = page.eval_on_selector_all("mark.sel", "ms => ms.map(m => m.dataset.keys)")
    assert selected and all("r1" in k.split(" ") for k in selected)
    assert page.locator("mark.hl").count() > len(selected)
    assert page.evaluate("""() => { const m = document.querySelector('mark.sel').getBoundingClientRect();
                                    const v = document.getElementById('view').getBoundingClientRect();
                                    return m.top >= v.top && m.bottom <= v.bottom; }""")
    assert page.get_attribute("#card-r1", "class").split() == ["card", "sel"]
    only_one = page.locator("mark", has_text="Ken McCallum").first  # a span of one record: clicking selects that record
    keys = only_one.get_attribute("data-keys").split()
    only_one.click()
    assert "sel" in page.get_attribute(f"#card-{keys[0]}", "class")
    assert "sel" not in page.get_attribute("#card-r1", "class")


def test_overlapping_spans_of_two_records_are_both_shown_and_clicks_step_through_them(open_page):
    """Two records citing one sentence (on the seed: a second deal in the same paragraph)."""
    doc, article = seed()
    deal = doc.events[0]
    second = replace(deal, facts={**deal.facts, "weapons": ["short-range ballistic missiles"], "status": "alleged"}, evidence=deal.evidence[:1])
    doc = replace(doc, events=[*doc.events, second])
    page = open_page(render(build_report([doc], [article])))
    last = f"r{len(doc.events) - 1}"
    keys = next((m["keys"] for m in marks(page) if {"r0", last} <= set(m["keys"])), None)
    assert keys, "overlapping spans of two records are both shown"
    shared = page.locator(f"mark[data-keys='{' '.join(keys)}']").first
    selected = []
    for _ in keys:  # each click selects the next record citing the span
        shared.click()
        selected.append(page.eval_on_selector("#view .card.sel", "c => c.id"))
    assert set(selected) == {f"card-{k}" for k in keys}


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("#list li:not([hidden]) .item-id", "xs => xs.map(x => x.textContent)")


def test_filters_search_keys_and_problem_sections(open_page):
    docs, articles = mixed()
    page = open_page(render(build_report(docs, articles)))
    everything = visible_ids(page)
    assert everything == [d.id for d in docs]
    page.check("#f-errors")
    assert visible_ids(page) == ["broken-input"]
    assert "Error: binary file, not text" in page.inner_text("#view .problems")
    page.uncheck("#f-errors")
    page.check("#f-ungrounded")
    assert visible_ids(page) == ["loose-quote"]
    assert "Ungrounded records (1)" in page.text_content("#view h3.flagged")
    assert "not found in the text" in page.inner_text("#view .card.ungrounded")
    page.uncheck("#f-ungrounded")
    page.check("#f-warnings")
    assert set(visible_ids(page)) == {d.id for d in docs if d.warnings}
    page.uncheck("#f-warnings")
    page.select_option("#type-filter", "meeting")
    assert set(visible_ids(page)) == {d.id for d in docs if any(r.type == "meeting" for r in d.events)}
    page.select_option("#type-filter", "")
    page.fill("#search", "rafale")  # article text
    assert visible_ids(page) == ["loose-quote"]
    page.fill("#search", "Masoud Pezeshkian")  # a participant's name
    assert visible_ids(page) == ["seed-putin-pezeshkian"]
    page.fill("#search", "4500000000")  # a fact
    assert visible_ids(page) == ["loose-quote"]
    page.fill("#search", "")
    assert page.inner_text("#count") == f"{len(docs)} of {len(docs)} articles"
    page.click("#list li >> nth=0")
    page.keyboard.press("j")
    assert page.inner_text("#view h2") == everything[1]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    assert page.inner_text("#view h2") == everything[1]
    assert page.evaluate("() => location.hash") == "#" + everything[1]  # a link to the article under review
    linked = open_page(render(build_report(docs, articles)), "linked.html", fragment="#loose-quote")
    assert linked.inner_text("#view h2") == "loose-quote"


def test_markup_in_an_article_is_shown_as_text_and_runs_nothing(open_page):
    doc, article = hostile()
    page = open_page(render(build_report([doc], [article], title=PAYLOADS[0])))
    page.click("#view .card")
    page.click("#text mark")
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img, #view script, #list script, b").count() == 0
    assert page.text_content("#text") == article.text
    assert page.inner_text("#list .item-id") == doc.id
    assert PAYLOADS[0] in page.inner_text("#view .facts") and "Ann <b>Bold</b>" in page.inner_text("#view .facts")
    assert page.title() == PAYLOADS[0]
    assert f"Error: {PAYLOADS[0]}" in page.inner_text("#view .problems")


def test_a_thousand_articles(open_page, tmp_path):
    docs, articles = many(1000)
    results, texts = write_inputs(tmp_path, docs, articles)
    out = tmp_path / "big.html"
    result = CliRunner().invoke(app, ["report", str(results), "--articles", str(texts), "-o", str(out)])
    assert result.exit_code == 0, result.output
    started = time.perf_counter()
    page = open_page(out.read_text(encoding="utf-8"), "big.html")
    loaded = time.perf_counter() - started
    assert page.locator("#list li").count() == 1000
    assert page.inner_text("#count") == "1000 of 1000 articles"
    assert page.locator("#view .card").count() == len(docs[0].events)  # only the selected article is drawn
    page.locator("#list li").nth(500).click()
    assert page.inner_text("#view h2") == docs[500].id
    assert page.text_content("#text") == articles[500].text
    page.fill("#search", docs[777].id)
    assert visible_ids(page) == [docs[777].id]
    paint = first_paint(page)
    size = out.stat().st_size
    print(f"\n1,000 articles: {size / 1e6:.2f} MB, first contentful paint {paint.get('first-contentful-paint', -1):.0f} ms, loaded in {loaded:.2f} s")
    assert 0 < paint["first-contentful-paint"] < 10_000 and size < 20e6
