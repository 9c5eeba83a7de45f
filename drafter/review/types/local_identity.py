"""local_identity: a sentence that gives a part's own 预算, 支出 and 结余 (a sub-project, a
lot, one source): 预算 − 支出 = 结余 within it. The project's own figures are budget_identity's."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.budget import role_of
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import EmptyParams, close
from drafter.text.figures import fmt

STAGE = "text"
Params = EmptyParams


def check(rule, a: Analysis) -> Iterator[Finding]:
    project = {id(f.figure) for items in a.budget.found.values() for f in items if f.figure is not None}
    for s in a.sentences:
        figs = [f for f in a.figures_in(s.start, s.end) if f.kind == "amount" and not f.approx]
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
        yield a.finding(rule, bal.start, bal.end, rule.say(expected=fmt(expected) + " 元", stated=bal.text),
                        evidence=f"{b.text} − {sp.text} = {fmt(expected)} 元，本句写结余 {bal.text}")
