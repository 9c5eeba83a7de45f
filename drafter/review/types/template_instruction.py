"""template_instruction: the template's filling instructions (or generic ones, or unfilled
blanks like "XX 户") left in the report."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.templates import detect_template, norm
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    patterns: list[str] = []  # generic instruction shapes, matched against whole sentences
    unless_figure: bool = False  # a sentence with a figure is content, not a generic instruction
    placeholders: list[str] = []  # unfilled blanks (XX 户), searched for anywhere in a sentence


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    template = detect_template(a)
    known = {norm(i) for i in template.all_instructions()} if template else set()
    generic, blanks = compiled(p, "patterns"), compiled(p, "placeholders")
    for s in a.sentences:
        is_generic = bool(generic and generic.fullmatch(s.text)) and not (p.unless_figure and has_figure(a, s.start, s.end))
        if (known and norm(s.text) in known) or is_generic or (blanks and blanks.search(s.text)):
            yield a.finding(rule, s.start, s.end, rule.say(), evidence="模板填写说明原样留在报告中")
