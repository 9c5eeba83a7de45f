"""The defect injector: plants one labelled defect of a known category into a clean report.

Each kind of defect is a function ``(report, analysis, rng) -> Injection | None`` (None when
the report has nothing to plant it on: no 结余 for 全部用于, no problems section…). The label
records the exact span of the planted text in the new report, so a finding matches it when
their spans overlap. Runs are seeded: the same report, kind and seed give the same text.

    for inj in inject_all(report, seed=7): ...
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from drafter.analysis.templates import section_kind
from drafter.analysis.view import Analysis, Section
from drafter.documents.load import Report, from_text
from drafter.text.figures import fmt

POOL_FILE = Path(__file__).parent.parent / "data" / "inject.yml"


class Label(BaseModel):
    """A defect in a report: its category, exact span (characters of the report text), why
    it is one, and the other categories a finding on it may rightly carry (an inflated score
    restated is also a figure stated twice)."""

    model_config = ConfigDict(extra="forbid")
    category: str
    start: int
    end: int
    reason: str
    kind: str = "natural"  # the injector's kind, or "natural" for hand-labelled defects
    accept: list[str] = []  # other categories that rightly name this defect
    also: list[tuple[int, int]] = []  # other spans the same defect shows at (the stated rate…)

    def categories(self) -> list[str]:
        return [self.category, *self.accept]


@dataclass
class Injection:
    kind: str
    text: str  # the whole new report text
    label: Label
    edit: tuple[int, int, int]  # (start, end) replaced in the old text, and the new text's length


@lru_cache(maxsize=1)
def pools() -> dict:
    return yaml.safe_load(POOL_FILE.read_text(encoding="utf-8"))


# --- where to plant -------------------------------------------------------------------------
def _sections(a: Analysis, *kinds: str) -> list[Section]:
    return [s for s in a.all_sections if not s.children and section_kind(a, s) in kinds]


_END = "。！？；"


def _paragraph_ends(a: Analysis, sec: Section) -> list[int]:
    """Original offsets of the ends of the section's prose paragraphs (lines ending a sentence)."""
    text = a.report.text
    out = []
    for s in a.sentences_in(sec.body_start, sec.end):
        o_end = a.orig_span(s.start, s.end)[1]
        nl = text.find("\n", o_end)
        line_end = len(text) if nl < 0 else nl
        line = text[text.rfind("\n", 0, line_end) + 1 : line_end].rstrip()
        if line and line[-1] in _END and not line.lstrip().startswith("|"):
            end = text.rfind("\n", 0, line_end) + 1 + len(line)
            if end not in out:
                out.append(end)
    return out


def _insert(report: Report, at: int, sentence: str, *, paragraph: bool = False) -> tuple[str, int, int]:
    """The text with ``sentence`` inserted at ``at`` (appended to the paragraph, or as a new
    paragraph after it), and the sentence's span (without its final 。)."""
    text = report.text
    lead = "\n\n" if paragraph else ""
    new = text[:at] + lead + sentence + text[at:]
    start = at + len(lead)
    end = start + len(sentence.rstrip(_END))
    return new, start, end


def _replace(report: Report, start: int, end: int, new: str) -> str:
    return report.text[:start] + new + report.text[end:]


def _figure_span(a: Analysis, fig) -> tuple[int, int] | None:
    """Original span of a figure, when the original text there is the figure's own text."""
    start, end = a.orig_span(fig.start, fig.end)
    return (start, end) if a.report.text[start:end] == a.text[fig.start : fig.end] else None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _with_number(text: str, value: float, decimals: int) -> str:
    m = _NUMBER.search(text)
    return text[: m.start()] + (f"{value:.{decimals}f}" if decimals else str(int(round(value)))) + text[m.end() :]


# --- the kinds ------------------------------------------------------------------------------
def break_identity(report: Report, a: Analysis, rng: random.Random) -> Injection | None:
    """结余 changed so that 预算 − 支出 ≠ 结余."""
    budget, spent, balance = a.budget.budget_figure, a.budget.first("spent"), a.budget.first("balance")
    if not (budget and spent and balance) or balance.figure is None:
        return None
    span = _figure_span(a, balance.figure)
    if span is None:
        return None
    fig = balance.figure
    # off by more than the figures' rounding allows (10320 万元 may be ±5000 元), in the
    # balance's own unit and digits, and not by a factor of 10⁴ (that is swap-unit)
    slack = (budget.tolerance + spent.tolerance + balance.tolerance) / (fig.yuan / fig.value if fig.value else 1)
    step = 10 ** (-fig.decimals)
    delta = max(step, round(slack * rng.choice([2, 3, 4, 6]) / step) * step) * rng.choice([1, -1])
    new_value = fig.value + delta if fig.value + delta > 0 else fig.value + abs(delta)
    new = _with_number(fig.text, new_value, fig.decimals)
    text = _replace(report, *span, new)
    return Injection("break-identity", text, edit=(span[0], span[1], len(new)), label=Label(
        category="figures", start=span[0], end=span[0] + len(new), kind="break-identity",
        reason=f"结余由 {fig.text} 改为 {new}：{fmt(budget.value)} − {fmt(spent.value)} ≠ {new}"))


