"""llm_claim: an outcome claim the model judges unsupported by the report's figures or
evidence (review --llm); marked as model-judged."""

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
    results, _ = ctx.claim_results
    a = ctx.analysis
    for r in results:
        if r.verdict.is_claim and not r.verdict.supported:
            yield a.finding(rule, r.sentence.start, r.sentence.end, rule.say(reason=r.verdict.reason or "未说明"),
                            evidence=f"模型判断（{ctx.claims.model_name or '已配置的模型'}）：{r.verdict.reason}")
