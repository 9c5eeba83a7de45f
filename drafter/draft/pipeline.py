"""Drafting: facts in, a full report out. A row of stages with typed inputs and outputs:

    plan (the template's sections) → exemplars (retrieved from the index) → compose (offline:
    deterministic sentences; openai: a chat model writing prose from the facts) → figure guard
    (every figure must be a facts or derived figure; required figures present; on a violation
    the section is regenerated once with the findings, then replaced by the deterministic text)
    → assemble → review.

Every run writes its artifacts under ``runs/<id>/`` (facts, exemplars, prompts sent, raw
outputs, draft, findings) so it can be inspected.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from drafter.errors import DrafterError
from drafter.text.figures import Figure, extract, fmt
from drafter.findings import ReviewResult
from drafter.analysis.templates import Template, get_template

_CN = "一二三四五六七八九十"
_SENTENCES = re.compile(r"[^。！？；\n]+[。！？；]?")


class SectionPlan(BaseModel):
    key: str  # "二/（二）/1"
    heading: str  # "1. 资金支出情况"
    title: str
    kind: str
    level: int
    # the template has no spending section (hb-yn-selfeval): the project section carries 支出,
    # 结余 and 执行率 after the budget
    with_spending: bool = False


class SectionDraft(BaseModel):
    plan: SectionPlan
    text: str
    source: str  # offline | model | model-retried | offline-fallback
    violations: list[str] = []
    exemplars: str = ""
    prompt: str = ""
    raw: list[str] = []


class SectionState(BaseModel):
    """What flows between a section's stages."""

    plan: SectionPlan
    offline: str
    must: list[str] = []
    exemplars: str = ""
    prompt: str = ""
    raw: list[str] = []

    offline_only: bool = False

    @property
    def done(self) -> bool:
        """Sections the program writes itself: placeholders, tables, and everything offline."""
        return self.offline_only or not self.plan.kind or self.plan.kind == "uses" or self.offline.startswith("【待补充")


def section_chain(compose_, exemplars_, generate_, guard_):
    """compose | exemplars | generate | guard, as an LCEL runnable sequence."""
    from langchain_core.runnables import RunnableLambda

    return RunnableLambda(compose_) | RunnableLambda(exemplars_) | RunnableLambda(generate_) | RunnableLambda(guard_)


class Draft(BaseModel):
    run_id: str
    template: str
    backend: str
    sections: list[SectionDraft]
    markdown: str
    review: ReviewResult | None = None
    calls: int = 0
    prompt_chars: int = 0


def plan_sections(template: Template) -> list[SectionPlan]:
    """The template's sections with 公文 numbering: 一、 / （一） / 1."""
    out: list[SectionPlan] = []

    def walk(nodes, level, parent_key):
        for i, s in enumerate(nodes):
            if level == 1:
                label, heading = _CN[i], f"{_CN[i]}、{s.title}"
            elif level == 2:
                label, heading = f"（{_CN[i]}）", f"（{_CN[i]}）{s.title}"
            else:
                label, heading = str(i + 1), f"{i + 1}. {s.title}"
            key = f"{parent_key}/{label}" if parent_key else label
            out.append(SectionPlan(key=key, heading=heading, title=s.title, kind=s.kind, level=level))
            walk(s.children, level + 1, key)

    walk(template.sections, 1, "")
    if not any(p.kind == "spending" for p in out):
        for p in out:
            if p.kind == "project":
                p.with_spending = True
                break
    return out


# --- figures a draft may contain ----------------------------------------------------------
class Allowed(BaseModel):
    amounts: list[float] = []  # 元
    percents: list[float] = []
    counts: list[tuple[float, str]] = []
    scores: list[float] = []

    def admits(self, f: Figure) -> bool:
        if f.kind == "amount":
            return any(abs(f.yuan - a) <= max(f.tolerance, 0.01) for a in self.amounts)
        if f.kind == "percent":
            return any(abs(f.value - p) <= max(f.tolerance, 0.005) for p in self.percents)
        if f.kind == "score":
            return any(abs(f.value - s) <= max(f.tolerance, 0.005) for s in self.scores)
        return any(abs(f.value - v) < 1e-9 and u == f.unit for v, u in self.counts) or any(
            abs(f.value - v) < 1e-9 for v, _ in self.counts
        )

    def add_text(self, text: str) -> None:
        for f in extract(text):
            if f.kind == "amount":
                self.amounts.append(f.yuan)
            elif f.kind == "percent":
                self.percents.append(f.value)
            elif f.kind == "score":
                self.scores.append(f.value)
            else:
                self.counts.append((f.value, f.unit))


