"""arrival_mismatch: an amount said to have arrived in full ("财政本级预算 174 万元，全部到位")
while the report gives a different amount as what actually arrived or was allocated for it
("实际实施并下达预算指标 173.65 万元", "实际到位 160 万元")."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, joint_tolerance, matches_around, rx_cached
from drafter.text.figures import extract, in_unit

STAGE = "text"


class Params(BaseParams):
    claim: str  # a regex: group "amount" then the words that say all of it arrived
    claim_word: str = "全部"  # a regex of a word every claim holds: the claim is looked for around it
    claim_reach: int = 40  # characters before the word the claim may start
    actual: str  # a regex: the words of what actually arrived, then group "amount"


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    claims = matches_around(a.text, rx_cached((p.claim_word,)), rx_cached((p.claim,)), p.claim_reach)
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
