"""section_content: a section (问题, 改进措施) that is empty or says nothing concrete: only
"无" or the like, or slogans of intent with no measure, owner, date or figure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from drafter.analysis.templates import detect_template, norm
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    sections: list[str]  # title keywords of the sections to look at
    exclude_sections: list[str] = []  # ... unless the title matches one of these (regexes)
    mode: Literal["empty", "slogan"]
    empty: list[str] = []  # mode empty: a body matching one of these (whole) is empty
    slogans: list[str] = []  # mode slogan: stock verbs of intent
    vague: list[str] = []  # ... and vague objects
    concrete: list[str] = []  # anything here makes a sentence concrete
    min_slogans: int = 2


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    template = detect_template(a)
    instructions = {norm(i) for i in template.all_instructions()} if template else set()
    exclude = compiled(p, "exclude_sections")
    for sec in a.all_sections:
        if not any(k in sec.title for k in p.sections) or sec.children:
            continue
        if exclude and exclude.search(sec.title):
            continue
        sentences = [s for s in a.sentences_in(sec.body_start, sec.end) if norm(s.text) not in instructions]
        if p.mode == "empty":
            rx = compiled(p, "empty")
            body = "".join(s.text for s in sentences)
            if not sentences:
                yield a.finding(rule, sec.heading_start, sec.heading_end, rule.say(title=sec.title), evidence="本节没有正文")
            elif rx.fullmatch(body.strip("。；; ")):
                yield a.finding(rule, sentences[0].start, sentences[-1].end, rule.say(title=sec.title), evidence=f"本节只写了“{body}”")
        else:
            # judged per section: one concrete measure (a date, a figure, a named document, a
            # responsible unit) anywhere makes the section actionable
            slog, vague, concrete = (compiled(p, n) for n in ("slogans", "vague", "concrete"))
            if any(concrete.search(s.text) or has_figure(a, s.start, s.end) for s in sentences):
                continue
            flagged = []
            for s in sentences:
                hits = slog.findall(s.text)
                if len(hits) >= p.min_slogans and vague.search(s.text):
                    flagged.append((s, hits))
            if not flagged or len(flagged) * 2 < len(sentences):
                continue
            words = "、".join(dict.fromkeys(h for _, hits in flagged for h in hits))
            yield a.finding(rule, flagged[0][0].start, flagged[-1][0].end, rule.say(title=sec.title),
                            evidence=f"{len(flagged)}/{len(sentences)} 句只有口号式表述（{words}），全节没有具体措施、责任、时限或指标")
