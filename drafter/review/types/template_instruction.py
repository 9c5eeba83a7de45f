"""template_instruction: the template's filling instructions (or generic ones, or unfilled
blanks like "XX 户") left in the report.

Instructions are found three ways: a sentence that is one of the detected template's own
instructions; a sentence that has a generic instruction's shape as a whole (``patterns``); and,
anywhere in the text, the form's cell instructions (``cell_patterns``: "对照年度目标，说明……
（100字以内）"), which a flattened 自评表 does not cut into sentences. Instructions that follow
each other in the same block of cells ("评价结论 | 结合……（200字以内） | 存在问题 | 结合……") are
one finding. Blanks (``placeholders``) flag their sentence; a placeholder year (20XX年,
〔20XX〕) is how sample reports are published, not a blank."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache

from drafter.analysis.templates import detect_template, norm
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, has_figure, rx_cached

STAGE = "text"


class Params(BaseParams):
    patterns: list[str] = []  # generic instruction shapes, matched against whole sentences
    max_length: int = 120  # ... of sentences no longer than this
    unless_figure: bool = False  # a sentence with a figure is content, not a generic instruction
    # form instructions, searched for anywhere in the text (group 1, when there is one, is the
    # instruction: a pattern led by the cell bar before it is found much faster)
    cell_patterns: list[str] = []
    placeholders: list[str] = []  # unfilled blanks (XX 户), searched for anywhere in a sentence
    # a regex of literal words one of which every placeholder holds: only the sentences with one
    # are searched (one quick pass over the text instead of a slow pattern on every sentence)
    placeholder_words: str = ""
    merge_gap: int = 24  # instructions at most this many characters apart are one finding
    merge_gap_words: int = 8  # ... with at most this many characters of words between them (cell labels, not a heading)
    known_instructions: bool = True  # the report template's own instruction sentences are flagged
    evidence: str = "模板（自评表）的填写说明原样留在文中"  # for a cell pattern's match
    one_finding: bool = False  # one finding, at the first place, counting them all


_WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    template = detect_template(a)
    known = {norm(i) for i in template.all_instructions()} if template and p.known_instructions else set()
    generic, blanks = compiled(p, "patterns"), compiled(p, "placeholders")
    spans: list[tuple[int, int, str]] = []
    if blanks and p.placeholder_words:
        holders = [m.start() for m in rx_cached((p.placeholder_words,)).finditer(a.text)]
        if not holders:
            blanks = None
    for s in a.sentences:
        is_generic = (
            bool(generic and len(s.text) <= p.max_length and generic.fullmatch(s.text))
            and not (p.unless_figure and has_figure(a, s.start, s.end))
        )
        if (known and norm(s.text) in known) or is_generic:
            spans.append((s.start, s.end, "模板的填写说明原样留在文中"))
        elif blanks and (not p.placeholder_words or _holds(holders, s.start, s.end)):
            m = blanks.search(s.text)
            if m:
                spans.append((s.start, s.end, f"“{m.group(0).strip()}”是没有填写的空白"))
    for rx in _each(tuple(p.cell_patterns)):
        for m in rx.finditer(a.text):
            start, end = m.span(1) if rx.groups else m.span()
            spans.append((start, end, p.evidence))
    if p.one_finding and spans:
        start, end, evidence = min(spans)
        more = f"（全文 {len(spans)} 处）" if len(spans) > 1 else ""
        yield a.finding(rule, start, end, rule.say(), evidence=evidence + more)
        return
    for start, end, evidence, n in _merged(a.text, sorted(spans), p):
        more = f"（{n} 处说明相连）" if n > 1 else ""
        yield a.finding(rule, start, end, rule.say(), evidence=evidence + more)


def _holds(starts: list[int], a: int, b: int) -> bool:
    i = bisect_left(starts, a)
    return i < len(starts) and starts[i] < b


@lru_cache(maxsize=64)
def _each(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(x) for x in patterns]


def _merged(text: str, spans: list[tuple[int, int, str]], p: Params) -> Iterator[tuple[int, int, str, int]]:
    """Overlapping spans, and instructions close together with only cell labels between them,
    as one span: (start, end, evidence of the first, how many)."""
    cur: list = []
    for start, end, ev in spans:
        if cur:
            gap = text[cur[1] : start] if start > cur[1] else ""
            if start <= cur[1] or (len(gap) <= p.merge_gap and len(_WORD.findall(gap)) <= p.merge_gap_words
                                   and "。" not in gap):
                cur[1] = max(cur[1], end)
                cur[3] += 1
                continue
            yield tuple(cur)
        cur = [start, end, ev, 1]
    if cur:
        yield tuple(cur)
