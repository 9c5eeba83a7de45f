"""required_sections: the sections (or, for a table form, the fields) the detected template
requires and the report lacks, listed together under the heading they belong to."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.templates import cut_off, detect_template, norm, title_matches
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import EmptyParams

STAGE = "text"
Params = EmptyParams


def check(rule, a: Analysis) -> Iterator[Finding]:
    template = detect_template(a)
    if template is None:
        return
    if template.form == "table":
        missing = template.missing_fields(a.text)
        if missing:
            start, end = _first_line(a)
            yield a.finding(rule, start, end, rule.say(section="、".join(missing), template=template.name),
                            evidence=f"模板 {template.id} 要求的栏目：{'、'.join(missing)}")
        return
    # one finding per place: the missing sections under one heading are listed together
    by_anchor: dict[tuple[int, int], list[str]] = {}
    missing = list(_missing(a, template.sections, a.sections, None, [], set()))
    if cut_off(a.report.text):
        # an excerpt cut mid-sentence: the top-level sections after the last one present were cut
        present = [i for i, ts in enumerate(template.sections)
                   if not any(n.split(" / ")[0] == ts.title for _, n in missing)]
        last = max(present, default=-1)
        missing = [(anchor, n) for anchor, n in missing
                   if next(i for i, ts in enumerate(template.sections) if ts.title == n.split(" / ")[0]) < last]
    for anchor, name in missing:
        by_anchor.setdefault(anchor, []).append(name)
    for (start, end), names in sorted(by_anchor.items()):
        yield a.finding(rule, start, end, rule.say(section="、".join(names), template=template.name),
                        evidence=f"模板 {template.id} 要求：{'；'.join(names)}")


def _missing(a: Analysis, wanted, present, parent, path, used: set) -> Iterator[tuple[tuple[int, int], str]]:
    """((anchor start, end), "一级 / 二级" name) of each required template section the report lacks;
    the anchor is the heading it belongs under (the first line for a top-level section)."""
    matched = _assign(a, wanted, present, used)
    for i, ts in enumerate(wanted):
        match = matched.get(i)
        if match is None:
            if ts.required:
                anchor = (parent.heading_start, parent.heading_end) if parent else _first_line(a)
                yield anchor, " / ".join([*path, ts.title])
            continue
        yield from _missing(a, ts.children, match.children, match, [*path, ts.title], used)


def _match_strength(heading: str, ts) -> int:
    """3: the heading is the section's name; 2: it contains it; 1: it is contained in it."""
    if not title_matches(heading, ts):
        return 0
    h = norm(heading)
    names = ts.names()
    if h in names:
        return 3
    return 2 if any(len(n) >= 4 and n in h for n in names) else 1


def _assign(a: Analysis, wanted, present, used: set) -> dict:
    """Template sections (by index) to report sections, one report section each, strongest
    matches first; a section found at another depth still counts (reports often renumber).
    Without this, "（二）资金使用绩效" would also pass for a missing "资金使用绩效存在的问题"."""
    pairs = []
    for i, ts in enumerate(wanted):
        for rank, pool in enumerate((present, a.all_sections)):
            for order, sec in enumerate(pool):
                strength = _match_strength(sec.title, ts)
                if strength:
                    pairs.append((-strength, rank, i, order, sec))
    out: dict = {}
    for _, _, i, _, sec in sorted(pairs, key=lambda x: x[:4]):
        # a heading that joins two parts ("绩效指标完成情况及自评得分", "存在的问题和改进措施")
        # stands for both
        if i in out or (id(sec) in used and not _JOINED.search(sec.title)):
            continue
        out[i] = sec
        used.add(id(sec))
    return out


_JOINED = re.compile(r"[\u4e00-\u9fff](?:及|和|与|暨|、)[\u4e00-\u9fff]")


def _first_line(a: Analysis) -> tuple[int, int]:
    line = a.lines[0] if a.lines else None
    return (line.start, line.end) if line else (0, 0)
