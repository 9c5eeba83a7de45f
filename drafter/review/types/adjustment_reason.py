"""adjustment_reason: the budget adjusted during the year with no sentence giving the reason."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, amount, amount_both, explained

STAGE = "text"


class Params(BaseParams):
    topic: list[str]
    reasons: list[str]
    min_change: float = 0.0  # fraction of the initial budget


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    initial, adjusted = a.budget.first("initial"), a.budget.first("adjusted")
    if not initial or not adjusted or initial.value <= 0 or initial.weak:
        return  # an amount read from 下达/安排 alone is often one source or one item of the budget
    change = adjusted.value - initial.value
    if abs(change) <= max(initial.tolerance + adjusted.tolerance, p.min_change * initial.value) or explained(a, p):
        return
    word = "调减" if change < 0 else "调增"
    yield a.finding(
        rule,
        adjusted.start,
        adjusted.end,
        rule.say(word=word, change=amount(abs(change), adjusted)),
        evidence=f"{amount(initial.value, adjusted)} → {amount(adjusted.value, adjusted)}，"
                 f"{word} {amount_both(abs(change), adjusted)}，报告未说明原因",
    )