def unknown_figures(text: str, allowed: Allowed) -> list[str]:
    return [f.text for f in extract(text) if not allowed.admits(f)]


# --- the deterministic composer ----------------------------------------------------------------
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


def allowed_of(d) -> Allowed:
    """Every figure of the facts and the derived figures, as the guard compares them."""
    allowed = Allowed()
    for f in d.figures():
        if f.kind == "amount":
            allowed.amounts.append(f.value)
        elif f.kind == "percent":
            allowed.percents.extend([f.value] + ([f.exact] if f.exact is not None else []))
        elif f.kind == "score":
            allowed.scores.extend([f.value] + ([f.exact] if f.exact is not None else []))
        else:
            allowed.counts.append((f.value, f.unit))
    return allowed


def compose(plan: SectionPlan, facts, n: Numbers) -> str:
    """The deterministic text of one section: figures from code, the user's notes as numbered
    paragraphs, explicit placeholders where facts are missing."""
    k = plan.kind
    if k == "unit":
        return facts.unit.profile.strip() if facts.unit.profile else gap("单位基本情况（职能、内设机构）")
    if k == "project":
        parts = [p.strip() for p in (facts.project.description, facts.project.goal and f"绩效目标：{facts.project.goal}") if p]
        text = "\n\n".join(_sentence(p) for p in parts) + ("\n\n" if parts else "")
        text += f"年初预算为 {money(n.initial, n.unit)}"
        if abs(n.adjusted - n.initial) > 0.005:
            word = "调减" if n.adjusted < n.initial else "调增"
            reason = facts.budget.adjustment_reason or gap("预算调整的原因")
            text += f"，年中{word} {money(abs(n.initial - n.adjusted), n.unit)}，调整后预算为 {money(n.adjusted, n.unit)}。调整原因：{_sentence(reason)}"
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
            actual = "" if r.actual is None else (r.actual if isinstance(r.actual, str) else f"{fmt(float(r.actual))}{r.unit or ''}")
            lines.append(f"| {r.level1} | {r.level2 or ''} | {r.name} | {r.target.text} | {actual} | {fmt(float(r.weight))} |")
        return "\n".join(lines)
    if k == "problems":
        return _numbered(facts.problems) if facts.problems else gap("存在的具体问题（对象、数量、原因）")
    if k == "improvements":
        return _numbered(facts.improvements) if facts.improvements else gap("改进措施（措施、责任单位、完成时限）")
    return ""


def _spending(facts, n: Numbers) -> str:
    text = f"{facts.year} 年本项目支出 {money(n.spent, n.unit)}，结余 {money(n.balance, n.unit)}，预算执行率为 {n.rate}。"
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


# --- the pipeline ------------------------------------------------------------------------------
ModelCall = Callable[[str, str], str]


def _guard(text: str, allowed: Allowed, must: list[str], plan: SectionPlan | None = None, rules=None) -> list[str]:
    """What is wrong with a model-written section: figures that are neither facts nor derived,
    required figures left out, and the reviewer's error-level findings on the section."""
    problems = [f"出现了事实中没有的数字：{x}" for x in unknown_figures(text, allowed)]
    flat = re.sub(r"\s+", "", text)
    problems += [f"缺少必需的数字：{m}" for m in must if re.sub(r"\s+", "", m) not in flat]
    if plan is not None and rules is not None:
        from drafter.documents.load import from_text
        from drafter.review.engine import review

        section = from_text("#" * (plan.level + 1) + f" {plan.heading}\n\n{text}\n")
        problems += [f"审核错误：{f.message}（{f.quote}）" for f in review(section, rules=rules).findings if f.level.value == "error"]
    return problems


def _replace_offending(text: str, fallback: str, allowed: Allowed) -> str:
    """The deterministic text stands in for the figures, marked for checking; the model's
    sentences that carry no unknown figure are kept after it."""
    kept = [s for s in _SENTENCES.findall(text) if not unknown_figures(s, allowed) and not extract(s)]
    return fallback + "【待核实：模型改写稿含无法核对的数字，已改用程序生成的文字】" + ("\n\n" + "".join(kept) if kept else "")