def swap_unit(report: Report, a: Analysis, rng: random.Random) -> Injection | None:
    """支出 written in the wrong unit (元 ↔ 万元)."""
    spent = a.budget.first("spent")
    if spent is None or spent.figure is None or not (a.budget.budget_figure and a.budget.first("balance")):
        return None
    span = _figure_span(a, spent.figure)
    if span is None:
        return None
    old = spent.figure.text
    new = old.replace("万元", "元") if "万元" in old else old.replace("元", "万元")
    text = _replace(report, *span, new)
    also = _spans_after(a, a.budget.found.get("rate", []), span[0], len(new) - len(old))
    return Injection("swap-unit", text, edit=(span[0], span[1], len(new)), label=Label(
        category="figures", start=span[0], end=span[0] + len(new), kind="swap-unit", also=also,
        reason=f"支出 {old} 写成 {new}"))


def _spans_after(a: Analysis, items, at: int, shift: int) -> list[tuple[int, int]]:
    """Where ``items`` (anything with analysis start/end) stand in the report text once the
    text at ``at`` grew by ``shift`` characters; each span once."""
    out = []
    for item in items:
        s, e = a.orig_span(item.start, item.end)
        moved = (s + shift, e + shift) if s > at else (s, e)
        if moved not in out:
            out.append(moved)
    return out


def parts_not_adding_up(report: Report, a: Analysis, rng: random.Random) -> Injection | None:
    """A breakdown whose parts do not add up to the total it states."""
    secs = _sections(a, "spending", "uses")
    ends = [e for s in secs for e in _paragraph_ends(a, s)]
    if not ends:
        return None
    names = rng.choice(pools()["parts"])
    values = [rng.randint(12, 380) * 100 for _ in names]
    total = sum(values) + rng.choice([1, -1]) * rng.randint(3, 40) * 100
    items = "、".join(f"{n} {v} 元" for n, v in zip(names, values))
    sentence = f"其中：{items}，合计 {total} 元。"
    text, start, end = _insert(report, ends[0], sentence)
    return Injection("parts-sum", text, edit=(ends[0], ends[0], len(text) - len(report.text)), label=Label(
        category="figures", start=start, end=end, kind="parts-sum",
        reason=f"{' + '.join(map(str, values))} = {sum(values)} ≠ {total}"))


def inflate_score(report: Report, a: Analysis, rng: random.Random) -> Injection | None:
    """The self-score raised above what the execution rate (or the indicator table) allows."""
    score = a.budget.first("self_score")
    if score is None or score.source != "text":
        return None
    execution = a.budget.execution
    ceiling = 100 - 10 + 10 * min(1.0, execution) if execution is not None else None
    total = _table_total(a)
    if total is None and (ceiling is None or ceiling >= 99.5):
        return None  # nothing in the report shows the score is too high
    new_value = 100.0 if ceiling is None or ceiling < 99.5 else min(100.0, score.value + rng.choice([2, 3, 5]))
    if new_value - score.value < 1:
        return None  # no room: 99.5 → 100 is within what a whole-number score rounds
    m = _NUMBER.search(score.text)
    start = a.orig_span(score.start, score.end)[0] + m.start()
    old = m.group(0)
    new = fmt(new_value)
    if report.text[start : start + len(old)] != old:
        return None
    text = _replace(report, start, start + len(old), new)
    others = ([f for f in a.budget.found.get("self_score", []) if f is not score]
              + ([total] if total is not None else []))
    also = _spans_after(a, others, start, len(new) - len(old))
    return Injection("inflate-score", text, edit=(start, start + len(old), len(new)), label=Label(
        category="score", start=start, end=start + len(new), kind="inflate-score", accept=["figures"], also=also,
        reason=f"自评分由 {old} 分改为 {new} 分" + (f"（执行率封顶 {ceiling:.2f} 分）" if ceiling is not None else "")))


def _table_total(a: Analysis):
    """The 总分 cell of the report's indicator table, if it has one."""
    from drafter.text.tables import indicator_tables

    for it in indicator_tables(a):
        for row in it.rows:
            if row.is_total and row.score is not None:
                return it.cell(row, it.col_score)
    return None


