"""corpus_figures: a figure sentence ("全年支出 14703118 元，结余 73132 元") whose figures are the
same as in another unit's report: figures carried from another report. (With other figures
the same sentence is what every report states, and no copy.)"""

from __future__ import annotations

from collections.abc import Iterator

from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import BaseParams
from drafter.review.types.corpus_copy import _describe

STAGE = "corpus"


class Params(BaseParams):
    # at least one amount of this many significant digits (14703118 元: 8; a round 100 万元 may
    # be the same in two reports by chance)
    min_digits: int = 4
    listed: int = 3  # reports named in the evidence


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    from drafter.corpus.copy import _plain_unit, significant_digits

    p: Params = rule.params
    a, corpus = ctx.analysis, ctx.corpus
    if corpus is None:
        return
    mine = _plain_unit(corpus.identity.get("unit"))
    for sm in corpus.sentences:
        figures = a.figures_in(sm.sentence.start, sm.sentence.end)
        if not any(f.kind == "amount" and significant_digits(f.text) >= p.min_digits for f in figures):
            continue
        # another unit's report: the same unit's other files are its own business
        others = [m for m in sm.same_figures() if not mine or _plain_unit(m.meta.get("unit")) != mine]
        if not others:
            continue
        more = f"等 {len(others)} 份" if len(others) > p.listed else ""
        shown = "、".join(f.text for f in figures if f.kind == "amount")
        yield a.finding(rule, sm.sentence.start, sm.sentence.end, rule.say(count=len(others), figures=shown),
                        evidence="、".join(_describe(m) for m in others[: p.listed]) + more
                        + f"有同一句话、同样的数字：“{others[0].text[:60]}”")
