"""Rule types: the code behind the YAML rules. Each type has a ``Params`` model (the keys a
rule file may set besides the common ones) and a ``check(rule, analysis)`` generator of
findings. Types never hold phrases: the phrases are in the rule files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drafter.analysis import Analysis, Sentence
from drafter.budget import ROLE_NAMES, RoleFigure
from drafter.figures import Figure, fmt
from drafter.findings import Finding, Level
from drafter.templates import detect_template, norm, title_matches


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scope(BaseModel):
    """Where a rule looks: sections whose title (or an ancestor's) contains one of
    ``sections`` (all when empty) and none of ``exclude_sections``."""

    model_config = ConfigDict(extra="forbid")
    sections: list[str] = []
    exclude_sections: list[str] = []

    def admits(self, analysis: Analysis, pos: int) -> bool:
        sec = analysis.section_at(pos)
        titles = sec.titles() if sec else []
        if self.sections and not any(k in t for t in titles for k in self.sections):
            return False
        return not any(k in t for t in titles for k in self.exclude_sections)


@dataclass
class RuleType:
    Params: type[BaseModel]
    check: object


RULE_TYPES: dict[str, RuleType] = {}


def rule_type(name: str, params: type[BaseModel]):
    def deco(fn):
        RULE_TYPES[name] = RuleType(params, fn)
        return fn

    return deco


def _rx(patterns: list[str]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=512)
def _rx_cached(patterns: tuple[str, ...]) -> re.Pattern | None:
    return _rx(list(patterns))


class _Compiled:
    """Compiled alternations of a rule's pattern lists (compiled once per distinct list)."""

    @staticmethod
    def get(params: BaseModel, name: str) -> re.Pattern | None:
        return _rx_cached(tuple(getattr(params, name)))


def _has_figure(analysis: Analysis, a: int, b: int) -> bool:
    return any(f.start >= a and f.end <= b for f in analysis.figures)


_FUTURE_YEAR = re.compile(r"(20\d\d)\s*年")


def _mentions_future_year(text: str, year: int | None) -> bool:
    if year is None:
        return False
    return any(int(y) > year for y in _FUTURE_YEAR.findall(text))


def _sentence_of(analysis: Analysis, pos: int) -> Sentence | None:
    for s in analysis.sentences:
        if s.start <= pos < s.end:
            return s
    return None


# --- existence: a phrase present in a sentence ------------------------------------------
class ExistenceParams(Params):
    tokens: list[str]
    scope: Scope = Scope()
    unless: list[str] = []  # a sentence matching any of these is not flagged
    unless_figure: bool = False  # a sentence carrying a figure is not flagged
    unless_future_year: bool = False  # a sentence naming a year after the report's is a plan
    unless_enumeration: int = 0  # a sentence with at least this many 、 is concrete
    max_length: int = 0  # longer sentences are not flagged (0: no limit)
    whole_sentence: bool = False  # the token must match the whole sentence
    quote: Literal["sentence", "match", "from_match"] = "sentence"


@rule_type("existence", ExistenceParams)
def check_existence(rule, a: Analysis) -> Iterator[Finding]:
    p: ExistenceParams = rule.params
    tokens = _Compiled.get(p, "tokens")
    unless = _Compiled.get(p, "unless")
    for s in a.sentences:
        m = tokens.fullmatch(s.text) if p.whole_sentence else tokens.search(s.text)
        if not m:
            continue
        if p.max_length and len(s.text) > p.max_length:
            continue
        if unless and unless.search(s.text):
            continue
        if p.unless_figure and _has_figure(a, s.start, s.end):
            continue
        if p.unless_future_year and _mentions_future_year(s.text, a.year):
            continue
        if p.unless_enumeration and s.text.count("、") >= p.unless_enumeration:
            continue
        if not p.scope.admits(a, s.start):
            continue
        if p.quote == "match":
            start, end = s.start + m.start(), s.start + m.end()
        elif p.quote == "from_match":
            start, end = s.start + m.start(), s.end
        else:
            start, end = s.start, s.end
        yield a.finding(rule, start, end, rule.say(match=m.group(0)), evidence=f"“{m.group(0)}”")


# --- density: several stock phrases in one sentence ---------------------------------------
class DensityParams(Params):
    phrases: list[str]
    min_hits: int = 2
    unless_figure: bool = True
    scope: Scope = Scope()


@rule_type("density", DensityParams)
def check_density(rule, a: Analysis) -> Iterator[Finding]:
    p: DensityParams = rule.params
    rx = _Compiled.get(p, "phrases")
    for s in a.sentences:
        hits = []
        for m in rx.finditer(s.text):
            if m.group(0) not in hits:
                hits.append(m.group(0))
        if len(hits) < p.min_hits:
            continue
        if p.unless_figure and _has_figure(a, s.start, s.end):
            continue
        if not p.scope.admits(a, s.start):
            continue
        covered = sum(len(h) for h in hits)
        yield a.finding(
            rule,
            s.start,
            s.end,
            rule.say(count=len(hits)),
            evidence=f"套话 {len(hits)} 处（{'、'.join(hits)}），占本句 {covered}/{len(s.text)} 字",
        )


# --- budget arithmetic --------------------------------------------------------------------
def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9


def _yuan(f: RoleFigure) -> str:
    return fmt(f.value) + " 元"


def slip_candidates(values: dict[str, RoleFigure]) -> Iterator[tuple[str, float]]:
    """(role, factor) pairs where scaling that one figure by 10⁴ or 10⁻⁴ makes a failing
    预算 − 支出 = 结余 hold: a 元/万元 slip rather than an arithmetic error."""
    b, s, r = values.get("budget"), values.get("spent"), values.get("balance")
    if not (b and s and r):
        return
    if _close(b.value - s.value, r.value, b.tolerance + s.tolerance + r.tolerance):
        return
    for role in ("budget", "spent", "balance"):
        for factor in (1e4, 1e-4):
            v = {k: values[k].value * (factor if k == role else 1) for k in ("budget", "spent", "balance")}
            tol = sum(values[k].tolerance * (factor if k == role else 1) for k in ("budget", "spent", "balance"))
            if _close(v["budget"] - v["spent"], v["balance"], tol) and v["balance"] >= -tol:
                yield role, factor


def _identity_figures(a: Analysis) -> dict[str, RoleFigure]:
    out = {}
    budget = a.budget.budget_figure
    if budget:
        out["budget"] = budget
    for role in ("spent", "balance"):
        f = a.budget.first(role)
        if f:
            out[role] = f
    return out


class EmptyParams(Params):
    pass


@rule_type("budget_identity", EmptyParams)
def check_budget_identity(rule, a: Analysis) -> Iterator[Finding]:
    v = _identity_figures(a)
    if len(v) < 3 or any(True for _ in slip_candidates(v)):
        return
    b, s, r = v["budget"], v["spent"], v["balance"]
    expected = b.value - s.value
    if _close(expected, r.value, b.tolerance + s.tolerance + r.tolerance):
        return
    name = ROLE_NAMES[b.role]
    yield a.finding(
        rule,
        r.start,
        r.end,
        rule.say(expected=fmt(expected), stated=fmt(r.value), budget_name=name),
        evidence=f"{name} {fmt(b.value)} − 支出 {fmt(s.value)} = {fmt(expected)}（报告写结余 {_yuan(r)}）",
    )


class RateParams(Params):
    min_budget: float = 0.0


@rule_type("execution_rate", RateParams)
def check_execution_rate(rule, a: Analysis) -> Iterator[Finding]:
    for stated in a.budget.found.get("rate", []):
        same = [f for f in a.budget.found.get("spent", []) if f.source == stated.source]
        spent = same[0] if same else a.budget.first("spent")
        budget = a.budget.budget_figure
        if stated.source == "table":
            tb = [f for f in a.budget.found.get("adjusted", []) if f.source == "table"]
            budget = tb[0] if tb else budget
        if spent is None or budget is None or budget.value <= 0:
            continue
        computed = spent.value / budget.value * 100
        step = 10 ** (-stated.decimals)
        # Rounded or truncated to the stated digits both pass; so does the imprecision of the inputs.
        input_slack = computed * (spent.tolerance / max(spent.value, 1e-9) + budget.tolerance / budget.value)
        if abs(computed - stated.value) < step + input_slack + 1e-9:
            continue
        yield a.finding(
            rule,
            stated.start,
            stated.end,
            rule.say(computed=f"{computed:.2f}%", stated=f"{fmt(stated.value)}%"),
            evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {computed:.2f}%（报告写 {fmt(stated.value)}%）",
        )


class PartsParams(Params):
    max_gap: int = 20  # characters between the total and the opening bracket
    exclude: list[str] = ["等", "约", "以上", "以下", "多", "余", "近", "占", "累计", "同比", "其中"]


_PARENS = re.compile(r"[（(]([^（）()]{2,120})[)）]")


@rule_type("parts_sum", PartsParams)
def check_parts_sum(rule, a: Analysis) -> Iterator[Finding]:
    p: PartsParams = rule.params
    figs = a.figures
    for m in _PARENS.finditer(a.text):
        inner = m.group(1)
        if any(x in inner for x in p.exclude):
            continue
        parts = [f for f in figs if f.start >= m.start(1) and f.end <= m.end(1)]
        if len(parts) < 2:
            continue
        before = [f for f in figs if f.end <= m.start() and m.start() - f.end <= p.max_gap]
        if not before:
            continue
        total = before[-1]
        gap = a.text[total.end : m.start()]
        if re.search(r"[。；;，,\n]", gap) or total.approx or any(f.approx for f in parts):
            continue
        if not all(_same_unit(total, f) for f in parts):
            continue
        s = sum(f.base for f in parts)
        tol = total.tolerance * (1 if total.kind != "amount" else 1) + sum(f.tolerance for f in parts)
        if _close(s, total.base, tol):
            continue
        terms = " + ".join(fmt(f.value) for f in parts)
        yield a.finding(
            rule,
            total.start,
            m.end(),
            rule.say(total=total.text, sum=fmt(s)),
            evidence=f"{terms} = {fmt(sum(f.value for f in parts))}，与总数 {total.text} 不符",
        )


def _same_unit(total: Figure, part: Figure) -> bool:
    if total.kind != part.kind:
        return False
    return total.kind == "amount" or total.unit == part.unit


class ConsistencyParams(Params):
    roles: list[str] = ["initial", "adjusted", "spent", "balance", "rate", "self_score"]
    not_a_total: list[str] = ["用于", "费", "购", "采购", "维护", "宣传", "培训", "印制", "租赁", "工资", "补助", "包括", "主要", "建设"]


@rule_type("role_consistency", ConsistencyParams)
def check_role_consistency(rule, a: Analysis) -> Iterator[Finding]:
    p: ConsistencyParams = rule.params
    rx = _rx(p.not_a_total)
    for role in p.roles:
        items = [f for f in a.budget.found.get(role, []) if f.source == "table" or not _qualified(a.text, f, rx)]
        if len(items) < 2:
            continue
        first = items[0]
        for other in items[1:]:
            if _close(first.value, other.value, first.tolerance + other.tolerance):
                continue
            unit = "%" if role == "rate" else ("分" if role == "self_score" else " 元")
            where = "表格" if other.source == "table" else "正文"
            yield a.finding(
                rule,
                other.start,
                other.end,
                rule.say(name=ROLE_NAMES[role], first=fmt(first.value) + unit, other=fmt(other.value) + unit),
                evidence=f"{ROLE_NAMES[role]}：第 {a.line_col(a.to_orig(first.start))[0]} 行写 {fmt(first.value)}{unit}，"
                f"此处（{where}）写 {fmt(other.value)}{unit}",
            )


def _qualified(text: str, f: RoleFigure, rx: re.Pattern) -> bool:
    """True when the figure's clause names a purpose (a part of the spending, not the total)."""
    prefix = text[max(0, f.start - 30) : f.start]
    cut = max(prefix.rfind(c) for c in "，,。；;\n")
    return bool(rx.search(prefix[cut + 1 :]))


class SlipParams(Params):
    pass


@rule_type("unit_slip", SlipParams)
def check_unit_slip(rule, a: Analysis) -> Iterator[Finding]:
    v = _identity_figures(a)
    for role, factor in slip_candidates(v):
        f = v[role]
        meant = f.value * factor
        yield a.finding(
            rule,
            f.start,
            f.end,
            rule.say(stated=f.text, meant=fmt(meant) + " 元"),
            evidence=f"按 {f.text} 计 {fmt(v['budget'].value)} − {fmt(v['spent'].value)} ≠ {fmt(v['balance'].value)}；"
            f"若为 {fmt(meant)} 元则 预算 − 支出 = 结余 成立",
        )
        return


class ProductParams(Params):
    pattern: str  # regex with named groups n (a count), price (per-unit amount) and total


@rule_type("product_total", ProductParams)
def check_product_total(rule, a: Analysis) -> Iterator[Finding]:
    rx = re.compile(rule.params.pattern)
    from drafter.figures import extract

    for m in rx.finditer(a.text):
        figs = {k: extract(m.group(k)) for k in ("n", "price", "total")}
        if not all(figs.values()):
            continue
        n, price, total = figs["n"][0], figs["price"][0], figs["total"][0]
        if price.kind != "amount" or total.kind != "amount":
            continue
        expected = n.value * price.yuan
        if _close(expected, total.yuan, total.tolerance + price.tolerance * n.value):
            continue
        slip = _close(expected, total.yuan * 1e4, total.tolerance * 1e4)
        start = m.start("total")
        yield a.finding(
            rule,
            start,
            m.end("total"),
            rule.say(total=total.text, expected=fmt(expected) + " 元"),
            evidence=f"{n.text} × {price.text} = {fmt(expected)} 元（报告写 {total.text}）" + ("，疑为 元/万元 写错" if slip else ""),
        )


# --- scores -------------------------------------------------------------------------------
class ScoreExecParams(Params):
    exec_weight: float = 10.0
    error_gap: float = 0.5  # smaller gaps (rounding of a high rate) are reported at info level


@rule_type("score_vs_execution", ScoreExecParams)
def check_score_vs_execution(rule, a: Analysis) -> Iterator[Finding]:
    p: ScoreExecParams = rule.params
    score = a.budget.first("self_score")
    rate = a.budget.execution
    if score is None or rate is None:
        return
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    exec_points = min(rate, 1.0) * p.exec_weight
    ceiling = 100 - p.exec_weight + exec_points
    gap = score.value - ceiling
    if gap <= 0.005:
        return
    level = None if gap >= p.error_gap else Level.info
    yield a.finding(
        rule,
        score.start,
        score.end,
        rule.say(score=fmt(score.value), ceiling=fmt(ceiling), rate=f"{rate * 100:.2f}%"),
        evidence=f"执行率 {fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}%；预算执行率 {fmt(p.exec_weight)} 分 × "
        f"{rate * 100:.2f}% = {exec_points:.2f} 分；总分最多 100 − {fmt(p.exec_weight)} + {exec_points:.2f} = "
        f"{ceiling:.2f} 分 < 自评 {fmt(score.value)} 分",
        level=level,
    )


class ReasonParams(Params):
    threshold: float = 0.9
    topic: list[str]  # a sentence about money: one of these words
    reasons: list[str]  # ... giving a reason: one of these


@rule_type("execution_reason", ReasonParams)
def check_execution_reason(rule, a: Analysis) -> Iterator[Finding]:
    p: ReasonParams = rule.params
    rate = a.budget.execution
    if rate is None or rate >= p.threshold:
        return
    if _explained(a, p):
        return
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    s = _sentence_of(a, spent.start)
    start, end = (s.start, s.end) if s else (spent.start, spent.end)
    yield a.finding(
        rule,
        start,
        end,
        rule.say(rate=f"{rate * 100:.2f}%", threshold=f"{p.threshold * 100:.0f}%"),
        evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}% < {p.threshold * 100:.0f}%，报告未说明原因",
    )


