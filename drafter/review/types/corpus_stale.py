"""corpus_stale: figures or dates carried over unchanged from the same unit's earlier-year
report."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import YoyParams
from drafter.text.figures import extract

STAGE = "corpus"
Params = YoyParams

_STALE_YEAR = re.compile(r"(20\d\d)\s*年")


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    a, corpus = ctx.analysis, ctx.corpus
    if corpus is None:
        return
    p: Params = rule.params
    for sm in corpus.sentences:
        old = corpus.earlier_same_unit(sm)
        if not old or sm.kind in p.exclude_kinds:
            continue
        best = max(old, key=lambda m: m.shape)
        old_year = int(best.meta["year"])
        old_figs = {(f.kind, f.base) for f in extract(best.text) if f.kind in ("amount", "percent", "count")}
        same = [f for f in a.figures_in(sm.sentence.start, sm.sentence.end) if (f.kind, f.base) in old_figs]
        years = [int(y) for y in _STALE_YEAR.findall(sm.sentence.text) if int(y) <= old_year]
        if not same and not years:
            continue
        stale = [f.text for f in same] + [f"{y} 年" for y in sorted(set(years))]
        yield a.finding(rule, sm.sentence.start, sm.sentence.end, rule.say(year=old_year, figures="、".join(stale)),
                        evidence=f"与本单位 {old_year} 年报告原句相同（相似度 {best.shape:.2f}）：“{best.text[:60]}”")
