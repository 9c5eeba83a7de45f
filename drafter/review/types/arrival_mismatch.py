"""arrival_mismatch: an amount said to have arrived in full ("财政本级预算 174 万元，全部到位")
while the report gives a different amount as what actually arrived or was allocated for it
("实际实施并下达预算指标 173.65 万元", "实际到位 160 万元")."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, joint_tolerance, rx_cached
from drafter.text.figures import extract, in_unit

STAGE = "text"


class Params(BaseParams):
    claim: str  # a regex: group "amount" then the words that say all of it arrived
    # a word every claim holds: the claim is looked for only around it (a pattern led by a digit
    # would be tried at every character of the report)
    claim_word: str = "全部"
    claim_reach: int = 40  # characters before the word the claim may start
    actual: str  # a regex: the words of what actually arrived, then group "amount"


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    text, claim = a.text, rx_cached((p.claim,))
    claims, seen = [], set()
    at = text.find(p.claim_word)
    while at >= 0:
        for m in claim.finditer(text, max(0, at - p.claim_reach), at + len(p.claim_word) + 12):
            if m.span() not in seen:
                seen.add(m.span())
                claims.append(m)
        at = text.find(p.claim_word, at + 1)
    if not claims:
        return
    actual = []
    for m in rx_cached((p.actual,)).finditer(a.text):
        figs = extract(m.group("amount"))
        if figs and figs[0].kind == "amount":
            actual.append((m, figs[0]))
    for m in claims:
        figs = extract(m.group("amount"))
        if not figs or figs[0].kind != "amount" or not actual:
            continue
        said = figs[0]
        if any(abs(f.yuan - said.yuan) <= joint_tolerance(f, said) + 1e-6 for _, f in actual):
            continue  # the amount that arrived is also written: the claim agrees with it
        smaller = [(x, f) for x, f in actual if f.yuan < said.yuan and f.yuan > 0.5 * said.yuan]
        if not smaller:
            continue
        x, f = smaller[0]
        gap = in_unit(said.yuan - f.yuan, said.unit)
        yield a.finding(rule, m.start(), m.end(), rule.say(said=said.text, actual=f.text),
                        evidence=f"{said.text} 写作全部到位；报告另写“{x.group(0).strip()}”：差 {gap}")
