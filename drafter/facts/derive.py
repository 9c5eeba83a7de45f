"""Every derived figure of a report, computed in code from the facts (shared/domain.md rules).

* budget in 元: 年初预算, 调整后预算 (年初预算 when not adjusted), 支出, 结余 = 调整后预算 − 支出;
* 预算执行率 = 支出 / 调整后预算 (a float, and a percent with 2 decimals rounded half-up:
  22516 / 27000 = 83.39%);
* 预算执行率得分 = min(执行率, 100%) × 分值 (分值: the indicators' 预算执行率 row, else
  ``budget.execution_weight``, else 10), rounded half-up to 2 decimals;
* indicator scores: 正向 (≥) 实际/目标 × 分值, 反向 (≤) 目标/实际 × 分值, capped at 分值 and
  rounded half-up to 2 decimals; qualitative rows are not computed (None, with the reason)
  and count in the total with their stated 得分;
* total = the sum of the (rounded) indicator scores, plus the execution score when 预算执行率
  is not one of the indicators (only with indicators; else None); grade 优 ≥ 90, 良 ≥ 80,
  中 ≥ 60, 差 < 60;
* the ceiling without indicators: 100 − 分值 + 预算执行率得分 (95.84 at 58.37% and 10 points);
* self_score_gap = self_score − total (or − ceiling when there is no total).

``Derived.figures()`` lists every figure a draft may contain, with a label.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel

from drafter.facts.model import Facts, Indicator, fmt_decimal

__all__ = ["DEFAULT_EXECUTION_WEIGHT", "Derived", "DerivedFigure", "IndicatorScore", "derive", "grade_of", "pct2",
           "round2"]

DEFAULT_EXECUTION_WEIGHT = Decimal(10)
UNDERSPEND_THRESHOLD = Decimal("0.9")
FULL_MARKS = Decimal(100)
_CENT = Decimal("0.01")


def round2(x: Decimal) -> Decimal:
    """Half-up to 2 decimals (5.8374 -> 5.84)."""
    return x.quantize(_CENT, rounding=ROUND_HALF_UP)


def pct2(num: Decimal, den: Decimal) -> Decimal:
    """num / den as a percent with 2 decimals, half-up: pct2(22516, 27000) == Decimal('83.39')."""
    return round2(num * 100 / den)


def grade_of(score: Decimal | float | None) -> str | None:
    """优 ≥ 90, 良 80–89.99, 中 60–79.99, 差 < 60."""
    if score is None:
        return None
    s = Decimal(str(score))
    return "优" if s >= 90 else "良" if s >= 80 else "中" if s >= 60 else "差"


_f = fmt_decimal


class IndicatorScore(BaseModel):
    index: int  # position in facts.indicators
    level1: str
    level2: str | None
    name: str
    weight: Decimal
    direction: Literal["≥", "≤"] | None  # None: qualitative
    target: Decimal | None
    actual: Decimal | None
    unit: str
    execution: bool = False  # the 预算执行率 row (scored as min(rate, 1) × weight)
    met: bool | None = None  # actual reaches the target (None: cannot tell)
    score: Decimal | None = None  # computed, 2 decimals; None: cannot be computed (see reason)
    stated: Decimal | None = None  # the facts' 得分
    counted: Decimal | None = None  # what the total uses: score, else stated
    formula: str = ""  # "861 / 800 × 20 = 21.53，超过分值，按 20 分计"
    reason: str = ""  # why score is None


class DerivedFigure(BaseModel):
    """A figure a draft may contain. ``value``: 元 for amounts, percent points for percents
    (58.37), points for scores, the count for counts; ``exact`` is the unrounded value when
    ``value`` is rounded (the execution rate, scores)."""

    key: str  # "budget.balance", "execution.rate", "indicators[0].score", "achievements[2]"
    label: str  # "结余", "预算执行率", "数据目录挂接数得分"
    kind: Literal["amount", "percent", "score", "count"]
    value: float
    unit: str  # 元 | % | 分 | the count's unit ("个"; "" for a bare number)
    text: str  # "41210 元", "58.37%", "5.84 分", "861 个"
    exact: float | None = None


class Derived(BaseModel):
    amount_unit: str  # the facts' unit (元 or 万元); every amount below is in 元
    initial: Decimal
    adjusted: Decimal  # 调整后预算, = initial when not adjusted
    adjusted_given: bool
    spent: Decimal
    balance: Decimal  # adjusted − spent (negative when spent > adjusted)
    adjustment: Decimal  # adjusted − initial (negative: 调减)
    adjustment_word: str  # 调减 | 调增 | ""
    execution_rate: float  # spent / adjusted
    execution_percent: Decimal  # 58.37
    execution_rate_text: str  # "58.37%"
    execution_weight: Decimal
    execution_weight_source: Literal["indicator", "budget", "default"]
    execution_in_indicators: bool
    execution_score: Decimal  # min(rate, 1) × weight, 2 decimals
    execution_score_exact: Decimal
    execution_formula: str  # "57790 / 99000 = 58.37%；10 分 × 58.37% = 5.84 分"
    ceiling: Decimal  # 100 − weight + execution score
    indicator_scores: list[IndicatorScore] = []
    total: Decimal | None = None
    total_formula: str = ""
    total_note: str = ""  # why total is None when indicators are given
    grade: str | None = None  # of total
    weights_total: Decimal | None = None
    weights_ok: bool | None = None
    needs_underspend_reason: bool
    needs_adjustment_reason: bool
    self_score: Decimal | None = None
    self_score_grade: str | None = None
    self_score_basis: Literal["total", "ceiling"]
    self_score_gap: Decimal | None = None  # self_score − total (or − ceiling); > 0: inflated
    self_score_message: str
    warnings: list[str] = []  # what the draft must explain or fix, one sentence each
    facts_figures: list[DerivedFigure] = []  # figures of the facts' own text and indicators
    year: int | None = None  # the report's year
    texts: list[str] = []  # every text of the facts: the numbers a draft may repeat (dates, counts)

    def figures(self) -> list[DerivedFigure]:
        """Every figure a draft may legitimately contain, each with a label."""
        out: list[DerivedFigure] = []

        def amount(key: str, label: str, v: Decimal) -> None:
            out.append(DerivedFigure(key=key, label=label, kind="amount", value=float(v), unit="元",
                                     text=f"{_f(v)} 元"))

        def score(key: str, label: str, v: Decimal, exact: Decimal | None = None) -> None:
            out.append(DerivedFigure(key=key, label=label, kind="score", value=float(v), unit="分", text=f"{_f(v)} 分",
                                     exact=None if exact is None or exact == v else float(exact)))

        def percent(key: str, label: str, v: Decimal, exact: float | None = None) -> None:
            out.append(DerivedFigure(key=key, label=label, kind="percent", value=float(v), unit="%",
                                     text=f"{_f(v)}%", exact=exact))

        amount("budget.initial", "年初预算", self.initial)
        amount("budget.adjusted", "调整后预算", self.adjusted)
        amount("budget.spent", "全年支出", self.spent)
        if self.balance >= 0:
            amount("budget.balance", "结余", self.balance)
        else:
            amount("budget.overspend", "超支", -self.balance)
        if self.adjustment:
            amount("budget.adjustment", f"预算{self.adjustment_word}额", abs(self.adjustment))
        percent("execution.rate", "预算执行率", self.execution_percent, self.execution_rate * 100)
        percent("execution.threshold", "预算执行率要求", Decimal(90))
        score("execution.weight", "预算执行率分值", self.execution_weight)
        score("execution.score", "预算执行率得分", self.execution_score, self.execution_score_exact)
        if self.execution_weight != self.execution_score:
            score("execution.deduction", "预算执行率扣分", self.execution_weight - self.execution_score)
        score("ceiling", "按执行率可得最高分", self.ceiling)
        score("full_marks", "满分", FULL_MARKS)
        for s in self.indicator_scores:
            if s.score is not None:
                score(f"indicators[{s.index}].score", f"{s.name}得分", s.score)
        if self.total is not None:
            score("total", "总分", self.total)
        if self.weights_total is not None:
            score("weights_total", "分值合计", self.weights_total)
        if self.self_score is not None:
            score("self_score", "自评分数", self.self_score)
        if self.self_score_gap:
            score("self_score_gap", "自评分数与计算分数之差", abs(self.self_score_gap))
        out.extend(self.facts_figures)
        return out


def derive(facts: Facts) -> Derived:
    """All derived figures of ``facts``."""
    b = facts.budget
    initial, adjusted, spent = facts.yuan(b.initial), facts.yuan(b.adjusted_value), facts.yuan(b.spent)
    balance = adjusted - spent
    adjustment = adjusted - initial
    ratio = spent / adjusted
    percent = pct2(spent, adjusted)
    rate_text = f"{percent}%"

    exec_rows = [i for i, ind in enumerate(facts.indicators) if ind.is_execution]
    if exec_rows:
        weight, source = facts.indicators[exec_rows[0]].weight, "indicator"
    elif b.execution_weight is not None:
        weight, source = b.execution_weight, "budget"
    else:
        weight, source = DEFAULT_EXECUTION_WEIGHT, "default"
    exec_exact = min(ratio, Decimal(1)) * weight
    exec_score = round2(exec_exact)
    exec_formula = (f"{_f(spent)} / {_f(adjusted)} = {rate_text}；"
                    f"{_f(weight)} 分 × {rate_text if ratio < 1 else '100%'} = {_f(exec_score)} 分")
    if ratio > 1:
        exec_formula = (f"{_f(spent)} / {_f(adjusted)} = {rate_text}（按 100% 计）；"
                        f"{_f(weight)} 分 × 100% = {_f(exec_score)} 分")
    ceiling = FULL_MARKS - weight + exec_score

    scores = [_score(i, ind, ratio, percent, weight, exec_score) for i, ind in enumerate(facts.indicators)]
    warnings: list[str] = []
    total = weights_total = None
    weights_ok = None
    total_formula = total_note = ""
    if facts.indicators:
        weights_total = sum((s.weight for s in scores), Decimal(0)) + (Decimal(0) if exec_rows else weight)
        weights_ok = weights_total == FULL_MARKS
        missing = [s for s in scores if s.counted is None]
        if missing:
            total_note = "无法逐项计算总分：" + "；".join(f"“{s.name}”{s.reason}" for s in missing)
        else:
            parts = [s.counted for s in scores]
            terms = [_f(x) for x in parts]
            if not exec_rows:
                parts.append(exec_score)
                terms.append(f"{_f(exec_score)}（预算执行率）")
            total = sum(parts, Decimal(0))
            total_formula = " + ".join(terms) + f" = {_f(total)} 分"
        if not weights_ok:
            terms = [_f(s.weight) for s in scores] + ([] if exec_rows else [f"{_f(weight)}（预算执行率）"])
            warnings.append(f"指标分值合计 {' + '.join(terms)} = {_f(weights_total)} 分，应为 100 分。")

    needs_underspend = ratio < UNDERSPEND_THRESHOLD
    needs_adjustment = adjustment != 0
    word = "调减" if adjustment < 0 else "调增" if adjustment > 0 else ""
    if needs_underspend and not b.underspend_reason:
        warnings.append(f"预算执行率 {rate_text} 低于 90%，须说明原因（budget.underspend_reason）。")
    if needs_adjustment and not b.adjustment_reason:
        warnings.append(f"年中预算{word} {_f(abs(adjustment))} 元（{_f(initial)} → {_f(adjusted)}），"
                        "须说明原因（budget.adjustment_reason）。")
    for s, ind in zip(scores, facts.indicators):
        if s.met is False and not ind.reason and not s.execution:
            warnings.append(f"“{s.name}”未达目标（实际 {_f(s.actual)}{s.unit}，"
                            f"目标 {s.direction}{_f(s.target)}{s.unit}），"
                            f"须说明偏差原因（indicators[{s.index}].reason）。")
        if s.score is not None and s.stated is not None and s.stated > s.score:
            warnings.append(f"“{s.name}”得分 {_f(s.stated)} 分高于按公式计算的 {_f(s.score)} 分（{s.formula}）。")

    self_score = facts.self_score
    basis = "total" if total is not None else "ceiling"
    gap = None if self_score is None else self_score - (total if total is not None else ceiling)
    message = _self_score_message(self_score, gap, total, ceiling, total_note, spent, adjusted, rate_text, weight,
                                  exec_score, ratio)
    if gap is not None and gap > 0:
        warnings.append(message)

    return Derived(
        amount_unit=b.unit,
        initial=initial,
        adjusted=adjusted,
        adjusted_given=b.adjusted is not None,
        spent=spent,
        balance=balance,
        adjustment=adjustment,
        adjustment_word=word,
        execution_rate=float(ratio),
        execution_percent=percent,
        execution_rate_text=rate_text,
        execution_weight=weight,
        execution_weight_source=source,
        execution_in_indicators=bool(exec_rows),
        execution_score=exec_score,
        execution_score_exact=exec_exact,
        execution_formula=exec_formula,
        ceiling=ceiling,
        indicator_scores=scores,
        total=total,
        total_formula=total_formula,
        total_note=total_note,
        grade=grade_of(total),
        weights_total=weights_total,
        weights_ok=weights_ok,
        needs_underspend_reason=needs_underspend,
        needs_adjustment_reason=needs_adjustment,
        self_score=self_score,
        self_score_grade=grade_of(self_score),
        self_score_basis=basis,
        self_score_gap=gap,
        self_score_message=message,
        warnings=warnings,
        facts_figures=_facts_figures(facts, scores),
        year=facts.year,
        texts=_strings(facts.model_dump(mode="json")),
    )


def _strings(node) -> list[str]:
    """Every string of a dumped model, depth first."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _score(i: int, ind: Indicator, ratio: Decimal, percent: Decimal, exec_weight: Decimal,
           exec_score: Decimal) -> IndicatorScore:
    t = ind.target
    s = IndicatorScore(index=i, level1=ind.level1, level2=ind.level2, name=ind.name, weight=ind.weight,
                       direction=None if ind.qualitative else t.direction, target=None if ind.qualitative else t.value,
                       actual=ind.actual_value, unit=ind.unit or "", stated=ind.score)
    w = ind.weight
    if ind.is_execution:
        s.execution = True
        s.score = exec_score
        s.met = ratio >= 1 if s.target is None else percent >= s.target
        s.formula = (f"预算执行率 {percent}% × {_f(w)} 分 = {_f(exec_score)} 分" if ratio < 1
                     else f"预算执行率 {percent}%（按 100% 计）× {_f(w)} 分 = {_f(exec_score)} 分")
    elif ind.qualitative:
        s.reason = ("为定性指标，按 80–100%、60–80%、0–60% 档次评分，不能按公式计算"
                    + ("，且未给出得分" if ind.score is None else ""))
    elif s.actual is None:
        s.reason = "未给出实际完成值"
    else:
        tv, av = s.target, s.actual
        if s.direction == "≥":
            s.met = av >= tv
            if tv == 0:
                raw, s.formula = w, f"目标为 0，按 {_f(w)} 分计"
            else:
                raw = av / tv * w
                s.formula = f"{_f(av)} / {_f(tv)} × {_f(w)} = {_f(round2(raw))}"
        else:
            s.met = av <= tv
            if av == 0:
                raw, s.formula = w, f"实际为 0，按 {_f(w)} 分计"
            else:
                raw = tv / av * w
                s.formula = f"{_f(tv)} / {_f(av)} × {_f(w)} = {_f(round2(raw))}"
        if raw > w:
            s.formula += f"，超过分值，按 {_f(w)} 分计"
        s.score = round2(min(raw, w))
    s.counted = s.score if s.score is not None else s.stated
    return s


