"""execution_reason: execution below the threshold (90%) with no sentence giving its reason."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis, Sentence
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, explained
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    threshold: float = 0.9
    topic: list[str]  # a sentence about money: one of these words
    reasons: list[str]  # ... giving a reason: one of these
    # where a report gives its reasons (a problems section, a 偏差原因 column); a text with none
    # of them (an excerpt, a report cut short) has not had the chance to explain
    reason_places: list[str] = []


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    rate = a.budget.execution
    if rate is None or rate >= p.threshold:
        return
    if explained(a, p):
        return
    if p.reason_places and not compiled(p, "reason_places").search(a.text):
        return
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    s = _sentence_of(a, spent.start)
    start, end = (s.start, s.end) if s else (spent.start, spent.end)
    yield a.finding(
        rule,
        start,
        end,
        rule.say(rate=f"{rate * 100:.2f}%", threshold=f"{p.threshold * 100:.0f}%"),
        evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}% < {p.threshold * 100:.0f}%，"
                 "报告未说明原因",
    )


def _sentence_of(analysis: Analysis, pos: int) -> Sentence | None:
    for s in analysis.sentences:
        if s.start <= pos < s.end:
            return s
    return None
