"""Report templates (section structures) are data files under ``data/templates``."""

from __future__ import annotations

import re
from functools import lru_cache
from weakref import WeakKeyDictionary

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import DrafterError, RuleError
from drafter.resources import TEMPLATES_DIR

_NOISE = re.compile(r"[\s\d一二三四五六七八九十（）()、.．。：:#*\-]+")


class TemplateSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    aliases: list[str] = []
    required: bool = True
    instruction: list[str] = []  # template guidance sentences that must not survive into a report
    children: list["TemplateSection"] = []
    kind: str = ""  # e.g. problems, improvements, spending: used by drafting

    def names(self) -> list[str]:
        return [norm_title(self.title), *(norm_title(a) for a in self.aliases)]


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    form: str = "sections"  # "sections" (a report) or "table" (the 自评表)
    detect: list[str] = []  # regexes that suggest this template
    sections: list[TemplateSection] = []
    fields: list[str] = []  # for form: table, labels that must appear
    field_aliases: dict[str, list[str]] = {}  # other words tables use for a field (执行数 for 全年执行数)
    optional_fields: list[str] = []  # fields some provinces' variants leave out (年初预算数)
    # content that shows a column was there though its header was cut off (indicator rows)
    field_evidence: dict[str, str] = {}
    instructions: list[str] = []  # template-wide guidance sentences
    since: int | None = None  # the first report year the template was prescribed for
    not_for: list[str] = []  # regexes: a report whose opening matches one is of another kind

    def missing_fields(self, text: str) -> list[str]:
        """The fields a table-form text lacks, read with its blanks and cell borders gone (a
        header cut over lines: 年初 / 预算数). In a text cut off mid-sentence (a pasted excerpt)
        a field after the last one present is not missing: it was cut."""
        flat = re.sub(r"[\s|]+", "", text)
        present = [f in flat or any(x in flat for x in self.field_aliases.get(f, []))
                   or bool(self.field_evidence.get(f) and re.search(self.field_evidence[f], flat))
                   for f in self.fields]
        last = max((i for i, ok in enumerate(present) if ok), default=-1) if cut_off(text) else len(self.fields)
        return [f for i, f in enumerate(self.fields) if not present[i] and i < last and f not in self.optional_fields]

    def walk(self):
        """(path labels, section) for every section, depth first."""

        def rec(nodes, path):
            for s in nodes:
                yield [*path, s.title], s
                yield from rec(s.children, [*path, s.title])

        yield from rec(self.sections, [])

    def all_instructions(self) -> list[str]:
        return [*self.instructions, *(i for _, s in self.walk() for i in s.instruction)]


def cut_off(text: str) -> bool:
    """A text that stops mid-sentence: an excerpt pasted from a page or a report cut short."""
    tail = text.rstrip(" \t\n|　")
    return bool(tail) and tail[-1] not in "。！？；：.!?;:）)」』”】日"


def norm(title: str) -> str:
    return _NOISE.sub("", title)


@lru_cache(maxsize=4096)
def norm_title(title: str) -> str:
    """``norm`` of a heading or a template title: the same few are compared again and again."""
    return norm(title)


def title_matches(heading: str, section: TemplateSection) -> bool:
    h = norm_title(heading)
    if not h:
        return False
    # the heading may add words to the template's title ("存在的问题及原因"), or leave a few
    # out, but a short heading is not every title that contains it ("基本情况" is not
    # "项目单位基本情况")
    return any(h == n or (len(n) >= 4 and (n in h or (len(h) >= 4 and h in n and len(h) >= len(n) - 2)))
               for n in section.names())


@lru_cache(maxsize=None)
def load_templates() -> dict[str, Template]:
    out = {}
    for f in sorted(TEMPLATES_DIR.glob("*.yml")):
        try:
            t = Template(**yaml.safe_load(f.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError, TypeError) as exc:
            raise RuleError(
                str(f), f"模板文件无效（{exc.__class__.__name__}：{str(exc).splitlines()[0]}）") from None
        out[t.id] = t
    return out


def get_template(template_id: str) -> Template:
    templates = load_templates()
    if template_id not in templates:
        raise DrafterError(f"未知的模板 {template_id}（可用：{'、'.join(sorted(templates))}）")
    return templates[template_id]


# The template of each analysis, detected once: rules and section_kind (once per section) ask
# for it again and again, and detecting it reads every heading of the report.
_DETECTED: WeakKeyDictionary = WeakKeyDictionary()


def detect_template(analysis) -> Template | None:
    """The report's template: its metadata says, else the template whose sections (or table
    fields) the report covers best, when it covers at least 60%."""
    if analysis not in _DETECTED:
        _DETECTED[analysis] = _detect_template(analysis)
    return _DETECTED[analysis]


def _detect_template(analysis) -> Template | None:
    templates = load_templates()
    declared = analysis.report.meta.get("template")
    if declared:
        return templates.get(str(declared))
    best, best_score = None, 0.0
    headings = [s.title for s in analysis.all_sections]
    for t in templates.values():
        if t.since and analysis.year and analysis.year < t.since:
            continue  # a 2016 表 was filled in on the forms of its day
        if any(re.search(x, analysis.text[:400]) for x in t.not_for):
            continue  # a department's 整体支出 table is not the project table
        if t.form == "table":
            score = sum(1 for f in t.fields if f in analysis.text) / max(1, len(t.fields))
        else:
            items = [s for _, s in t.walk()]
            score = sum(1 for s in items if any(title_matches(h, s) for h in headings)) / max(1, len(items))
        if score > best_score:
            best, best_score = t, score
    return best if best_score >= 0.6 else None


def section_kind(analysis, section) -> str:
    """The template's name for the section's role (spending, problems…), or ''."""
    if section is None:
        return "front"
    template = detect_template(analysis)
    if template is None:
        return ""
    for s in section.titles():
        for _, ts in template.walk():
            if ts.kind and title_matches(s, ts):
                return ts.kind
    return ""