def _self_score_message(self_score, gap, total, ceiling, total_note, spent, adjusted, rate_text, weight, exec_score,
                        ratio) -> str:
    if self_score is None:
        if total is not None:
            return f"未给出自评分数；逐项计算总分 {_f(total)} 分。"
        return f"未给出自评分数；按执行率计算，总分最多 {_f(ceiling)} 分。"
    s = _f(self_score)
    if total is not None:
        if gap > 0:
            return f"自评 {s} 分，比逐项计算的总分 {_f(total)} 分高 {_f(gap)} 分。"
        if gap < 0:
            return f"自评 {s} 分，比逐项计算的总分 {_f(total)} 分低 {_f(-gap)} 分。"
        return f"自评 {s} 分，与逐项计算的总分一致。"
    prefix = total_note + "。" if total_note else ""
    if gap > 0:
        rate_part = rate_text if ratio < 1 else "100%"
        return (f"{prefix}自评 {s} 分，比按执行率计算的最高分 {_f(ceiling)} 分高 {_f(gap)} 分："
                f"执行率 {_f(spent)} / {_f(adjusted)} = {rate_text}，"
                f"预算执行率 {_f(weight)} 分 × {rate_part} = {_f(exec_score)} 分，"
                f"总分最多 100 − {_f(weight)} + {_f(exec_score)} = {_f(ceiling)} 分。")
    return f"{prefix}自评 {s} 分，不超过按执行率计算的最高分 {_f(ceiling)} 分。"


