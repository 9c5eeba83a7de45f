"""section_content: a section (问题, 改进措施, 评价结论) that is empty or says nothing concrete:
only "无" or the like, slogans of intent with no measure, owner, date or figure, or none of what
it must state (a conclusion without a score, a grade or a result).

A section is a numbered heading with its body, or, as real forms and reports write it, a label
with its text on the same line: a table's label cell ("存在问题 | 无"), or an inline label
("下一步改进措施：我部门将进一步……"), whose body is the next cell or the rest of the line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from drafter.analysis.templates import detect_template, norm
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    sections: list[str]  # title keywords of the sections to look at
    exclude_sections: list[str] = []  # ... unless the title matches one of these (regexes)
    mode: Literal["empty", "slogan", "missing"]
    empty: list[str] = []  # mode empty: a body matching one of these (whole) is empty
    slogans: list[str] = []  # mode slogan: stock verbs of intent
    vague: list[str] = []  # ... and vague objects
    concrete: list[str] = []  # anything here makes a sentence concrete
    min_slogans: int = 2
    required: list[str] = []  # mode missing: a body with none of these (and no figure) lacks what it must say
    min_chars: int = 8  # ... when it has at least this many characters (an excerpt may be cut off)
    ignore: list[str] = []  # body sentences that are not the section's text (an attachment line)
    inline: bool = True  # also read label cells and inline labels ("存在问题 | 无", "改进措施：……")
    max_label: int = 16  # characters of an inline label


@dataclass
class _Unit:
    start: int
    end: int
    text: str


@dataclass
class _Part:
    """A section as the rule sees it: its title, where its heading is, its body's sentences."""

    title: str
    heading_start: int
    heading_end: int
    units: list[_Unit]


# a label starts a line, a cell or a sentence, and ends at "：" or a cell bar
_LABEL_START = "|｜\n。；"
_LABEL_STOP = "：|｜\n。；，、（）()"
_UNIT_END = re.compile(r"[。！？；]+")
# an item's number is not a figure: "2、进一步加快推进项目进度"
_NUMBERING = re.compile(r"^\s*(?:[（(]?[\d一二三四五六七八九十]{1,2}[)）、.．]|[一二三四五六七八九十]+是"
                        r"|其[一二三四五六七八九十])\s*")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    seen: list[tuple[int, int]] = []  # a section read both as a heading and as a label is one
    for part in _parts(a, p):
        for f in _judge(rule, a, p, part):
            if not any(f.start < end and start < f.end for start, end in seen):
                seen.append((f.start, f.end))
                yield f


def _wanted(p: Params, title: str) -> bool:
    exclude = compiled(p, "exclude_sections")
    return any(k in title for k in p.sections) and not (exclude and exclude.search(title))


def _parts(a: Analysis, p: Params) -> Iterator[_Part]:
    template = detect_template(a)
    instructions = {norm(i) for i in template.all_instructions()} if template else set()
    ignore = compiled(p, "ignore")

    def keep(text: str) -> bool:
        return norm(text) not in instructions and not (ignore and ignore.match(text))

    for sec in a.all_sections:
        if sec.children or not _wanted(p, sec.title):
            continue
        units = [_Unit(s.start, s.end, s.text) for s in a.sentences_in(sec.body_start, sec.end) if keep(s.text)]
        yield _Part(sec.title, sec.heading_start, sec.heading_end, units)
    if not p.inline:
        return
    headings = {s.heading_start for s in a.all_sections}
    for label_start, sep in _labels(a.text, p):
        title = a.text[label_start:sep].strip()
        if not _wanted(p, title):
            continue
        line_start = a.text.rfind("\n", 0, label_start) + 1
        if line_start in headings and a.text[line_start:label_start].strip() == "":
            continue  # a numbered heading: read as a section above
        bar = a.text[sep] in "|｜"
        body_start = sep + 1
        if bar:
            # the next cell, on this line or, one cell per line, on the next
            while body_start < len(a.text) and a.text[body_start] in " \t\n":
                body_start += 1
            body_end = body_start
            while body_end < len(a.text) and a.text[body_end] not in "|｜\n":
                body_end += 1
        else:
            nl = a.text.find("\n", body_start)
            body_end = len(a.text) if nl < 0 else nl
        units = []
        pos = body_start
        for um in [*_UNIT_END.finditer(a.text, body_start, body_end), None]:
            stop = um.start() if um else body_end
            start, end = a.trim(pos, stop)
            if end > start and keep(a.text[start:end]):
                units.append(_Unit(start, end, a.text[start:end]))
            if um:
                pos = um.end()
        if units:  # a label with nothing after it is a column header, not an empty field
            label_start, _ = a.trim(label_start, sep)
            yield _Part(title, label_start, sep + 1, units)


def _labels(text: str, p: Params) -> list[tuple[int, int]]:
    """(start, separator offset) of the short labels that hold a section keyword and are followed
    by "：" or a cell bar, starting a line, a cell or a sentence. Found from the keywords (quick
    string search) rather than by trying a label pattern at every character."""
    out = set()
    for kw in p.sections:
        pos = text.find(kw)
        while pos >= 0:
            start = pos
            while start > 0 and text[start - 1] not in _LABEL_START and pos - start < p.max_label:
                start -= 1
            end = pos + len(kw)
            while end < len(text) and text[end] not in _LABEL_STOP and end - start <= p.max_label:
                end += 1
            if ((start == 0 or text[start - 1] in _LABEL_START) and end < len(text) and text[end] in "：|｜"
                    and end - start <= p.max_label + 2):
                out.add((start, end))
            pos = text.find(kw, pos + 1)
    return sorted(out)


def _judge(rule, a: Analysis, p: Params, part: _Part) -> Iterator[Finding]:
    units = part.units
    if p.mode == "empty":
        rx = compiled(p, "empty")
        body = "".join(u.text for u in units)
        if not units:
            yield a.finding(rule, part.heading_start, part.heading_end, rule.say(title=part.title),
                            evidence="本节没有正文")
        elif rx.fullmatch(body.strip("。；; ")):
            yield a.finding(rule, units[0].start, units[-1].end, rule.say(title=part.title),
                            evidence=f"本节只写了“{body}”")
        return
    if p.mode == "missing":
        required = compiled(p, "required")
        body = "".join(u.text for u in units)
        if len(body) >= p.min_chars and not any(required.search(u.text) or has_figure(a, u.start, u.end)
                                                for u in units):
            yield a.finding(rule, units[0].start, units[-1].end, rule.say(title=part.title),
                            evidence=f"本节只写了“{body[:60]}”，没有得分、等级或完成情况")
        return
    # judged per section: one concrete measure (a date, a figure, a named document, a
    # responsible unit) anywhere makes the section actionable
    slog, vague, concrete = (compiled(p, n) for n in ("slogans", "vague", "concrete"))
    texts = [_NUMBERING.sub("", u.text) for u in units]
    if not units or any(concrete.search(t) or has_figure(a, u.end - len(t), u.end) for u, t in zip(units, texts)):
        return
    flagged = []
    for u, text in zip(units, texts):
        hits = slog.findall(text)
        if len(hits) >= p.min_slogans and vague.search(text):
            flagged.append((u, hits))
    if not flagged or len(flagged) * 2 < len(units):
        return
    words = "、".join(dict.fromkeys(h for _, hits in flagged for h in hits))
    yield a.finding(rule, flagged[0][0].start, flagged[-1][0].end, rule.say(title=part.title),
                    evidence=f"{len(flagged)}/{len(units)} 句只有口号式表述（{words}），"
                             "全节没有具体措施、责任、时限或指标")