def _explained(a: Analysis, p) -> bool:
    topic, reasons = _Compiled.get(p, "topic"), _Compiled.get(p, "reasons")
    return any(topic.search(s.text) and reasons.search(s.text) for s in a.sentences)


class AdjustParams(Params):
    topic: list[str]
    reasons: list[str]
    min_change: float = 0.0  # fraction of the initial budget


@rule_type("adjustment_reason", AdjustParams)
def check_adjustment_reason(rule, a: Analysis) -> Iterator[Finding]:
    p: AdjustParams = rule.params
    initial, adjusted = a.budget.first("initial"), a.budget.first("adjusted")
    if not initial or not adjusted or initial.value <= 0:
        return
    change = adjusted.value - initial.value
    if abs(change) <= max(initial.tolerance + adjusted.tolerance, p.min_change * initial.value) or _explained(a, p):
        return
    word = "调减" if change < 0 else "调增"
    yield a.finding(
        rule,
        adjusted.start,
        adjusted.end,
        rule.say(word=word, change=fmt(abs(change)) + " 元"),
        evidence=f"{fmt(initial.value)} → {fmt(adjusted.value)}，{word} {fmt(abs(change))} 元，报告未说明原因",
    )


# --- indicator tables ---------------------------------------------------------------------
class TableParams(Params):
    check: Literal["over_weight", "missed_full", "missing_reason", "weights_sum", "total_sum"]
    weights_total: float = 100.0


