"""The review page without a browser: its data, its verdicts (the scorer's), and its HTML structure."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

from typer.testing import CliRunner

from llmx.cli import app
from llmx.core.data import Document
from llmx.evaluation.run import specs
from llmx.evaluation.score import read_jsonl, score
from llmx.output.write import Writer
from llmx.registry import load_registry
from llmx.report.data import build_report
from llmx.report.page import page_renderer, render
from tests.conftest import DATA
from tests.reportkit import PAYLOADS, hostile, mixed, seed, write_inputs

GOLD = DATA / "eval" / "mini_gold.jsonl"
SPECS = specs(load_registry().types)
runner = CliRunner()


class Page(HTMLParser):
    """Every tag with its attributes, and the scripts' contents."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def data(self) -> dict:
        (payload,) = [text for attrs, text in self.scripts if attrs.get("type") == "application/json"]
        return json.loads(payload)


def test_seed_records_point_at_their_words():
    doc, article = seed()
    view = build_report([doc], [article])
    (a,) = view.articles
    assert a.text == article.text and len(a.records) == len(doc.events) >= 2
    for record in a.records:
        assert record.grounded and record.verdict is None
        for span in record.spans:
            assert span.start is not None and article.text[span.start:span.end] == span.text
    assert set(view.colours) == {r.type for r in doc.events}
    assert ("supplier", "IRN") in a.records[0].facts
    assert all("<root>" not in w for w in a.warnings)  # "SOURCE: " prefix dropped, shown once in the header


def test_text_comes_from_the_source_file_when_no_articles_are_given(tmp_path):
    doc, article = seed()
    path = tmp_path / "seed-putin-pezeshkian.txt"
    path.write_text(article.text, encoding="utf-8")
    (a,) = build_report([Document.from_dict({**doc.to_dict(), "source": str(path)})]).articles
    assert a.text == article.text and not a.notes


def test_text_comes_from_the_jsonl_line_that_llmx_eval_names():
    doc, article = seed()
    saved = Document.from_dict({**doc.to_dict(), "source": f"{GOLD}:{doc.id}"})  # llmx eval --save-predictions
    (a,) = build_report([saved]).articles
    assert a.text == read_jsonl(GOLD)[0]["text"] and a.text.strip() == article.text.strip() and not a.notes


def test_missing_text_and_misfit_offsets_are_said_not_hidden():
    doc, article = seed()
    (a,) = build_report([doc]).articles  # source "<root>/…" does not exist
    assert a.text is None and "--articles" in a.notes[0]
    (b,) = build_report([doc], [article.__class__(doc.id, "other text " + article.text, doc.source)]).articles
    assert any("do not fit" in n for n in b.notes)
    assert all(s.start is None for r in b.records for s in r.spans)


def test_gold_verdicts_are_the_scorers():
    doc, article = seed()
    gold = read_jsonl(GOLD)
    view = build_report([doc], [article], gold, SPECS, gold_name=GOLD.name)
    report = score(gold, [doc], SPECS)
    by_id = {a.id: a for a in view.articles}
    assert set(by_id) == {g["id"] for g in gold}  # gold articles with no prediction are shown, all missed
    s = by_id[doc.id]
    result = next(r for r in report.articles if r.id == doc.id)
    assert sum(r.verdict == "matched" for r in s.records) == result.tp
    assert sum(r.verdict == "false" for r in s.records) == result.fp
    assert len(s.missed) == result.fn
    assert all(m.verdict == "missed" and m.spans and m.spans[0].start is not None for m in s.missed)
    assert view.scores == report.types
    assert all(len(by_id[g["id"]].missed) == len(g["events"]) for g in gold if g["id"] != doc.id)


def test_page_is_self_contained_and_carries_its_data():
    docs, articles = mixed()
    html = render(build_report(docs, articles, read_jsonl(GOLD), SPECS, gold_name=GOLD.name))
    page = Page(html)
    assert [t for t, a in page.tags if t in ("link", "img", "iframe", "object", "embed")] == []
    assert not [a for _, a in page.tags if a.get("src") or (a.get("href") or "").startswith(("http", "//"))]
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert len(page.scripts) == 2 and all(a.get("nonce") or a.get("type") == "application/json" for a, _ in page.scripts)
    data = page.data()
    assert [a["id"] for a in data["articles"]][: len(docs)] == [d.id for d in docs]
    assert "P</th>" in html and "mini_gold.jsonl" in html


def test_markup_in_articles_stays_data():
    doc, article = hostile()
    html = render(build_report([doc], [article], title=PAYLOADS[0]))
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 2 and "img" not in [t for t, _ in page.tags]
    assert html.count("</script>") == 2
    for payload in PAYLOADS:
        assert payload not in html
    (a,) = page.data()["articles"]
    assert a["text"] == article.text and a["id"] == doc.id and a["records"][0]["facts"][0][1].startswith("<script>")


def test_report_command_with_and_without_gold(tmp_path):
    docs, articles = mixed()
    results, texts = write_inputs(tmp_path, docs, articles)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(results), "--articles", str(texts), "-o", str(out)])
    assert result.exit_code == 0, result.output
    plain = Page(out.read_text(encoding="utf-8")).data()
    assert plain["scores"] is None and len(plain["articles"]) == len(docs)
    assert all(a["text"] for a in plain["articles"] if a["id"] != "broken-input")
    result = runner.invoke(app, ["report", str(results), "--articles", str(texts), "--gold", str(GOLD)])
    assert result.exit_code == 0, result.output
    scored = Page(result.stdout).data()
    assert scored["gold"] == "mini_gold.jsonl" and list(scored["scores"])[-1] == "all"


def test_report_command_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2 and "bad.jsonl:1: invalid JSON" in result.stderr and "Traceback" not in result.output


def test_html_writer_renders_every_document_at_close():
    doc, article = seed()
    out = io.StringIO()
    writer = Writer(out, "html", [], page=page_renderer([article]))
    writer.write(doc)
    assert out.getvalue() == ""  # one page needs every document
    writer.close()
    (a,) = Page(out.getvalue()).data()["articles"]
    assert a["id"] == doc.id and a["text"] == article.text
