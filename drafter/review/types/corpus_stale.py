"""corpus_stale: figures or dates carried over unchanged from the same unit's earlier-year
report."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import YoyParams
from drafter.text.figures import Figure, extract

STAGE = "corpus"


class Params(YoyParams):
    # figures that are the same every year by nature, not carried over: durations (全天 24
    # 小时, 12 个月) by their unit, constants (100%) by their value
    ignore_units: list[str] = []
    ignore_figures: list[str] = []


def _key(f: Figure) -> tuple:
    return f.kind, "" if f.kind == "amount" else f.unit, round(f.base, 6)


def _ignored(p: Params) -> set[tuple]:
    return {_key(f) for text in p.ignore_figures for f in extract(text)}

_STALE_YEAR = re.compile(r"(20\d\d)\s*年")


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    a, corpus = ctx.analysis, ctx.corpus
    if corpus is None:
        return
    p: Params = rule.params
    constants = _ignored(p)
    for sm in corpus.sentences:
        old = corpus.earlier_same_unit(sm)
        if not old or sm.kind in p.exclude_kinds:
            continue
        best = max(old, key=lambda m: m.shape)
        old_year = int(best.meta["year"])
        old_figs = {_key(f) for f in extract(best.text) if f.kind in ("amount", "percent", "count")}
        same = [f for f in a.figures_in(sm.sentence.start, sm.sentence.end)
                if _key(f) in old_figs and _key(f) not in constants and f.unit not in p.ignore_units]
        years = [int(y) for y in _STALE_YEAR.findall(sm.sentence.text) if int(y) <= old_year]
        if not same and not years:
            continue
        stale = [f.text for f in same] + [f"{y} 年" for y in sorted(set(years))]
        yield a.finding(rule, sm.sentence.start, sm.sentence.end, rule.say(year=old_year, figures="、".join(stale)),
                        evidence=f"与本单位 {old_year} 年报告原句相同（相似度 {best.shape:.2f}）：“{best.text[:60]}”")