def draft(facts, *, template_id: str | None = None, model: ModelCall | None = None,
          backend: str = "offline", prompts_dir: str | Path | None = None, retriever=None, section: str | None = None,
          runs_dir: str | Path = "runs", jobs: int = 4, review_draft: bool = True) -> Draft:
    """Draft a report. ``model`` is None for the offline composer."""
    from drafter.facts.derive import derive
    from drafter.llm.prompts import load_prompt
    from drafter.documents.load import from_text
    from drafter.review.engine import review_chain

    derived = derive(facts)
    numbers, allowed = numbers_of(facts, derived), allowed_of(derived)
    template = get_template(template_id or facts.template)
    if template.form != "sections":
        raise DrafterError(f"template {template.id} is a table form: drafting writes section reports (e.g. gd-annex5)")
    plans = plan_sections(template)
    if section:
        plans = [p for p in plans if p.key == section or p.heading.endswith(section) or p.title == section]
        if not plans:
            raise DrafterError(f"no section '{section}' in template {template.id}")
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
    run = Path(runs_dir) / run_id
    run.mkdir(parents=True, exist_ok=True)
    (run / "facts.json").write_text(json.dumps(facts.model_dump(mode="json"), ensure_ascii=False, indent=2), encoding="utf-8")
    prompt = load_prompt("section", prompts_dir) if model is not None else None
    figures_list = "、".join(sorted({*(money(a, numbers.unit) for a in allowed.amounts), *(f"{fmt(p)}%" for p in allowed.percents)}))

    # The section stages as LangChain runnables over a typed state:
    # compose (deterministic text) → exemplars (retriever) → generate (model) → guard (figures;
    # one retry with the problems; then the deterministic text)
    def stage_compose(plan: SectionPlan) -> SectionState:
        return SectionState(plan=plan, offline=compose(plan, facts, numbers), must=required(plan, numbers, numbers.unit),
                            offline_only=model is None)

    def stage_exemplars(st: SectionState) -> SectionState:
        if st.done or retriever is None:
            return st
        # exemplars of the same section type, from similar projects
        r = retriever.model_copy(update={"section_kind": st.plan.kind}) if "section_kind" in type(retriever).model_fields else retriever
        docs = r.invoke(f"{facts.project.name} {st.plan.title}")
        return st.model_copy(update={"exemplars": "\n---\n".join(d.page_content for d in docs[:2])})

    def render(st: SectionState, feedback: str | None = None) -> tuple[str, str]:
        return prompt.render(project=facts.project.name, year=str(facts.year), section_title=st.plan.title,
                             figures=figures_list or "（无）", facts=st.offline, exemplars=st.exemplars or None, feedback=feedback)

    def stage_generate(st: SectionState) -> SectionState:
        if st.done:
            return st
        system, user = render(st)
        return st.model_copy(update={"prompt": user, "raw": [model(system, user)]})

    def stage_guard(st: SectionState) -> SectionDraft:
        if st.done:
            return SectionDraft(plan=st.plan, text=st.offline, source="offline")
        problems = _guard(st.raw[0], allowed, st.must, st.plan, guard_rules)
        if not problems:
            return SectionDraft(plan=st.plan, text=st.raw[0].strip(), source="model", exemplars=st.exemplars, prompt=st.prompt, raw=st.raw)
        system, user = render(st, "上一稿有以下问题，请改正后重写：\n" + "\n".join(f"- {p}" for p in problems))
        raw = [*st.raw, model(system, user)]
        again = _guard(raw[1], allowed, st.must, st.plan, guard_rules)
        if not again:
            return SectionDraft(plan=st.plan, text=raw[1].strip(), source="model-retried", violations=problems,
                                exemplars=st.exemplars, prompt=user, raw=raw)
        return SectionDraft(plan=st.plan, text=_replace_offending(raw[1], st.offline, allowed), source="offline-fallback",
                            violations=problems + again, exemplars=st.exemplars, prompt=user, raw=raw)

    if model is not None:
        from drafter.review.registry import load_rules

        guard_rules = load_rules(disable={"missing-section"})
    chain = section_chain(stage_compose, stage_exemplars, stage_generate, stage_guard)
    sections = chain.batch(plans, config={"max_concurrency": max(1, jobs) if model is not None else 1})
    markdown = assemble(facts, template, sections)
    result = None
    if review_draft:
        from drafter.review.registry import load_rules

        # the review chain checks the draft; a one-section draft is not missing the other sections
        rules = load_rules(disable={"missing-section"}) if section else None
        result = review_chain(rules=rules).invoke(from_text(markdown, path=str(run / "draft.md")))
    (run / "draft.md").write_text(markdown, encoding="utf-8")
    (run / "sections.json").write_text(json.dumps([s.model_dump(mode="json") for s in sections], ensure_ascii=False, indent=2), encoding="utf-8")
    if result is not None:
        (run / "findings.json").write_text(json.dumps(result.public(), ensure_ascii=False, indent=2), encoding="utf-8")
    return Draft(run_id=run_id, template=template.id, backend=backend, sections=sections, markdown=markdown, review=result)


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
