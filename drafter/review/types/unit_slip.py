"""unit_slip: a failing 预算 − 支出 = 结余 that holds when one figure is read in 元 instead of
万元 (or the other way round) (``check: identity``); or a total and the amounts listed after it
in its sentence, which add up only when the one amount in 元 among them is read in 万元
(``check: list``: "170 万元……3 月到账 70 万元，6 月到账 60 万元，10 月到账 20 元，11 月到账 20 万元");
or an amount of the money in 元 whose digits the report gives in 万元 elsewhere (``check: digits``:
"全年预算数 2089 元" beside "年初预算 2089 万元"); or a project budget of under 1,000 元, which no
project that writes a 绩效自评 has (``check: tiny``: "年初预算资金数 100 元，全年执行数 33.78 元")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import (
    BaseParams,
    close,
    identity_figures,
    identity_holds,
    slip_candidates,
    unit_of,
)
from drafter.text.figures import AMOUNT_SCALE, fmt, in_unit, in_unit_both

STAGE = "text"


class Params(BaseParams):
    check: Literal["identity", "list", "digits", "tiny"] = "identity"
    below: float = 1000.0  # check: tiny — a budget under this many 元


def check(rule, a: Analysis) -> Iterator[Finding]:
    if rule.params.check == "list":
        yield from _lists(rule, a)
        return
    if rule.params.check == "tiny":
        main = a.budget.budget_figure
        if main is None or main.figure is None or main.figure.unit != "元" or not 0 < main.value < rule.params.below:
            return
        # shown where the budget is first written so
        f = min((x for role in ("initial", "adjusted") for x in a.budget.found.get(role, [])
                 if x.figure is not None and x.figure.unit == "元" and 0 < x.value < rule.params.below),
                key=lambda x: x.start, default=main)
        if f is not None:
            # quoted with the words that name it (年初预算资金数100元)
            lead = re.search(r"[\u4e00-\u9fff]{0,12}$", a.text[max(0, f.start - 12) : f.start])
            yield a.finding(rule, f.start - len(lead.group(0)), f.end,
                            rule.say(stated=f.text, meant=in_unit(f.figure.value * 1e4, "万元")),
                            evidence=f"项目预算只有 {f.text}，不到 {fmt(rule.params.below)} 元")
        return
    if rule.params.check == "digits":
        for f, g in a.budget.slips:
            yield a.finding(rule, f.start, f.end, rule.say(stated=f.text, meant=g.text),
                            evidence=f"报告另写 {g.text}（同一数字，单位为 万元）；按 {f.text} 计则相差一万倍")
        return
    v = identity_figures(a)
    if len(v) == 3 and identity_holds(a, v):
        return
    for role, factor in slip_candidates(v):
        f = v[role]
        meant = f.value * factor
        # the same digits in the other unit (32 元 → 32 万元), as the report would write them
        scale = AMOUNT_SCALE[unit_of(f)] * factor
        unit = next((u for u, x in AMOUNT_SCALE.items() if abs(x - scale) < 1e-9 * x), "元")
        yield a.finding(
            rule,
            f.start,
            f.end,
            rule.say(stated=f.text, meant=in_unit(meant, unit)),
            evidence=f"按 {f.text} 计 {fmt(v['budget'].value)} − {fmt(v['spent'].value)} ≠ {fmt(v['balance'].value)}；"
            f"若为 {in_unit_both(meant, unit)}则 预算 − 支出 = 结余 成立",
        )
        return


def _lists(rule, a: Analysis) -> Iterator[Finding]:
    for sent, in_sentence in a.sentence_figures:
        figs = [f for f in in_sentence if f.kind == "amount" and not f.approx]
        total = figs[0] if figs else None
        if (total is not None and total.unit == "元" and total.value < 10000 and len(figs) >= 3
                and all(f.unit == "万元" for f in figs[1:])):
            # the total slipped: "补助 471.23 元，其中中央补助 189.63 万元，地方补助 281.6 万元"
            parts = figs[1:]
            if close(sum(f.value for f in parts), total.value, sum(f.tolerance for f in parts) / 1e4 + 0.005):
                yield a.finding(rule, total.start, total.end,
                                rule.say(stated=total.text, meant=fmt(total.value) + " 万元"),
                                evidence=" + ".join(f.text for f in parts) + f" = {fmt(total.value)} 万元；"
                                f"总数写 {total.text}")
            continue
        if len(figs) < 4 or figs[0].unit != "万元":
            continue
        total, parts = figs[0], figs[1:]
        odd = [f for f in parts if f.unit == "元"]
        if len(odd) != 1 or any(f.unit != "万元" for f in parts if f is not odd[0]) or odd[0].value >= 10000:
            continue
        slip = odd[0]
        written = sum(f.yuan for f in parts)
        meant = written - slip.yuan + slip.value * 10000
        tol = sum(f.tolerance for f in parts if f is not slip) + total.tolerance
        if close(meant, total.yuan, tol) and not close(written, total.yuan, tol):
            yield a.finding(rule, slip.start, slip.end, rule.say(stated=slip.text, meant=fmt(slip.value) + " 万元"),
                            evidence=" + ".join(f.text for f in parts) + f" ≠ {total.text}；把 {slip.text} 读作 "
                            f"{fmt(slip.value)} 万元，合计正好 {total.text}")
