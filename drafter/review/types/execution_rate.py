"""execution_rate: a 执行率 stated in the text against 支出 / 预算 (rounded or truncated to its digits)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import RoleFigure
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    min_budget: float = 0.0


def check(rule, a: Analysis) -> Iterator[Finding]:
    """The rates the text states; a funds table's rates are checked by its own rows (funds_block)."""
    for stated in a.budget.found.get("rate", []):
        if stated.source == "table":
            continue
        same = [f for f in a.budget.found.get("spent", []) if f.source == stated.source]
        spent = same[0] if same else a.budget.first("spent")
        budget = a.budget.budget_figure
        if spent is None or budget is None or budget.value <= 0:
            continue
        budgets = [budget, *a.budget.budget_alternatives()[1:]]
        if any(_rate_matches(stated, spent, b) for b in budgets if b.value > 0):
            continue
        computed = spent.value / budget.value * 100
        yield a.finding(
            rule,
            stated.start,
            stated.end,
            rule.say(computed=f"{computed:.2f}%", stated=f"{fmt(stated.value)}%"),
            evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {computed:.2f}%（报告写 {fmt(stated.value)}%）",
        )


def _rate_matches(stated: RoleFigure, spent: RoleFigure, budget: RoleFigure) -> bool:
    computed = spent.value / budget.value * 100
    step = 10 ** (-stated.decimals)
    # Rounded or truncated to the stated digits both pass; so does the imprecision of the inputs.
    input_slack = computed * (spent.tolerance / max(spent.value, 1e-9) + budget.tolerance / budget.value)
    return abs(computed - stated.value) < step + input_slack + 1e-9