_NUM = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")


def _num(text: str) -> float | None:
    m = _NUM.search(text)
    return float(m.group(0).replace(",", "")) if m else None


@dataclass
class IndicatorRow:
    cells: list
    name: str
    weight: float | None
    score: float | None
    target: str
    actual: str
    reason: str
    is_total: bool


class IndicatorTable:
    def __init__(self, table) -> None:
        self.table = table
        c = table.column
        self.col_weight = c("分值", "权重")
        self.col_score = c("得分")
        self.col_target = c("指标值", "目标值", exclude=("实际",))
        self.col_actual = c("实际完成值", "实际值", "完成值")
        self.col_reason = c("偏差", "原因")
        self.col_name = c("三级指标", "指标名称") if c("三级指标", "指标名称") is not None else 0

    @cached_property
    def rows(self) -> list[IndicatorRow]:
        out = []
        for cells in self.table.rows:

            def get(i):
                return cells[i].text if i is not None and i < len(cells) else ""

            label = " ".join(x.text for x in cells[:3])
            out.append(
                IndicatorRow(
                    cells,
                    get(self.col_name),
                    _num(get(self.col_weight)),
                    _num(get(self.col_score)),
                    get(self.col_target),
                    get(self.col_actual),
                    get(self.col_reason),
                    bool(re.search(r"总分|合计|总计", label)),
                )
            )
        return out

    def cell(self, row: IndicatorRow, col: int | None):
        return row.cells[col] if col is not None and col < len(row.cells) else row.cells[0]


