"""budget_identity: 调整后预算 − 支出 = 结余 for the project's own figures (a failure that a
元/万元 slip explains is unit_slip's)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import ROLE_NAMES
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import (
    EmptyParams,
    amount,
    amount_both,
    identity_figures,
    identity_holds,
    slip_candidates,
)

STAGE = "text"
Params = EmptyParams


def check(rule, a: Analysis) -> Iterator[Finding]:
    v = identity_figures(a)
    if len(v) < 3 or identity_holds(a, v) or any(True for _ in slip_candidates(v)):
        return
    b, s, r = v["budget"], v["spent"], v["balance"]
    expected = b.value - s.value
    if expected < 0 < r.value:
        return  # spending above the budget read beside a positive 结余: figures of different scopes were paired
    name = ROLE_NAMES[b.role]
    yield a.finding(
        rule,
        r.start,
        r.end,
        # in the unit the report writes the 结余 in (13.64 万元, not 136400 元)
        rule.say(expected=amount(expected, r), stated=amount(r.value, r), budget_name=name),
        evidence=f"{name} {amount(b.value, r)} − 支出 {amount(s.value, r)} = {amount_both(expected, r)}"
                 f"（报告写结余 {amount(r.value, r)}）",
    )