def _kind_of(unit: str) -> str:
    return "percent" if unit == "%" else "count"


def _facts_figures(facts: Facts, scores: list[IndicatorScore]) -> list[DerivedFigure]:
    from drafter.text.figures import extract

    out: list[DerivedFigure] = []
    b = facts.budget
    for i, src in enumerate(b.sources):
        for field, label in (("initial", "年初预算"), ("adjusted", "调整后预算"), ("spent", "支出")):
            v = getattr(src, field)
            if v is not None:
                y = facts.yuan(v)
                out.append(DerivedFigure(key=f"budget.sources[{i}].{field}", label=f"{src.name}{label}", kind="amount",
                                         value=float(y), unit="元", text=f"{_f(y)} 元"))
    for i, use in enumerate(facts.uses):
        for field, label in (("budget", "预算"), ("spent", "支出")):
            v = getattr(use, field)
            if v is not None:
                y = facts.yuan(v)
                out.append(DerivedFigure(key=f"uses[{i}].{field}", label=f"{use.name}{label}", kind="amount",
                                         value=float(y), unit="元", text=f"{_f(y)} 元"))
    for s, ind in zip(scores, facts.indicators):
        out.append(DerivedFigure(key=f"indicators[{s.index}].weight", label=f"{s.name}分值", kind="score",
                                 value=float(s.weight), unit="分", text=f"{_f(s.weight)} 分"))
        if s.stated is not None:
            out.append(DerivedFigure(key=f"indicators[{s.index}].stated_score", label=f"{s.name}自评得分", kind="score",
                                     value=float(s.stated), unit="分", text=f"{_f(s.stated)} 分"))
        unit = s.unit
        for field, label, v in (("target", "目标值", s.target), ("actual", "实际完成值", s.actual)):
            if v is None:
                continue
            kind = _kind_of(unit)
            sep = "" if unit in ("%", "") else " "
            out.append(DerivedFigure(key=f"indicators[{s.index}].{field}", label=f"{s.name}{label}", kind=kind,
                                     value=float(v), unit=unit, text=f"{_f(v)}{sep}{unit}"))
        if ind.qualitative:
            texts = [("target", "目标值", ind.target.text)]
            if isinstance(ind.actual, str):
                texts.append(("actual", "实际完成值", ind.actual))
            for field, label, text in texts:
                out.extend(_text_figures(extract, f"indicators[{s.index}].{field}", f"{s.name}{label}", text))
    texts: list[tuple[str, str, str | None]] = [
        ("unit.profile", "单位基本情况", facts.unit.profile),
        ("project.description", "项目基本情况", facts.project.description),
        ("project.goal", "绩效目标", facts.project.goal),
        ("budget.adjustment_reason", "预算调整原因", b.adjustment_reason),
        ("budget.underspend_reason", "执行率偏低原因", b.underspend_reason),
        ("budget.spent_over_reason", "超支原因", b.spent_over_reason),
    ]
    texts += [(f"indicators[{i}].reason", f"{ind.name}偏差原因", ind.reason) for i, ind in enumerate(facts.indicators)]
    texts += [(f"uses[{i}].output", f"{use.name}产出", use.output) for i, use in enumerate(facts.uses)]
    for field, label in (("achievements", "成效"), ("problems", "问题"), ("improvements", "改进措施"),
                         ("evidence", "佐证材料")):
        texts += [(f"{field}[{i}]", f"{label}{i + 1}", t) for i, t in enumerate(getattr(facts, field))]
    for key, label, text in texts:
        if text:
            out.extend(_text_figures(extract, key, label, text))
    return out


def _text_figures(extract, key: str, label: str, text: str) -> list[DerivedFigure]:
    out = []
    for fig in extract(text):
        if fig.kind == "amount":
            value, unit, shown = fig.yuan, "元", f"{fmt_decimal(fig.yuan)} 元"
        else:
            value, unit, shown = fig.value, fig.unit, fig.text
        out.append(DerivedFigure(key=key, label=f"{label}：{fig.text}", kind=fig.kind, value=value, unit=unit,
                                 text=shown))
    return out
