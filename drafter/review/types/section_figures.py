"""section_figures: a section whose subject is a figure (资金执行情况, 成本指标) that gives none:
"该专项资金已按合同规定完成对该项目进度的支付。" in place of the amount paid and the rate,
"开展技术指导共4次" in place of a cost. A section is a numbered heading and its body, or a
labelled line ("2.项目资金执行情况：具体工作由……负责……"), whose body is the rest of the line."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._claims import LABELLED, has_measure, in_table
from drafter.review.types._common import BaseParams, compiled

STAGE = "text"

class Params(BaseParams):
    sections: list[str]  # title regexes of the sections that must carry a figure
    exclude_sections: list[str] = []  # ... unless the title (or an ancestor's) matches one of these
    kinds: list[Literal["amount", "percent", "count"]]  # figure kinds that count
    measures: bool = False  # ... or any number with a unit (a benefit in 吨, 公顷, kg)
    # the sentences of the body to quote: those naming the subject (all when none does)
    subject: list[str] = []
    labelled_lines: bool = True  # also "标题：正文" lines
    # a body that says the item does not apply ("无", "不适用", "/") is not a body without figures
    not_applicable: list[str] = []
    # the other way round: when the report says elsewhere that the work is unfinished (one of
    # these), a section of this kind that DOES give figures gives design or expected values
    unfinished: list[str] = []


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    want, skip = compiled(p, "sections"), compiled(p, "exclude_sections")
    unfinished = compiled(p, "unfinished")
    said = list(unfinished.finditer(a.text)) if unfinished else []
    if unfinished and not said:
        return
    said_starts = [m.start() for m in said]
    content_end = len(a.text.rstrip())  # past it only blanks: the text ends there
    # the spans flagged, in order by start (they do not overlap): searched by bisection, not
    # read for each section (quadratic in a report of thousands of sections)
    flagged: list[tuple[int, int]] = []
    for title, titles, start, end in _sections(a, p):
        if not want.search(title) or (skip and any(skip.search(t) for t in titles)):
            continue
        k = bisect_right(flagged, (start, float("inf"))) - 1
        if k >= 0 and start < flagged[k][1]:  # a labelled line of a section already flagged
            continue
        sentences = a.sentences_overlapping(start, end)
        if not sentences or any(ln.is_table for ln in a.lines_from(start, end)) or in_table(a, start):
            continue
        na = compiled(p, "not_applicable")
        if na and na.fullmatch(a.text[start:end].strip(" \n。；：，")):
            continue
        has_figures = (any(f.kind in p.kinds for f in a.figures_in(start, end))
                       or (p.measures and has_measure(a, start, end)))
        if unfinished:
            elsewhere = _first_outside(said, said_starts, start, end)
            if has_figures and elsewhere:
                insort(flagged, (start, end))
                yield a.finding(rule, max(sentences[0].start, start), min(sentences[-1].end, end),
                                rule.say(title=title, unfinished=elsewhere.group(0)),
                                evidence=f"报告写“{elsewhere.group(0)}”；“{title}”一节却写了效益数字")
            continue
        if has_figures:
            continue
        # a body running to the end of the text without a full stop was cut off (a pasted excerpt)
        if end >= content_end and a.text[sentences[-1].end : end].strip()[:1] not in tuple("。！？；…"):
            continue
        subject = compiled(p, "subject")
        quoted = [s for s in sentences if subject and subject.search(s.text)] or sentences
        insort(flagged, (start, end))
        yield a.finding(rule, max(quoted[0].start, start), min(quoted[-1].end, end), rule.say(title=title),
                        evidence=f"“{title}”一节没有{_kinds(p.kinds)}")


def _first_outside(said: list, starts: list[int], start: int, end: int):
    """The first of the matches ``said`` (in order; ``starts`` their starts) that does not start
    inside ``[start, end)``, or None."""
    if not said:
        return None
    if not start <= starts[0] < end:
        return said[0]
    k = bisect_left(starts, end)
    return said[k] if k < len(said) else None


def _sections(a: Analysis, p: Params):
    """(title, titles with the ancestors', body start, body end) of every leaf section and, with
    ``labelled_lines``, of every labelled line."""
    for sec in a.all_sections:
        if not sec.children:
            yield sec.title, sec.titles(), sec.body_start, sec.end
    if not p.labelled_lines:
        return
    for ln in a.lines:
        if ln.heading or ln.is_table:
            continue
        m = LABELLED.match(ln.text)
        # "资金执行情况如下：" introduces a table or a list: the label alone is not a section
        if not m or len(m.group(2)) < 8:
            continue
        sec = a.section_at(ln.start)
        yield m.group(1), [m.group(1), *(sec.titles() if sec else [])], ln.start + m.start(2), ln.end


_KIND_NAMES = {"amount": "金额", "percent": "比率", "count": "数量"}


def _kinds(kinds: list[str]) -> str:
    return "、".join(_KIND_NAMES[k] for k in kinds)
