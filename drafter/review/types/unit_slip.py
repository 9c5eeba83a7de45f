"""unit_slip: a failing 预算 − 支出 = 结余 that holds when one figure is read in 元 instead of
万元 (or the other way round)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import EmptyParams, identity_figures, identity_holds, slip_candidates
from drafter.text.figures import fmt

STAGE = "text"
Params = EmptyParams


def check(rule, a: Analysis) -> Iterator[Finding]:
    v = identity_figures(a)
    if len(v) == 3 and identity_holds(a, v):
        return
    for role, factor in slip_candidates(v):
        f = v[role]
        meant = f.value * factor
        yield a.finding(
            rule,
            f.start,
            f.end,
            rule.say(stated=f.text, meant=fmt(meant) + " 元"),
            evidence=f"按 {f.text} 计 {fmt(v['budget'].value)} − {fmt(v['spent'].value)} ≠ {fmt(v['balance'].value)}；"
            f"若为 {fmt(meant)} 元则 预算 − 支出 = 结余 成立",
        )
        return
