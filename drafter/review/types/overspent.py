"""overspent: the project's spending above its budget (支出 16363 元 against a budget of
1.62 万元; a funds block's 全年执行数 338.31 against its 全年预算数 329.77) with no word in the report
that accounts for it (超支, 追加, 自筹, 垫付…).

A spending stated in the text is measured against a budget of its own paragraph, written before
it, and the finding points at that budget, the figure the spending exceeds (as
spent-items-over-budget does): the two figures are quoted together when one sentence holds both
("年初预算8.5万元,实际支出8.92万元"); when they stand in different sentences, the budget alone is
quoted, with the spending in the message (a quote across sentences would take in whatever lies
between them). A funds block's two cells stand on one row: its spending cell is quoted."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import ROLE_NAMES
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, amount, amount_both, rx_cached

STAGE = "text"


class Params(BaseParams):
    explained: str  # a regex: words that account for spending above the budget


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    spent = a.budget.first("spent")
    if spent is None:
        return
    if spent.source == "table":
        # the funds block's own 全年预算数 (or 年初预算数) on the same row
        budgets = [f for role in ("adjusted", "initial") for f in a.budget.found.get(role, [])[:1]
                   if f.source == "table"][:1]
    else:
        # the budget it is measured against is written in the same paragraph, before it: a budget
        # elsewhere may be another item's or one source's
        lo = a.text.rfind("\n", 0, spent.start) + 1
        budgets = [f for role in ("initial", "adjusted") for f in a.budget.found.get(role, [])
                   if f.source == "text" and lo <= f.start < spent.start]
    if not budgets:
        return
    top = max(budgets, key=lambda b: b.value)
    if spent.value <= top.value + top.tolerance + spent.tolerance or spent.value > 2 * top.value:
        return  # within rounding; or twice the budget and more: figures of another scope
    if rx_cached((p.explained,)).search(a.text):
        return
    over = spent.value - top.value
    name = ROLE_NAMES.get(top.role, "预算")
    start, end = spent.start, spent.end
    if top.source == "text":
        sentence = a.sentence_at(top.start)
        start, end = (top.start, spent.end) if sentence and spent.end <= sentence.end else (top.start, top.end)
    yield a.finding(rule, start, end,
                    # as written; a table cell's bare number with the table's unit
                    rule.say(spent=spent.text if spent.figure else amount(spent.value, spent),
                             budget=top.text if top.figure else amount(top.value, top), name=name),
                    evidence=f"支出 {amount(spent.value, spent)} − {name} {amount(top.value, spent)} = "
                             f"{amount_both(over, spent)}"
                             f"（执行率 {spent.value / top.value * 100:.2f}%）")