def indicator_tables(a: Analysis) -> list[IndicatorTable]:
    out = []
    for t in a.tables:
        it = IndicatorTable(t)
        if it.col_weight is not None and it.col_score is not None:
            out.append(it)
    return out


def compare_target(target: str, actual: str) -> tuple[str, float, float] | None:
    """('≥'|'≤', target, actual) for a quantitative indicator, None when not comparable."""
    t, v = _num(target), _num(actual)
    if t is None or v is None:
        return None
    direction = "≤" if re.search(r"≤|<=|<|不高于|不超过|以下|以内", target) else "≥"
    return direction, t, v


@rule_type("indicator_table", TableParams)
def check_indicator_table(rule, a: Analysis) -> Iterator[Finding]:
    p: TableParams = rule.params
    for it in indicator_tables(a):
        rows = [r for r in it.rows if not r.is_total]
        totals = [r for r in it.rows if r.is_total]
        if p.check == "over_weight":
            for r in rows:
                if r.weight is not None and r.score is not None and r.score > r.weight + 1e-9:
                    c = it.cell(r, it.col_score)
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score), weight=fmt(r.weight)),
                                    evidence=f"得分 {fmt(r.score)} > 分值 {fmt(r.weight)}")
        elif p.check in ("missed_full", "missing_reason"):
            for r in rows:
                cmp = compare_target(r.target, r.actual)
                if cmp is None:
                    continue
                direction, t, v = cmp
                missed = v < t if direction == "≥" else v > t
                if not missed:
                    continue
                if p.check == "missed_full" and r.weight is not None and r.score is not None and r.score >= r.weight:
                    c = it.cell(r, it.col_score)
                    fair = (v / t if direction == "≥" else t / v) * r.weight
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score)),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}；按比例得分 {fmt(v if direction == '≥' else t)} / "
                                    f"{fmt(t if direction == '≥' else v)} × {fmt(r.weight)} = {fair:.2f} 分，表中得 {fmt(r.score)} 分")
                elif p.check == "missing_reason" and it.col_reason is not None and len(r.reason.strip()) < 2:
                    c = it.cell(r, it.col_actual)
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}，偏差原因栏为空")
        elif p.check == "weights_sum" and totals:
            weights = [r.weight for r in rows if r.weight is not None]
            total_w = sum(weights)
            if weights and not _close(total_w, p.weights_total, 0.01 * len(weights)):
                c = it.cell(totals[0], it.col_weight)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(total_w)),
                                evidence=" + ".join(fmt(w) for w in weights) + f" = {fmt(total_w)} ≠ {fmt(p.weights_total)}")
        elif p.check == "total_sum" and totals and totals[0].score is not None:
            scores = [r.score for r in rows if r.score is not None]
            s = sum(scores)
            stated = totals[0].score
            if scores and not _close(s, stated, 0.01 * len(scores) + 0.005):
                c = it.cell(totals[0], it.col_score)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(stated), sum=fmt(s)),
                                evidence=" + ".join(fmt(x) for x in scores) + f" = {fmt(s)}（表中总分 {fmt(stated)}）")


