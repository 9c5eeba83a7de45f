"""standards_total: people counted by category and a standard per head for each category
("救助小学生 140 人；初中生 96 人；高中生 42 人。小学生 300 元/年、初中生 500 元/年、高中生
1000 元/年"): the money those standards pay, Σ 人数 × 标准, against what the report says the
project spent (and its budget). Every counted category must have its standard, and a standard
per month or term (which needs a number of months) is not read."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, amount, amount_both, close
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    window: int = 300  # the standards are written within this many characters of the counts


_COUNT = re.compile(r"(?P<cat>[\u4e00-\u9fff]{2,12}?)(?P<n>\d+)\s*(?P<u>人次|人|名|户)(?![/／次])")
_STANDARD = re.compile(r"(?P<cat>[\u4e00-\u9fff]{2,12}?)(?:每人|每生|每户)?(?:每年)?(?:补助|资助|标准为?)?"
                       r"(?P<p>\d+(?:\.\d+)?)\s*(?P<pu>万元|元)\s*(?P<per>[/／](?:人|生|户)?[·.]?(?:年|学年|人|生|户))")
_PER_HEAD = re.compile(r"元\s*[/／]")
_PERIODIC = re.compile(r"每月|[/／·.]\s*月|学期|每季")
_LEAD = re.compile(r"共计|共|合计|其中|救助|资助|补助|慰问|发放|帮扶|覆盖|惠及|涉及|受益|期间|年度|本年")


def _name(raw: str) -> str:
    """The category a count or standard is of: the words after its verb (共慰问困难党员 → 困难党员)."""
    return _LEAD.split(re.split(r"[，、；：]", raw)[-1])[-1]


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    text = a.text
    if not _PER_HEAD.search(text):
        return  # no standard per head anywhere
    spent = a.budget.first("spent")
    budget = a.budget.budget_figure
    if spent is None and budget is None:
        return
    for line in a.lines:
        seg = text[line.start : line.end]
        counts = [(m, _name(m.group("cat"))) for m in _COUNT.finditer(seg)]
        counts = [(m, c) for m, c in counts if len(c) >= 2]
        if len(counts) < 2 or len({c for _, c in counts}) != len(counts):
            continue
        hi = min(len(text), line.start + counts[-1][0].end() + p.window)
        region = text[line.start + counts[-1][0].end() : hi]
        if _PERIODIC.search(region):
            continue
        standards = {}
        for m in _STANDARD.finditer(region):
            name = _name(m.group("cat"))
            value = float(m.group("p")) * (1e4 if m.group("pu") == "万元" else 1)
            standards[name] = (value, m)
        matched = []
        for m, cat in counts:
            hits = [v for k, v in standards.items() if k.endswith(cat[-3:]) or cat.endswith(k[-3:])]
            if len(hits) != 1:
                break
            matched.append((m, cat, hits[0]))
        else:
            if len(matched) < 2:
                continue
            total = sum(int(m.group("n")) * v for m, _, (v, _) in matched)
            against = [f for f in (spent, budget) if f is not None]
            if any(close(total, f.value, f.tolerance + 1) for f in against):
                continue
            f = against[0]
            terms = " + ".join(f"{m.group('n')} × {fmt(v)}" for m, _, (v, _) in matched)
            end = line.start + counts[-1][0].end() + matched[-1][2][1].end()
            first, name = matched[0][0], matched[0][1]
            yield a.finding(rule, line.start + first.start("n") - len(name), end,
                            rule.say(total=amount(total, f), stated=f.text),
                            evidence=f"{terms} = {amount_both(total, f)}；报告写{'支出' if f is spent else '预算'} "
                                     f"{f.text}，相差 {amount_both(abs(f.value - total), f)}")
