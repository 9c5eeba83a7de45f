"""execution_rate: a 执行率 stated in the text against 支出 / 预算 (rounded or truncated to its digits)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import RoleFigure
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt, rate_fits

STAGE = "text"


class Params(BaseParams):
    min_budget: float = 0.0


def check(rule, a: Analysis) -> Iterator[Finding]:
    """The rates the text states; a funds table's rates are checked by its own rows (funds_block)."""
    budget = a.budget.budget_figure
    if budget is None or budget.value <= 0:
        return
    # the spending of each source (text, table): its first figure, else the report's
    spent_of: dict[str, RoleFigure] = {}
    for f in a.budget.found.get("spent", []):
        spent_of.setdefault(f.source, f)
    # the budget figure first; readings with the same value and rounding are one reading
    budgets = list({(b.value, b.tolerance): b for b in a.budget.budget_alternatives() if b.value > 0}.values())
    for stated in a.budget.found.get("rate", []):
        if stated.source == "table":
            continue
        spent = spent_of.get(stated.source) or a.budget.first("spent")
        if spent is None:
            continue
        if any(_rate_matches(stated, spent, b) for b in budgets) or _matches_its_sentence(a, stated):
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


def _matches_its_sentence(a: Analysis, stated: RoleFigure) -> bool:
    """The rate is the ratio of two amounts written before it in its own sentence ("共投入资金
    960 万元，全年执行资金 905.6 万元，执行率 94.33%"): it states that sentence's execution."""

    s = a.sentence_at(stated.start)
    if s is None:
        return False
    amounts = [f for f in a.figures_in(s.start, stated.start) if f.kind == "amount" and f.yuan]
    return any(rate_fits(stated.value, stated.decimals, y.yuan / x.yuan * 100)
               for i, x in enumerate(amounts) for y in amounts[i + 1 :] if x.yuan > 0)
