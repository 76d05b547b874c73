"""Render the review page: one self-contained HTML file, no network, data embedded as JSON.

jinja2 autoescapes every value; the data goes in through ``tojson``, which escapes
``<``, ``>``, ``&`` and ``'`` so an article containing ``</script>`` cannot end the data
block. The page's script builds its DOM with ``textContent`` only. A Content-Security-Policy
with a fresh nonce allows no network at all and runs only the page's own script, so even
markup that slipped through could not run.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict
from functools import cache
from importlib.resources import files

import jinja2

from llmx.core.data import Article, Document
from llmx.report.data import ReportView, build_report


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("llmx.report.templates").joinpath(name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}  # compact: 1,000 articles stay small
    return env


def render(view: ReportView) -> str:
    """The page as one HTML string."""
    return _env().get_template("report.html.j2").render(view=view, data=asdict(view), nonce=secrets.token_urlsafe(18))


def page_renderer(articles: Iterable[Article], title: str = "llmx review") -> Callable[[list[Document]], str]:
    """``llmx extract -f html``: the run's own articles give the texts, so evidence shows in place."""
    known = list(articles)
    return lambda docs: render(build_report(docs, known, title=title))