class GradeParams(Params):
    pattern: str  # regex with a named group "grade"
    bands: dict[str, float]  # grade word -> minimum score, e.g. 优: 90


@rule_type("grade_band", GradeParams)
def check_grade_band(rule, a: Analysis) -> Iterator[Finding]:
    p: GradeParams = rule.params
    score = a.budget.first("self_score")
    if score is None:
        totals = [r.score for it in indicator_tables(a) for r in it.rows if r.is_total and r.score is not None]
        if not totals:
            return
        value = totals[0]
    else:
        value = score.value
    ordered = sorted(p.bands.items(), key=lambda kv: -kv[1])

    def band_of(v: float) -> str:
        return next((g for g, lo in ordered if v >= lo), ordered[-1][0])

    for m in re.finditer(p.pattern, a.text):
        grade = m.group("grade")
        word = next((g for g in p.bands if grade.startswith(g)), None)
        if word is None:
            continue
        expected = band_of(value)
        if word == expected:
            continue
        lo = p.bands[expected]
        yield a.finding(rule, m.start("grade"), m.end("grade"), rule.say(grade=grade, expected=expected, score=fmt(value)),
                        evidence=f"自评 {fmt(value)} 分，属“{expected}”档（≥ {fmt(lo)} 分），报告写“{grade}”")


