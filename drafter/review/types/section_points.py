"""section_points: a report scored part by part in its headings ("一、投入（分值18分，自评得18分）",
"（一）项目立项（分值10分，自评得10分）"): the parts under a heading may not carry more 分值 than
it has, a score may not exceed its 分值, and the parts' scores may not add up to more than the
heading's. (Fewer is left alone: an excerpt may lack a part.)"""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, rx_cached
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    # a heading's points: groups weight and score
    points: str = r"分值\s*(?P<weight>\d+(?:\.\d+)?)\s*分[，,、\s]*(?:自评)?得分?\s*(?P<score>\d+(?:\.\d+)?)\s*分"


def _points(rx, title: str) -> tuple[float, float] | None:
    m = rx.search(title)
    return (float(m.group("weight")), float(m.group("score"))) if m else None


def check(rule, a: Analysis) -> Iterator[Finding]:
    rx = rx_cached((rule.params.points,))
    for sec in a.all_sections:
        own = _points(rx, sec.title)
        if own is None:
            continue
        weight, score = own
        if score > weight + 1e-9:
            yield a.finding(rule, sec.heading_start, sec.heading_end,
                            rule.say(name=sec.title.split("（")[0], what="自评得分", got=fmt(score), limit=fmt(weight)),
                            evidence=f"自评得 {fmt(score)} 分 > 分值 {fmt(weight)} 分")
            continue
        parts = [p for p in (_points(rx, c.title) for c in sec.children) if p]
        if len(parts) < 2:
            continue
        w, s = sum(p[0] for p in parts), sum(p[1] for p in parts)
        for what, got, limit in (("各小项分值合计", w, weight), ("各小项得分合计", s, score)):
            if got > limit + 1e-9:
                terms = " + ".join(fmt(p[0] if what.endswith("分值合计") else p[1]) for p in parts)
                yield a.finding(rule, sec.heading_start, sec.heading_end,
                                rule.say(name=sec.title.split("（")[0], what=what, got=fmt(got), limit=fmt(limit)),
                                evidence=f"{terms} = {fmt(got)} > {fmt(limit)}")
                break
