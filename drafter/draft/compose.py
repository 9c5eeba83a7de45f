"""The deterministic composer: every section's text from the facts and the figures computed in
code (``drafter.facts.derive``), explicit 【待补充】 placeholders where facts are missing, and
the assembled Markdown report."""

from __future__ import annotations

from pydantic import BaseModel

from drafter.analysis.templates import Template
from drafter.draft.plan import SectionDraft, SectionPlan
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
    score: float | None  # the computed self-score
    score_note: str = ""
    grade: str = ""


def numbers_of(facts, d) -> Numbers:
    """The composer's figures from ``drafter.facts.derive.Derived``. The self-score written is the
    computed total; without indicators, the user's self-score when the execution rate allows
    it; otherwise a placeholder with the arithmetic, never an invented score."""
    score, note = None, ""
    if d.total is not None:
        score = float(d.total)
        if d.self_score is not None and d.self_score_gap:
            note = gap(f"核对自评分数：{d.self_score_message}")
    elif d.self_score is not None and (d.self_score_gap is None or d.self_score_gap <= 0):
        score = float(d.self_score)
    elif d.self_score is not None:
        note = (f"填报的分数高于按预算执行率计算的最高可得分 {fmt(float(d.ceiling))} 分（{d.execution_formula}），"
                "请按评分规则逐项计算后填写")
    return Numbers(unit=facts.budget.unit, initial=float(d.initial), adjusted=float(d.adjusted), spent=float(d.spent),
                   balance=float(d.balance), rate=d.execution_rate_text, rate_value=d.execution_rate, score=score,
                   score_note=note, grade=(d.grade or "") if d.total is not None else "")




def compose(plan: SectionPlan, facts, n: Numbers) -> str:
    """The deterministic text of one section: figures from code, the user's notes as numbered
    paragraphs, explicit placeholders where facts are missing."""
    k = plan.kind
    if k == "unit":
        return facts.unit.profile.strip() if facts.unit.profile else gap("单位基本情况（职能、内设机构）")
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
        return text
    if k == "score":
        if n.score is None:
            return gap(f"自评分数。{n.score_note}" if n.score_note else "自评分数")
        text = f"自评 {fmt(n.score)} 分"
        text += f"，评价等级为“{n.grade}”。" if n.grade else "。"
        return text + (f"\n\n{n.score_note}" if n.score_note else "")
    if k == "spending":
        return _spending(facts, n)
    if k == "goals":
        return _numbered(facts.achievements) if facts.achievements else gap("绩效目标完成情况（产出、效益的实际数据）")
    if k == "uses":
        rows = getattr(facts, "indicators", None) or []
        if not rows:
            return gap("资金分用途使用情况（各用途支出金额及产出）")
        lines = ["| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 |", "|---|---|---|---|---|---|"]
        for r in rows:
            actual = "" if r.actual is None else (
                r.actual if isinstance(r.actual, str) else f"{fmt(float(r.actual))}{r.unit or ''}")
            lines.append(f"| {r.level1} | {r.level2 or ''} | {r.name} | {r.target.text} | {actual} "
                         f"| {fmt(float(r.weight))} |")
        return "\n".join(lines)
    if k == "problems":
        return _numbered(facts.problems) if facts.problems else gap("存在的具体问题（对象、数量、原因）")
    if k == "improvements":
        return _numbered(facts.improvements) if facts.improvements else gap("改进措施（措施、责任单位、完成时限）")
    return ""


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
    ]
    body = []
    for s in sections:
        body.append("#" * (s.plan.level + 1) + " " + s.plan.heading)
        body.append("")
        if s.text:
            body.append(s.text)
            body.append("")
    return "\n".join(head + body)