def _insert_from_pool(report: Report, a: Analysis, rng: random.Random, pool: str, kinds: tuple[str, ...],
                      category: str, kind: str, reason: str, paragraph: bool = False, **fill) -> Injection | None:
    ends = [e for s in _sections(a, *kinds) for e in _paragraph_ends(a, s)]
    if not ends:
        return None
    sentence = rng.choice(pools()[pool]).format(**fill)
    at = rng.choice(ends)
    text, start, end = _insert(report, at, sentence, paragraph=paragraph)
    return Injection(kind, text, edit=(at, at, len(text) - len(report.text)),
                     label=Label(category=category, start=start, end=end, kind=kind, reason=reason))


def intensifier_claim(report, a, rng):
    """A claim of improvement with no figure."""
    return _insert_from_pool(report, a, rng, "intensifier", ("goals", "uses", "project"), "unsupported",
                             "intensifier-claim", "成效用程度词表述，没有数字支撑")


def all_used_beside_balance(report, a, rng):
    """全部用于 written although the report states a 结余."""
    balance = a.budget.first("balance")
    if balance is None or balance.value <= balance.tolerance:
        return None
    project = str(report.meta.get("project") or "本项目建设")
    return _insert_from_pool(report, a, rng, "all_used", ("spending",), "unsupported", "all-used",
                             f"写“全部用于”，但报告有结余 {balance.text}", project=project)


_RESULT = re.compile(r"(?<![预未])(?:完成|实现|达到)(?!率)")
_PLAN = re.compile(r"20\d\d\s*年(?:前|底前|以前)?完成|争取|力争|计划|将|拟|预计|目标|后续|下一步")


def result_to_forecast(report: Report, a: Analysis, rng: random.Random) -> Injection | None:
    """A stated result turned into a forecast (完成 → 预计可完成); else a forecast added."""
    candidates = []
    for sec in _sections(a, "goals", "uses"):
        for s in a.sentences_in(sec.body_start, sec.end):
            m = _RESULT.search(s.text)
            if m and a.figures_in(s.start, s.end) and not _PLAN.search(s.text):
                candidates.append((s, m))
    if candidates:
        s, m = rng.choice(candidates)
        o_start, o_end = a.orig_span(s.start, s.end)
        at = a.to_orig(s.start + m.start())
        if report.text[at : at + len(m.group(0))] == m.group(0):
            text = report.text[:at] + "预计可" + report.text[at:]
            return Injection("forecast", text, edit=(at, at, 3), label=Label(
                category="unsupported", start=at, end=o_end + 3, kind="forecast", reason="把已完成的结果写成预计"))
    return _insert_from_pool(report, a, rng, "forecast", ("goals",), "unsupported", "forecast",
                             "用预计数代替实际完成数")


def boilerplate_sentence(report, a, rng):
    """A stock sentence any report could carry."""
    return _insert_from_pool(report, a, rng, "boilerplate", ("spending", "goals", "uses"), "boilerplate",
                             "boilerplate-sentence", "套话，换个项目照样成立")


def vague_problem(report, a, rng):
    """A problem statement that names no object, figure or cause."""
    return _insert_from_pool(report, a, rng, "vague_problem", ("problems",), "boilerplate", "vague-problem",
                             "问题空泛，没有具体对象、数量或原因", paragraph=True)


KINDS: dict[str, Callable[[Report, Analysis, random.Random], Injection | None]] = {
    "break-identity": break_identity,
    "swap-unit": swap_unit,
    "parts-sum": parts_not_adding_up,
    "inflate-score": inflate_score,
    "intensifier-claim": intensifier_claim,
    "all-used": all_used_beside_balance,
    "forecast": result_to_forecast,
    "boilerplate-sentence": boilerplate_sentence,
    "vague-problem": vague_problem,
}


def inject(report: Report, kind: str, seed: int) -> Injection | None:
    """One defect of ``kind`` planted in ``report`` (None when the report offers no place)."""
    # seeded by the file's name, not its path: the same run from another folder plants the same
    rng = random.Random(f"{seed}:{kind}:{Path(report.path).name}")
    return KINDS[kind](report, Analysis(report), rng)


def inject_all(report: Report, seed: int, kinds: list[str] | None = None) -> Iterator[Injection]:
    for kind in kinds or list(KINDS):
        got = inject(report, kind, seed)
        if got is not None:
            yield got


def variant_report(base: Report, injection: Injection) -> Report:
    return from_text(injection.text, path=f"{base.path}#{injection.kind}", fmt=base.format)
