"""Two prediction files on the same gold, side by side: how variants get compared.

Per type P/R/F1 for each, the difference, and the articles whose verdict changed
(a true event found or lost, a false one added or removed). Pure: it reuses the scorer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from llmx.core.data import Document
from llmx.evaluation.score import PRF, Report, score
from llmx.schemas.identity import TypeSpec


@dataclass(frozen=True)
class ArticleChange:
    id: str
    before: tuple[int, int, int]
    """(tp, fp, fn) in the first file."""
    after: tuple[int, int, int]


@dataclass(frozen=True)
class Comparison:
    a: Report
    b: Report
    changed: list[ArticleChange]

    @property
    def types(self) -> list[str]:
        return list(dict.fromkeys([*self.a.types, *self.b.types]))

    def prf(self, report: Report, name: str) -> PRF:
        return report.types.get(name, PRF.of(0, 0, 0))

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "changed": [asdict(c) for c in self.changed]}


def compare(gold: list[dict[str, Any]], a: list[Document], b: list[Document], specs: dict[str, TypeSpec]) -> Comparison:
    first, second = score(gold, a, specs), score(gold, b, specs)
    after = {r.id: (r.tp, r.fp, r.fn) for r in second.articles}
    changed = [ArticleChange(r.id, (r.tp, r.fp, r.fn), after[r.id]) for r in first.articles if after.get(r.id) != (r.tp, r.fp, r.fn)]
    return Comparison(first, second, changed)
