"""The deterministic composer: every section's text from the facts and the figures computed in
code (``drafter.facts.derive``), explicit 【待补充】 placeholders where facts are missing, and
the assembled Markdown report."""

from __future__ import annotations

from pydantic import BaseModel

from drafter.analysis.templates import Template
from drafter.draft.plan import SectionDraft, SectionPlan
from drafter.facts.derive import Derived, grade_of
from drafter.text.figures import fmt


def money(yuan: float, unit: str) -> str:
    """An amount in the facts' unit when it is exact to 2 decimals there, else in 元."""
    if unit == "万元" and abs(yuan / 100 - round(yuan / 100)) < 1e-6:
        return f"{fmt(yuan / 10000)} 万元"
    return f"{fmt(yuan)} 元"


def _numbered(items: list[str]) -> str:
    marks = ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"]
    if len(items) == 1:
        return _sentence(items[0])
    return "\n\n".join(f"{marks[i] if i < len(marks) else f'{i + 1}.'}{_sentence(x)}" for i, x in enumerate(items))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；")) else text + "。"


def gap(what: str) -> str:
    return f"【待补充：{what}】"


class Numbers(BaseModel):
    """The figures the composer writes, all computed by drafter.facts.derive."""

    unit: str
    initial: float
    adjusted: float
    spent: float
    balance: float
    rate: str  # "58.37%"
    rate_value: float  # 0.5837…
    score: float | None  # the self-score written: the unit's own, else the computed total
    score_note: str = ""
    grade: str = ""
    derived: Derived | None = None


def numbers_of(facts, d: Derived) -> Numbers:
    """The composer's figures from ``drafter.facts.derive.Derived``. The self-score written is the
    unit's own as given (the computed total beside it, with its arithmetic, when they differ);
    without one, the computed total. Without indicators, the unit's self-score when the
    execution rate allows it; otherwise a placeholder with the arithmetic, never an invented
    score."""
    score, note, grade = None, "", ""
    if d.total is not None:
        score = float(d.self_score if d.self_score is not None else d.total)
        grade = grade_of(score) or ""
        sums = f"各项指标得分合计：{d.total_formula}"
        if d.self_score is None or not d.self_score_gap:
            note = sums + "。"
        else:
            word = "高" if d.self_score_gap > 0 else "低"
            note = (f"{sums}，自评分数比合计{word} {fmt(float(abs(d.self_score_gap)))} 分。"
                    + gap("请核对自评分数与各项指标得分"))
    elif d.self_score is not None and (d.self_score_gap is None or d.self_score_gap <= 0):
        score = float(d.self_score)
        grade = grade_of(score) or ""
    elif d.self_score is not None:
        note = (f"填报的分数高于按预算执行率计算的最高可得分 {fmt(float(d.ceiling))} 分（{d.execution_formula}），"
                "请按评分规则逐项计算后填写")
    return Numbers(unit=facts.budget.unit, initial=float(d.initial), adjusted=float(d.adjusted), spent=float(d.spent),
                   balance=float(d.balance), rate=d.execution_rate_text, rate_value=d.execution_rate, score=score,
                   score_note=note, grade=grade, derived=d)


# placeholders of sections the facts leave empty, by section kind
_GAPS = {
    "unit": "单位基本情况（职能、内设机构）",
    "goals": "绩效目标完成情况（产出、效益的实际数据）",
    "uses": "资金分用途使用情况（各用途的预算、支出金额及主要产出，可在 facts 的 uses 中填写）",
    "problems": "存在的具体问题（对象、数量、原因）",
    "improvements": "改进措施（措施、责任单位、完成时限）",
    "evidence": "佐证材料清单（如资金拨付凭证、验收报告、满意度调查表，可在 facts 的 evidence 中填写）",
}


def compose(plan: SectionPlan, facts, n: Numbers) -> str:
    """The deterministic text of one section: figures from code, the user's notes as numbered
    paragraphs, tables of the facts, explicit placeholders where facts are missing. Never
    empty: a section with no facts of its own is a placeholder naming what belongs there."""
    prose, tables = compose_parts(plan, facts, n)
    return "\n\n".join(x for x in (prose, tables) if x)


def compose_parts(plan: SectionPlan, facts, n: Numbers) -> tuple[str, str]:
    """(prose, tables) of one section: a model may rewrite the prose; the tables (fund sources,
    uses, indicators) are the program's and stand as composed."""
    k = plan.kind
    if k == "unit":
        return (facts.unit.profile.strip() if facts.unit.profile else gap(_GAPS["unit"])), ""
    if k == "project":
        parts = [p.strip()
                 for p in (facts.project.description, facts.project.goal and f"绩效目标：{facts.project.goal}") if p]
        text = "\n\n".join(_sentence(p) for p in parts) + ("\n\n" if parts else "")
        text += f"年初预算为 {money(n.initial, n.unit)}"
        if abs(n.adjusted - n.initial) > 0.005:
            word = "调减" if n.adjusted < n.initial else "调增"
            reason = facts.budget.adjustment_reason or gap("预算调整的原因")
            text += (f"，年中{word} {money(abs(n.initial - n.adjusted), n.unit)}，"
                     f"调整后预算为 {money(n.adjusted, n.unit)}。调整原因：{_sentence(reason)}")
        else:
            text += "，全年未作调整。"
        if plan.with_spending:
            text += "\n\n" + _spending(facts, n)
            return text, _tables(_sources_table(facts, n), _uses_table(facts, n) if plan.with_uses else "")
        return text, ""
    if k == "score":
        if n.score is None:
            return gap(f"自评分数。{n.score_note}" if n.score_note else "自评分数"), ""
        text = f"自评 {fmt(n.score)} 分"
        text += f"，评价等级为“{n.grade}”。" if n.grade else "。"
        return text + (f"\n\n{n.score_note}" if n.score_note else ""), ""
    if k == "spending":
        return _spending(facts, n), _tables(_sources_table(facts, n), _uses_table(facts, n) if plan.with_uses else "")
    if k == "goals":
        table = _indicator_table(facts, n)
        if facts.achievements:
            return _numbered(facts.achievements), table
        return ("" if table else gap(_GAPS["goals"])), table
    if k == "uses":
        table = _uses_table(facts, n)
        return ("" if table else gap(_GAPS["uses"])), table
    if k == "problems":
        return (_numbered(facts.problems) if facts.problems else gap(_GAPS["problems"])), ""
    if k == "improvements":
        return (_numbered(facts.improvements) if facts.improvements else gap(_GAPS["improvements"])), ""
    if k == "evidence":
        return (_numbered(facts.evidence) if facts.evidence else gap(_GAPS["evidence"])), ""
    if not plan.has_children:
        return gap(plan.title), ""
    return "", ""


