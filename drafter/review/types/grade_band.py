"""grade_band: the stated grade (优/良/中/差) against the band the score falls in."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt
from drafter.text.tables import indicator_tables

STAGE = "text"


class Params(BaseParams):
    pattern: str  # regex with a named group "grade"
    bands: dict[str, float]  # grade word -> minimum score, e.g. 优: 90


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    score = a.budget.first("self_score")
    if score is None:
        totals = [r.score for it in indicator_tables(a) for r in it.rows if r.is_total and r.score is not None]
        if not totals:
            return
        value = totals[0]
    else:
        value = score.value
    ordered = sorted(p.bands.items(), key=lambda kv: -kv[1])

    def band_of(v: float) -> str:
        return next((g for g, lo in ordered if v >= lo), ordered[-1][0])

    for m in re.finditer(p.pattern, a.text):
        grade = m.group("grade")
        word = next((g for g in p.bands if grade.startswith(g)), None)
        if word is None:
            continue
        expected = band_of(value)
        if word == expected:
            continue
        lo = p.bands[expected]
        yield a.finding(rule, m.start("grade"), m.end("grade"),
                        rule.say(grade=grade, expected=expected, score=fmt(value)),
                        evidence=f"自评 {fmt(value)} 分，属“{expected}”档（≥ {fmt(lo)} 分），报告写“{grade}”")
