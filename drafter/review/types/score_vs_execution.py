"""score_vs_execution: a self-score above what the execution rate allows (预算执行率 earns
执行率 × its weight, so below 100% execution the total cannot be full)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import score_ceiling
from drafter.analysis.view import Analysis
from drafter.findings import Finding, Level
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    exec_weight: float = 10.0
    error_gap: float = 0.5  # smaller gaps are warnings,
    note_gap: float = 0.1  # ... and gaps below this (rounding a 99.9% execution) a note


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    score = a.budget.first("self_score")
    rate = a.budget.execution
    if score is None or rate is None or rate >= 1.0:
        return  # at full execution a score above 100 is another rule's (total, over-weight)
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    exec_points, ceiling = score_ceiling(rate, p.exec_weight)
    gap = score.value - ceiling
    if gap <= 0.005:
        return
    level = None if gap >= p.error_gap else (Level.warning if gap >= p.note_gap else Level.info)
    yield a.finding(
        rule,
        score.start,
        score.end,
        rule.say(score=fmt(score.value), ceiling=fmt(ceiling), rate=f"{rate * 100:.2f}%"),
        evidence=f"执行率 {fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}%；"
        f"预算执行率 {fmt(p.exec_weight)} 分 × {rate * 100:.2f}% = {exec_points:.2f} 分；"
        f"总分最多 100 − {fmt(p.exec_weight)} + {exec_points:.2f} = {ceiling:.2f} 分 < 自评 {fmt(score.value)} 分",
        level=level,
    )
