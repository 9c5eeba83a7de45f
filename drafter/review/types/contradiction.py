"""contradiction: a phrase the figures contradict ("全部用于" beside a 结余, "按计划完成"
with execution below the threshold)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from drafter.analysis.budget import role_of
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, Scope, compiled
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    tokens: list[str]
    condition: Literal["balance_positive", "execution_below"]
    threshold: float = 0.9
    quote: Literal["clause", "sentence"] = "clause"
    # balance_positive: a clause naming an amount no larger than the spending speaks of that
    # amount ("本年支出 43.6 万元全部用于…", "合同款 46.2 万元已全部支付"), not of the whole budget
    unless_part_amount: bool = False
    # the sentence must speak of money ("新购设备全部投入使用" is about equipment)
    topic: list[str] = []
    # in the clause before the phrase: it is denied ("未能全部支付完成" admits the balance)
    negation: list[str] = []
    scope: Scope = Scope()


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    evidence = _condition(a, p)
    if evidence is None:
        return
    rx = compiled(p, "tokens")
    topic, negation = compiled(p, "topic"), compiled(p, "negation")
    spent = a.budget.first("spent")
    for s in a.sentences:
        if topic and not topic.search(s.text):
            continue
        for m in rx.finditer(s.text):
            lo = max(s.text.rfind(c, 0, m.start()) for c in "，,") + 1
            hi = min([i for i in (s.text.find(c, m.end()) for c in "，,") if i >= 0] or [len(s.text)])
            if negation and negation.search(s.text[lo : m.start()]):
                continue
            if not p.scope.admits(a, s.start + m.start()):
                continue
            # "……支付 2668 万元，全部用于……": 全部 is of the amount paid, in its clause or the one
            # before, not of the budget
            before = max([s.text.rfind(c, 0, lo - 1) for c in "，,"] + [-1]) + 1 if lo > 0 else lo
            if p.unless_part_amount and spent is not None and any(
                f.kind == "amount" and f.yuan <= spent.value + spent.tolerance + f.tolerance
                and (f.start >= s.start + lo or role_of(a.text, f.start) == "spent")
                for f in a.figures_in(s.start + before, s.start + m.start())
            ):
                continue
            start, end = (s.start + lo, s.start + hi) if p.quote == "clause" else (s.start, s.end)
            yield a.finding(rule, start, end, rule.say(match=m.group(0)), evidence=evidence)
            break


def _condition(a: Analysis, p: Params) -> str | None:
    """The figures' side of the contradiction, as evidence; None when they do not contradict."""
    b = a.budget
    if p.condition == "balance_positive":
        budget, spent, stated = b.budget_figure, b.first("spent"), b.first("balance")
        if stated and stated.value > stated.tolerance:
            extra = (f"（{fmt(budget.value)} − {fmt(spent.value)} = {fmt(budget.value - spent.value)}）"
                     if budget and spent else "")
            return f"结余 {fmt(stated.value)} 元 > 0{extra}"
        if budget and spent and budget.value - spent.value > budget.tolerance + spent.tolerance:
            return f"{fmt(budget.value)} − {fmt(spent.value)} = {fmt(budget.value - spent.value)} 元未支出"
        return None
    rate = b.execution
    if rate is None or rate >= p.threshold:
        return None
    return (f"执行率 {fmt(b.first('spent').value)} / {fmt(b.budget_figure.value)} = "
            f"{rate * 100:.2f}% < {p.threshold * 100:.0f}%")
