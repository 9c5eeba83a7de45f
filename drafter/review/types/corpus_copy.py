"""corpus_copy: a sentence that stands near-verbatim in other reports of the index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import CorpusParams, corpus_kind_ok

STAGE = "corpus"
Params = CorpusParams


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    p: Params = rule.params
    a, corpus = ctx.analysis, ctx.corpus
    if corpus is None:
        return
    yoy = {id(sm) for sm in corpus.sentences if corpus.earlier_same_unit(sm)}
    for sm in corpus.sentences:
        if not corpus_kind_ok(p, sm.kind) or id(sm) in yoy:
            continue
        copies = sm.copies()
        if len(copies) < p.min_reports:
            continue
        start, end = sm.passage()
        # the index returns a fixed number of matches: past that the count is a floor
        saturated = "至少 " if len(copies) >= corpus.cap else ""
        more = f"等 {len(copies)} 份" if len(copies) > p.listed else ""
        yield a.finding(rule, start, end, rule.say(count=f"{saturated}{len(copies)}"),
                        evidence="、".join(_describe(m) for m in copies[: p.listed]) + more
                        + f"有相同的文字（占本句 {copies[0].share:.0%}）")


def _describe(m) -> str:
    r = m.meta
    name = r.get("project") or Path(r.get("source", "")).name
    who = "，".join(x for x in (r.get("unit", ""), f"{r['year']} 年" if r.get("year") else "") if x)
    return f"《{name}》（{who}）" if who else f"《{name}》"
