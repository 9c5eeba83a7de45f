"""count_list: a stated number of things followed by the things named one by one ("直属事业单位
10 个，即 A、B、C……") whose names are fewer or more than the number."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, matches_around, rx_cached
from drafter.text.numerals import counter_value

STAGE = "text"


class Params(BaseParams):
    # the number and its measure word, then the word that opens the list
    lead: str
    opener: str  # a regex of the words that open the list: the lead is looked for around them
    reach: int = 20  # characters of the lead before its opener
    # a list that may be partial or is not names (等, figures)
    partial: list[str] = []
    max_gap: int = 3  # a larger difference is more likely a misread than a slip


_SPLIT = re.compile(r"[、，；]|(?<=[\u4e00-\u9fff]{2})[和及与](?=[\u4e00-\u9fff]{2})")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    lead, partial = rx_cached((p.lead,)), compiled(p, "partial")
    text = a.text
    for m in matches_around(text, rx_cached((p.opener,)), lead, p.reach):
        end = re.compile(r"[。；\n]").search(text, m.end())
        body = text[m.end() : end.start() if end else len(text)]
        if not end or (partial and partial.search(body)) or re.search(r"\d", body[:40]):
            continue
        n = int(m.group("n")) if m.group("n").isdigit() else counter_value(m.group("n"))
        names = [x.strip() for x in _SPLIT.split(body) if x.strip()]
        if not n or len(names) < 2 or len(names) == n or abs(len(names) - n) > p.max_gap:
            continue
        yield a.finding(rule, m.start(), m.end() + len(body), rule.say(n=n, listed=len(names)),
                        evidence=f"写 {n} {m.group('unit')}，列出 {len(names)} 个：" + "、".join(names))
