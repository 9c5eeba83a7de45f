"""The plan of a draft: the template's sections with 公文 numbering (一、 / （一） / 1.)."""

from __future__ import annotations

from pydantic import BaseModel

from drafter.analysis.templates import Template
from drafter.text.numerals import to_chinese


class SectionPlan(BaseModel):
    key: str  # "二/（二）/1"
    heading: str  # "1. 资金支出情况"
    title: str
    kind: str
    level: int
    # the template has no spending section (hb-yn-selfeval): the project section carries 支出,
    # 结余 and 执行率 after the budget
    with_spending: bool = False
    # the template has no 资金分用途 section (hb-yn-selfeval): the section carrying the spending
    # carries the uses table too
    with_uses: bool = False
    has_children: bool = False


class SectionDraft(BaseModel):
    plan: SectionPlan
    text: str
    source: str  # offline | model | model-retried | offline-fallback
    violations: list[str] = []
    exemplars: str = ""
    prompt: str = ""
    raw: list[str] = []


# a key as people type it: half-width brackets and slashes, spaces around the parts
_KEY_CHARS = str.maketrans({"(": "（", ")": "）", "／": "/"})


def normalize_key(key: str) -> str:
    """``二/(二)/1`` or ``二 / （二） / 1`` → ``二/（二）/1``, the form of ``SectionPlan.key``."""
    return "/".join(part.strip() for part in key.translate(_KEY_CHARS).split("/"))


def plan_sections(template: Template) -> list[SectionPlan]:
    """The template's sections with 公文 numbering: 一、 / （一） / 1."""
    out: list[SectionPlan] = []

    def walk(nodes, level, parent_key):
        for i, s in enumerate(nodes):
            if level == 1:
                label = to_chinese(i + 1)
                heading = f"{label}、{s.title}"
            elif level == 2:
                label = f"（{to_chinese(i + 1)}）"
                heading = f"{label}{s.title}"
            else:
                label, heading = str(i + 1), f"{i + 1}. {s.title}"
            key = f"{parent_key}/{label}" if parent_key else label
            out.append(SectionPlan(key=key, heading=heading, title=s.title, kind=s.kind, level=level,
                                   has_children=bool(s.children)))
            walk(s.children, level + 1, key)

    walk(template.sections, 1, "")
    if not any(p.kind == "spending" for p in out):
        for p in out:
            if p.kind == "project":
                p.with_spending = True
                break
    if not any(p.kind == "uses" for p in out):
        for p in out:
            if p.kind == "spending" or p.with_spending:
                p.with_uses = True
                break
    return out
