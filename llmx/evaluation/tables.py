"""The evaluation report as rich tables for the terminal (kept apart so scoring stays pure)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from llmx.evaluation.compare import Comparison
from llmx.evaluation.score import Report

def render_table(report: Report) -> list[Table]:
    """Event table, field table and a summary caption, ready for ``Console.print(*tables)``."""
    events = Table(title="Events")
    for col in ("type", "P", "R", "F1", "tp", "fp", "fn"):
        events.add_column(col, justify="left" if col == "type" else "right")
    for name, s in report.types.items():
        events.add_row(name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                       str(s.tp), str(s.fp), str(s.fn), style="bold" if name == "all" else None)
    fields = Table(title="Fields (matched events)")
    for col in ("type", "field", "metric", "score", "n"):
        fields.add_column(col, justify="right" if col in ("score", "n") else "left")
    for t, fs in report.fields.items():
        for f, s in fs.items():
            fields.add_row(t, f, s.kind, f"{s.value:.3f}", str(s.n))
    t = report.totals
    grounding = "n/a" if report.grounding_rate is None else f"{report.grounding_rate:.1%}"
    per = max(t.predicted_articles, 1)
    secs = "time n/a" if t.seconds_per_article is None else f"{t.seconds_per_article:.1f}s/article"
    fields.caption = (
        f"grounding {grounding} ({report.evidence_grounded}/{report.evidence_total} quotes) | "
        f"{t.articles} articles, {t.gold_events} gold / {t.predicted_events} predicted events | "
        f"tokens {t.prompt_tokens}+{t.completion_tokens} ({(t.prompt_tokens + t.completion_tokens) / per:.0f}/article), "
        f"{t.calls} calls | {secs} | {t.errors} errors")
    return [events, fields]


def comparison_table(result: Comparison, names: tuple[str, str]) -> list[Table]:
    """Per type F1 (P/R) of both files and the change; then the articles whose verdict changed."""
    types = Table(title=f"{names[0]}  vs  {names[1]}")
    for col in ("type", names[0], names[1], "ΔF1"):
        types.add_column(col, justify="left" if col == "type" else "right")
    for name in result.types:
        a, b = result.prf(result.a, name), result.prf(result.b, name)
        types.add_row(name, f"{a.f1:.3f} ({a.precision:.2f}/{a.recall:.2f})", f"{b.f1:.3f} ({b.precision:.2f}/{b.recall:.2f})",
                      f"{b.f1 - a.f1:+.3f}", style="bold" if name == "all" else None)
    articles = Table(title="Articles whose verdict changed (tp/fp/fn)")
    for col in ("id", names[0], names[1]):
        articles.add_column(col)
    for change in result.changed:
        articles.add_row(escape(change.id), "/".join(map(str, change.before)), "/".join(map(str, change.after)))
    return [types, articles]
