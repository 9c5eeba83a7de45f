"""corpus_profile: the unit's profile and duties shared with other reports: normal, reported
once, as info."""

from __future__ import annotations

from collections.abc import Iterator

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
    shared = [sm for sm in corpus.sentences if corpus_kind_ok(p, sm.kind) and sm.copies()]
    if not shared:
        return
    sources = {m.meta.get("source") for sm in shared for m in sm.copies()}
    yield a.finding(rule, shared[0].sentence.start, shared[-1].sentence.end,
                    rule.say(sentences=len(shared), count=len(sources)),
                    evidence=f"{len(shared)} 句与 {len(sources)} 份其他报告相同")