# --- contradictions between a phrase and the figures ------------------------------------------
class ContradictionParams(Params):
    tokens: list[str]
    condition: Literal["balance_positive", "execution_below"]
    threshold: float = 0.9
    quote: Literal["clause", "sentence"] = "clause"


@rule_type("contradiction", ContradictionParams)
def check_contradiction(rule, a: Analysis) -> Iterator[Finding]:
    p: ContradictionParams = rule.params
    evidence = _condition(a, p)
    if evidence is None:
        return
    rx = _Compiled.get(p, "tokens")
    for s in a.sentences:
        for m in rx.finditer(s.text):
            start, end = s.start, s.end
            if p.quote == "clause":
                lo = max(s.text.rfind(c, 0, m.start()) for c in "，,") + 1
                hi = min([i for i in (s.text.find(c, m.end()) for c in "，,") if i >= 0] or [len(s.text)])
                start, end = s.start + lo, s.start + hi
            yield a.finding(rule, start, end, rule.say(match=m.group(0)), evidence=evidence)
            break


def _condition(a: Analysis, p: ContradictionParams) -> str | None:
    b = a.budget
    if p.condition == "balance_positive":
        budget, spent, stated = b.budget_figure, b.first("spent"), b.first("balance")
        if stated and stated.value > stated.tolerance:
            extra = f"（{fmt(budget.value)} − {fmt(spent.value)} = {fmt(budget.value - spent.value)}）" if budget and spent else ""
            return f"结余 {fmt(stated.value)} 元 > 0{extra}"
        if budget and spent and budget.value - spent.value > budget.tolerance + spent.tolerance:
            return f"{fmt(budget.value)} − {fmt(spent.value)} = {fmt(budget.value - spent.value)} 元未支出"
        return None
    rate = b.execution
    if rate is None or rate >= p.threshold:
        return None
    return f"执行率 {fmt(b.first('spent').value)} / {fmt(b.budget_figure.value)} = {rate * 100:.2f}% < {p.threshold * 100:.0f}%"