def _tables(*tables: str) -> str:
    return "\n\n".join(t for t in tables if t)


def _cell(text: str) -> str:
    return " ".join(str(text).replace("|", "｜").split())


def _amount_cell(value, n: Numbers, facts) -> str:
    return "—" if value is None else money(float(facts.yuan(value)), n.unit)


def _md_table(head, rows: list[list[str]]) -> str:
    """A Markdown table of cells already written as they are shown."""
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                      *("| " + " | ".join(r) + " |" for r in rows)])


def _sources_table(facts, n: Numbers) -> str:
    """The fund sources (当年财政拨款, 上年结转资金, 其他资金) with their amounts."""
    sources = facts.budget.sources
    if not sources:
        return ""
    return _md_table(["资金来源", "年初预算", "调整后预算", "支出"],
                     [[_cell(s.name), _amount_cell(s.initial, n, facts), _amount_cell(s.adjusted, n, facts),
                       _amount_cell(s.spent, n, facts)] for s in sources])


def _uses_table(facts, n: Numbers) -> str:
    """The money by purpose: each use's budget, spending and what it bought."""
    uses = getattr(facts, "uses", None) or []
    if not uses:
        return ""
    return _md_table(["用途", "预算", "支出", "主要产出"],
                     [[_cell(u.name), _amount_cell(u.budget, n, facts), _amount_cell(u.spent, n, facts),
                       _cell(u.output) if u.output else "—"] for u in uses])


_INDICATOR_HEAD = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                   "偏差原因分析及改进措施")


def _indicator_table(facts, n: Numbers) -> str:
    """The 绩效指标 table with every column of the national 自评表: 得分 as the unit gives it,
    else as computed; a missing 偏差原因 of an indicator below its target is a placeholder."""
    rows = getattr(facts, "indicators", None) or []
    d = n.derived
    if not rows or d is None:
        return ""
    cells = []
    for r, s in zip(rows, d.indicator_scores):
        actual = "—" if r.actual is None else (
            r.actual if isinstance(r.actual, str) else f"{fmt(float(r.actual))}{r.unit or ''}")
        if s.execution and r.actual is None:
            actual = n.rate
        score = r.score if r.score is not None else s.score
        score_text = fmt(float(score)) if score is not None else gap("得分")
        if r.score is not None and s.score is not None and r.score != s.score:
            score_text += f"（按公式计算 {fmt(float(s.score))}）"
        reason = r.reason or (gap("偏差原因") if s.met is False and not s.execution else "—")
        if s.execution and s.met is False and not r.reason:
            reason = facts.budget.underspend_reason or "—"
        cells.append([_cell(r.level1), _cell(r.level2 or "—"), _cell(r.name), _cell(r.target.text), _cell(actual),
                      fmt(float(r.weight)), _cell(score_text), _cell(reason)])
    text = _md_table(_INDICATOR_HEAD, cells)
    if not d.execution_in_indicators:
        text += (f"\n\n预算执行率 {d.execution_rate_text}，"
                 f"得分 {fmt(float(d.execution_score))} 分（{d.execution_formula}）。")
    return text


def _spending(facts, n: Numbers) -> str:
    text = (f"{facts.year} 年本项目支出 {money(n.spent, n.unit)}，结余 {money(n.balance, n.unit)}，"
            f"预算执行率为 {n.rate}。")
    if n.rate_value < 0.9:
        reason = getattr(facts.budget, "underspend_reason", None) or gap("预算执行率低于 90% 的原因")
        text += f"预算执行率低于 90%，主要原因是：{_sentence(reason)}"
    return text


def required(plan: SectionPlan, n: Numbers, unit: str) -> list[str]:
    """Figures a section must carry, as the composer writes them."""
    spending = [money(n.spent, unit), money(n.balance, unit), n.rate]
    if plan.kind == "spending":
        return spending
    if plan.kind == "project":
        return [money(n.initial, unit)] + (spending if plan.with_spending else [])
    return []


def assemble(facts, template: Template, sections: list[SectionDraft]) -> str:
    head = [
        "---",
        f"unit: {facts.unit.name}",
        f"project: {facts.project.name}",
        f"year: {facts.year}",
        f"template: {template.id}",
        "---",
        "",
        "# 财政支出项目绩效自评报告",
        "",
        f"({facts.year} 年度)",
        "",
        f"项目名称：{facts.project.name}",
        "",
        f"项目单位：{facts.unit.name}",
        "",
        *([f"主管部门：{facts.unit.department}", ""] if facts.unit.department else []),
    ]
    body = []
    for s in sections:
        body.append("#" * (s.plan.level + 1) + " " + s.plan.heading)
        body.append("")
        if s.text:
            body.append(s.text)
            body.append("")
    return "\n".join(head + body)
