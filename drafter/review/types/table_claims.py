"""table_claims: outcomes the 自评表 claims with nothing to check them by, in any layout:
an 效益 indicator whose 实际完成值 is only an evaluative word (效果明显, 显著, 有效, 逐步提高) and
still earns full marks (``check: qualitative_effect``), and a 实际完成情况 that repeats the
预期目标 word for word (``check: goal_repeated``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled
from drafter.text.forms import cells
from drafter.text.tables import indicator_tables

STAGE = "text"


class Params(BaseParams):
    check: Literal["qualitative_effect", "goal_repeated"]
    # qualitative_effect: the rows that are outcomes (their 一级/二级 name) and the words that
    # evaluate without measuring
    effect_levels: list[str] = []
    evaluative: list[str] = []
    # goal_repeated: the header cells after which the goals and what was done stand
    goal_headers: list[str] = []
    min_chars: int = 12


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    if p.check == "qualitative_effect":
        yield from _qualitative(rule, a, p)
    else:
        yield from _repeated(rule, a, p)


def _qualitative(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    levels, words = compiled(p, "effect_levels"), compiled(p, "evaluative")
    for it in indicator_tables(a):
        level1 = level2 = ""
        for r in it.rows:
            if r.is_total:
                continue
            # merged 一级/二级 cells are written once: carry them down
            level1 = r.cells[0].text.strip() or level1
            level2 = ((r.cells[1].text.strip() if len(r.cells) > 1 else "")
                      or (level2 if not r.cells[0].text.strip() else ""))
            actual = r.actual.strip()
            if not levels.search(level2 or level1) or not actual or re.search(r"\d", actual) or len(actual) > 12:
                continue
            if not words.search(actual) or r.weight is None or r.score is None or r.score < r.weight:
                continue
            c = it.cell(r, it.col_actual)
            yield a.finding(rule, c.start, c.end, rule.say(name=r.name, actual=actual, score=f"{r.score:g}"),
                            evidence=f"实际完成值“{actual}”没有数值；得分 {r.score:g} / 分值 {r.weight:g}")


def _repeated(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """After a 预期目标 … 实际完成情况 header: the goal cells followed by the same cells again
    (目标1 目标2 目标1 目标2), or each goal cell followed by its copy."""
    headers = compiled(p, "goal_headers")
    text = a.text
    for m in headers.finditer(text):
        stream = [c for c in cells(text, m.end(), min(len(text), m.end() + 1500)) if c.text.strip("|")]
        while stream and re.fullmatch(r"[\d.%分（）()]+", stream[0].text):
            stream.pop(0)  # a 分值 cell between the header and the goals
        stream = stream[:24]
        found = None
        for k in range(1, len(stream) // 2 + 1):
            if [c.text for c in stream[:k]] == [c.text for c in stream[k : 2 * k]]:
                found = (stream[0], stream[2 * k - 1], sum(len(c.text) for c in stream[:k]))
                break
        if found is None and len(stream) >= 2 and stream[0].text == stream[1].text:
            found = (stream[0], stream[1], len(stream[0].text))
        if found is None or found[2] < p.min_chars:
            continue
        first, last, _ = found
        yield a.finding(rule, first.start, last.end, rule.say(), evidence="实际完成情况与预期目标逐字相同")