# --- section content ------------------------------------------------------------------------
class SectionParams(Params):
    sections: list[str]  # title keywords of the sections to look at
    mode: Literal["empty", "slogan"]
    empty: list[str] = []  # mode empty: a body matching one of these (whole) is empty
    slogans: list[str] = []  # mode slogan: stock verbs of intent
    vague: list[str] = []  # ... and vague objects
    concrete: list[str] = []  # anything here makes a sentence concrete
    min_slogans: int = 2


@rule_type("section_content", SectionParams)
def check_section_content(rule, a: Analysis) -> Iterator[Finding]:
    p: SectionParams = rule.params
    template = detect_template(a)
    instructions = {norm(i) for i in template.all_instructions()} if template else set()
    for sec in a.all_sections:
        if not any(k in sec.title for k in p.sections) or sec.children:
            continue
        sentences = [s for s in a.sentences_in(sec.body_start, sec.end) if norm(s.text) not in instructions]
        if p.mode == "empty":
            rx = _Compiled.get(p, "empty")
            body = "".join(s.text for s in sentences)
            if not sentences:
                yield a.finding(rule, sec.heading_start, sec.heading_end, rule.say(title=sec.title), evidence="本节没有正文")
            elif rx.fullmatch(body.strip("。；; ")):
                yield a.finding(rule, sentences[0].start, sentences[-1].end, rule.say(title=sec.title), evidence=f"本节只写了“{body}”")
        else:
            slog, vague, concrete = (_Compiled.get(p, n) for n in ("slogans", "vague", "concrete"))
            for s in sentences:
                hits = slog.findall(s.text)
                if len(hits) < p.min_slogans or not vague.search(s.text):
                    continue
                if concrete.search(s.text) or _has_figure(a, s.start, s.end):
                    continue
                yield a.finding(rule, s.start, s.end, rule.say(title=sec.title),
                                evidence=f"只有口号式表述（{'、'.join(dict.fromkeys(hits))}），没有具体措施、责任、时限或指标")


# --- structure ------------------------------------------------------------------------------
@rule_type("required_sections", EmptyParams)
def check_required_sections(rule, a: Analysis) -> Iterator[Finding]:
    template = detect_template(a)
    if template is None:
        return
    if template.form == "table":
        missing = [f for f in template.fields if f not in a.text]
        if missing:
            start, end = _first_line(a)
            yield a.finding(rule, start, end, rule.say(section="、".join(missing), template=template.name),
                            evidence=f"模板 {template.id} 要求的栏目：{'、'.join(missing)}")
        return
    yield from _missing(rule, a, template, template.sections, a.sections, None, [])


def _missing(rule, a: Analysis, template, wanted, present, parent, path) -> Iterator[Finding]:
    for ts in wanted:
        match = next((s for s in present if title_matches(s.title, ts)), None)
        if match is None:
            # a section found at another depth still counts (reports often renumber)
            match = next((s for s in a.all_sections if title_matches(s.title, ts)), None)
        if match is None:
            if ts.required:
                start, end = (parent.heading_start, parent.heading_end) if parent else _first_line(a)
                name = " / ".join([*path, ts.title])
                yield a.finding(rule, start, end, rule.say(section=name, template=template.name),
                                evidence=f"模板 {template.id} 要求：{name}")
            continue
        yield from _missing(rule, a, template, ts.children, match.children, match, [*path, ts.title])


def _first_line(a: Analysis) -> tuple[int, int]:
    line = a.lines[0] if a.lines else None
    return (line.start, line.end) if line else (0, 0)


class InstructionParams(Params):
    patterns: list[str] = []  # generic instruction shapes, matched against whole sentences


@rule_type("template_instruction", InstructionParams)
def check_template_instruction(rule, a: Analysis) -> Iterator[Finding]:
    template = detect_template(a)
    known = {norm(i) for i in template.all_instructions()} if template else set()
    generic = _Compiled.get(rule.params, "patterns")
    for s in a.sentences:
        if (known and norm(s.text) in known) or (generic and generic.fullmatch(s.text)):
            yield a.finding(rule, s.start, s.end, rule.say(), evidence="模板填写说明原样留在报告中")
