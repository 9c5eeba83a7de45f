"""llm_check_failed: a claim check that failed (no answer, or not the expected JSON) is a
finding, never a silent "no findings"."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import EmptyParams

STAGE = "llm"
Params = EmptyParams


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    if ctx.claims is None:
        return
    _, failures = ctx.claim_results
    for f in failures:
        yield ctx.analysis.finding(rule, f.start, f.end, rule.say(problem=f.problem), evidence=f.problem)
