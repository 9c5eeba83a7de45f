"""density: several stock phrases in one sentence (套话密度)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, Scope, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    phrases: list[str]
    min_hits: int = 2
    unless_figure: bool = True
    scope: Scope = Scope()


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    rx = compiled(p, "phrases")
    for s in a.sentences:
        hits = []
        for m in rx.finditer(s.text):
            if m.group(0) not in hits:
                hits.append(m.group(0))
        if len(hits) < p.min_hits:
            continue
        if p.unless_figure and has_figure(a, s.start, s.end):
            continue
        if not p.scope.admits(a, s.start):
            continue
        covered = sum(len(h) for h in hits)
        yield a.finding(
            rule,
            s.start,
            s.end,
            rule.say(count=len(hits)),
            evidence=f"套话 {len(hits)} 处（{'、'.join(hits)}），占本句 {covered}/{len(s.text)} 字",
        )
