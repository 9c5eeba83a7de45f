"""local_identity: a sentence that gives a part's own 预算, 支出 and 结余 (a sub-project, a
lot, one source): 预算 − 支出 = 结余 within it (``check: balance``); or its own 预算, 支出 and
执行率: 执行率 = 支出 ÷ 预算 within it (``check: rate``: a department's report, a sub-project).
The project's own figures are budget_identity's and execution_rate's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from drafter.analysis.budget import is_bound, role_of
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, close
from drafter.text.figures import in_unit, in_unit_both, rate_fits

STAGE = "text"


class Params(BaseParams):
    check: Literal["balance", "rate"] = "balance"


def check(rule, a: Analysis) -> Iterator[Finding]:
    project = {id(f.figure) for items in a.budget.found.values() for f in items if f.figure is not None}
    if rule.params.check == "rate":
        yield from _rates(rule, a, project)
        return
    for s, in_sentence in a.sentence_figures:
        figs = [f for f in in_sentence if f.kind == "amount" and not f.approx]
        if len(figs) < 3 or any(id(f) in project for f in figs):
            continue
        roles: dict[str, list] = {}
        for f in figs:
            role = role_of(a.text, f.start)
            if role in ("initial", "adjusted", "spent", "balance"):
                roles.setdefault("budget" if role in ("initial", "adjusted") else role, []).append(f)
        if any(len(roles.get(r, [])) != 1 for r in ("budget", "spent", "balance")):
            continue
        b, sp, bal = roles["budget"][0], roles["spent"][0], roles["balance"][0]
        if not (b.start < sp.start < bal.start):
            continue  # the usual order: 预算…，支出…，结余…
        expected = b.yuan - sp.yuan
        if close(expected, bal.yuan, b.tolerance + sp.tolerance + bal.tolerance):
            continue
        yield a.finding(rule, bal.start, bal.end, rule.say(expected=in_unit(expected, bal.unit), stated=bal.text),
                        evidence=f"{b.text} − {sp.text} = {in_unit_both(expected, bal.unit)}，本句写结余 {bal.text}")


def _rates(rule, a: Analysis, project: set[int]) -> Iterator[Finding]:
    """"预算数 11605.29 万元，执行数 21680.25 万元，执行率为 100%": one budget, one spending and
    one rate in a sentence, in that order, none of them the project's own figures."""
    for s, in_sentence in a.sentence_figures:
        figs = [f for f in in_sentence if f.kind in ("amount", "percent") and not f.approx]
        if len(figs) < 3 or any(id(f) in project for f in figs):
            continue
        roles: dict[str, list] = {}
        for f in figs:
            role = role_of(a.text, f.start)
            if f.kind == "percent":
                if role == "rate" and not is_bound(a.text, f):
                    roles.setdefault("rate", []).append(f)
            elif role in ("initial", "adjusted", "spent"):
                roles.setdefault("budget" if role in ("initial", "adjusted") else role, []).append(f)
        if any(len(roles.get(r, [])) != 1 for r in ("budget", "spent", "rate")):
            continue
        b, sp, rate = roles["budget"][0], roles["spent"][0], roles["rate"][0]
        if not (b.start < sp.start < rate.start) or b.yuan <= 0:
            continue
        exact = sp.yuan / b.yuan * 100
        if rate_fits(rate.value, rate.decimals, exact):
            continue
        yield a.finding(rule, rate.start, rate.end, rule.say(rate=f"{exact:.2f}%", stated=rate.text),
                        evidence=f"{sp.text} / {b.text} = {exact:.2f}%（本句写 {rate.text}）")
