"""Rule types: the code behind the YAML rules. Each type has a ``Params`` model (the keys a
rule file may set besides the common ones) and a ``check(rule, analysis)`` generator of
findings. Types never hold phrases: the phrases are in the rule files."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from drafter.analysis.view import Analysis, Sentence
from drafter.analysis.budget import OPERATOR_AFTER, OPERATOR_BEFORE, ROLE_NAMES, RoleFigure, ends_with_cue, last_cue, role_of
from drafter.corpus.embed import sentence_form
from drafter.text.figures import Figure, fmt, parse_number
from drafter.findings import Finding, Level
from drafter.text.tables import NUMBER, compare_target, funds_execution_row, indicator_tables
from drafter.analysis.templates import detect_template, norm, title_matches


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Scope(BaseModel):
    """Where a rule looks: sections whose title (or an ancestor's) matches one of
    ``sections`` (all when empty) and none of ``exclude_sections``. Entries are regexes; a plain
    word matches titles containing it."""

    model_config = ConfigDict(extra="forbid")
    sections: list[str] = []
    exclude_sections: list[str] = []

    def admits(self, analysis: Analysis, pos: int) -> bool:
        sec = analysis.section_at(pos)
        titles = sec.titles() if sec else []
        inc, exc = _rx_cached(tuple(self.sections)), _rx_cached(tuple(self.exclude_sections))
        if inc and not any(inc.search(t) for t in titles):
            return False
        return not (exc and any(exc.search(t) for t in titles))


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
    return bool(analysis.figures_in(a, b))


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


_NEW_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|[一二三四五六七八九十]+[、．.]|[（(]?\d+[)）、．.]|此外|另外|同时)")


def _joined_end(a: Analysis, s: Sentence) -> int:
    """End of ``s`` and the clauses that continue it on the same line after a "；" (not a new
    enumerated item: "一是……；二是……" are separate statements)."""
    end = s.end
    for nxt in a.sentences:
        if nxt.start < end:
            continue
        gap = a.text[end : nxt.start]
        if gap.strip() not in ("；", ";") or "\n" in gap or _NEW_ITEM.match(nxt.text):
            break
        end = nxt.end
    return end


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
    joined_clauses: bool = False  # unless/unless_figure also look at the clauses joined by "；"
    quote: Literal["sentence", "match", "from_match"] = "sentence"
    # A sentence says something specific when, with the tokens, these generic words, numbering
    # and punctuation removed, more than max_residue characters are left (0: not checked).
    generic: list[str] = []
    max_residue: int = 0
    # a lead sentence followed, in the same item, by one carrying a figure or one of these
    # ("一是……不足。7个书屋每周开放不足20小时，主要是……") is specific
    unless_elaborated: list[str] = []


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
        # a clause joined by "；" may carry the claim's support ("满意度明显提升；调查满意率 97.5%")
        group_end = _joined_end(a, s) if p.joined_clauses else s.end
        if unless and unless.search(a.text[s.start : group_end]):
            continue
        if p.unless_figure and _has_figure(a, s.start, group_end):
            continue
        if p.unless_future_year and _mentions_future_year(s.text, a.year):
            continue
        if p.unless_enumeration and s.text.count("、") >= p.unless_enumeration:
            continue
        if p.max_residue and len(_residue(s.text, tokens, _Compiled.get(p, "generic"))) > p.max_residue:
            continue
        if p.unless_elaborated and _elaborated(a, s, _Compiled.get(p, "unless_elaborated")):
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


def _elaborated(a: Analysis, s: Sentence, cues: re.Pattern, follow: int = 2) -> bool:
    """True when one of the next ``follow`` sentences of the same item and section carries a
    figure or a cue (the lead sentence's detail)."""
    sec = a.section_at(s.start)
    end = sec.end if sec else len(a.text)
    i = bisect_right([x.start for x in a.sentences], s.start)
    for nxt in a.sentences[i : i + follow]:
        if nxt.start >= end or _NEW_ITEM.match(nxt.text):
            break
        if cues.search(nxt.text) or _has_figure(a, nxt.start, nxt.end):
            return True
    return False


_NON_CONTENT = re.compile(r"[^\w\u3400-\u9fff]|^(?:[一二三四五六七八九十]+是|\d+[、.]|[（(][一二三四五六七八九十\d]+[)）])")


def _residue(text: str, tokens: re.Pattern, generic: re.Pattern | None) -> str:
    """What a sentence says beyond stock words: tokens, generic words and punctuation removed."""
    text = _NON_CONTENT.sub("", text)
    text = tokens.sub("", text)
    return generic.sub("", text) if generic else text


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
    fits = []
    for role in ("budget", "spent", "balance"):
        for factor in (1e4, 1e-4):
            v = {k: values[k].value * (factor if k == role else 1) for k in ("budget", "spent", "balance")}
            tol = sum(values[k].tolerance * (factor if k == role else 1) for k in ("budget", "spent", "balance"))
            residual = abs(v["budget"] - v["spent"] - v["balance"])
            if residual <= tol + 1e-9 and v["balance"] >= -tol:
                fits.append((residual / max(tol, 1e-9), role, factor))
    # the best fit first: 32 万元 − 318472 万元 is "fixed" by 32 万元 × 10⁴ only within the
    # slack that scaling gives its rounding; 318472 元 makes it hold exactly
    for _, role, factor in sorted(fits, key=lambda f: f[0]):
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


def _identity_holds(a: Analysis, v: dict[str, RoleFigure]) -> bool:
    """预算 − 支出 = 结余 under some reading of the budget (with or without 上年结转)."""
    s, r = v["spent"], v["balance"]
    return any(_close(b.value - s.value, r.value, b.tolerance + s.tolerance + r.tolerance)
               for b in a.budget.budget_alternatives() or [v["budget"]])


@rule_type("budget_identity", EmptyParams)
def check_budget_identity(rule, a: Analysis) -> Iterator[Finding]:
    v = _identity_figures(a)
    if len(v) < 3 or _identity_holds(a, v) or any(True for _ in slip_candidates(v)):
        return
    b, s, r = v["budget"], v["spent"], v["balance"]
    expected = b.value - s.value
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
        budgets = [budget] if stated.source == "table" else [budget, *a.budget.budget_alternatives()[1:]]
        if any(_rate_matches(stated, spent, b) for b in budgets if b.value > 0):
            continue
        computed = spent.value / budget.value * 100
        yield a.finding(
            rule,
            stated.start,
            stated.end,
            rule.say(computed=f"{computed:.2f}%", stated=f"{fmt(stated.value)}%"),
            evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {computed:.2f}%（报告写 {fmt(stated.value)}%）",
        )


def _rate_matches(stated: RoleFigure, spent: RoleFigure, budget: RoleFigure) -> bool:
    computed = spent.value / budget.value * 100
    step = 10 ** (-stated.decimals)
    # Rounded or truncated to the stated digits both pass; so does the imprecision of the inputs.
    input_slack = computed * (spent.tolerance / max(spent.value, 1e-9) + budget.tolerance / budget.value)
    return abs(computed - stated.value) < step + input_slack + 1e-9


class PartsParams(Params):
    max_gap: int = 20  # characters between the total and the opening bracket
    exclude: list[str] = []  # patterns: a bracket matching one of these is not a list of parts
    kinds: list[str] = ["amount", "count"]  # figure kinds that add up (rates do not)
    # the other shape: a list of parts, then the word that sums them and the total
    # ("设备购置 3.2 万元、培训 1.5 万元，合计 4.7 万元")
    sum_words: list[str] = []
    max_spread: float = 0.5  # a sum this far (as a fraction) from the total is not its breakdown


_PARENS = re.compile(r"[（(]([^（）()]{2,120})[)）]")


@rule_type("parts_sum", PartsParams)
def check_parts_sum(rule, a: Analysis) -> Iterator[Finding]:
    p: PartsParams = rule.params
    exclude = _Compiled.get(p, "exclude")
    for m in _PARENS.finditer(a.text):
        inner = m.group(1)
        if exclude and exclude.search(inner):
            continue
        parts = a.figures_in(m.start(1), m.end(1))
        if len(parts) < 2:
            continue
        before = a.figures_before(m.start(), p.max_gap)
        if not before:
            continue
        total = before[-1]
        if total.kind not in p.kinds:
            continue
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
    if p.sum_words:
        yield from _listed_parts(rule, a, p)


_PER = re.compile(r"每[\u4e00-\u9fff]{0,2}\s*$")
_LIST_SEPARATOR = re.compile(r"[、，,；;]|和|及")


def _listed_parts(rule, a: Analysis, p: PartsParams) -> Iterator[Finding]:
    """"A 元、B 元、C 元，合计 D 元": parts listed in one sentence before the word that sums them.
    Factors of a working (300 人 × 1200 元) and per-unit prices (每人 500 元) are not parts;
    a product after "=" is."""
    words = _Compiled.get(p, "sum_words")
    exclude = _Compiled.get(p, "exclude")
    for sent in a.sentences:
        for m in words.finditer(sent.text):
            after = a.figures_in(sent.start + m.end(), sent.end)
            if not after or after[0].start - (sent.start + m.end()) > 3:
                continue
            total = after[0]
            if total.kind not in p.kinds or total.approx:
                continue
            # the list starts after the sentence's last colon or 其中 (or its start)
            head = sent.text[: m.start()]
            lead = max(head.rfind("："), head.rfind(":"), head.rfind("其中") + 1)
            if exclude and exclude.search(head[lead + 1 :]):
                continue
            listed = [f for f in a.figures_in(sent.start + lead + 1, sent.start + m.start()) if f.kind == total.kind]
            if any(not _same_unit(total, f) for f in listed):
                continue  # "120台、对讲机100部、无人机8架，共268台": mixed measure words, not one sum
            parts = [f for f in listed
                     if not f.approx
                     and not OPERATOR_BEFORE.search(a.text[max(0, f.start - 3) : f.start])
                     and not OPERATOR_AFTER.match(a.text, f.end)
                     and not _PER.search(a.text[max(0, f.start - 4) : f.start])]
            if len(parts) < 2 or any(not _LIST_SEPARATOR.search(a.text[x.end : y.start]) for x, y in zip(parts, parts[1:])):
                continue
            s = sum(f.base for f in parts)
            if total.base <= 0 or any(f.base > total.base for f in parts) or abs(s - total.base) > p.max_spread * total.base:
                continue
            if _close(s, total.base, total.tolerance + sum(f.tolerance for f in parts)):
                continue
            terms = " + ".join(fmt(f.value) for f in parts)
            yield a.finding(rule, parts[0].start, total.end, rule.say(total=total.text, sum=fmt(s)),
                            evidence=f"{terms} = {fmt(sum(f.value for f in parts))}，与总数 {total.text} 不符")
            break


def _same_unit(total: Figure, part: Figure) -> bool:
    if total.kind != part.kind:
        return False
    return total.kind == "amount" or total.unit == part.unit


class ConsistencyParams(Params):
    roles: list[str] = ["initial", "adjusted", "spent", "balance", "rate", "self_score"]
    # a clause naming a purpose is about a part of the spending, not the total
    not_a_total: list[str] = ["用于", "费", "购", "采购", "维护", "宣传", "培训", "印制", "租赁", "工资", "补助", "包括", "主要", "建设"]
    # words that may stand right before the cue word of a total (全年支出, 本项目支出); any other
    # noun there names a part (日常养护支出, 水毁修复支出)
    total_words: list[str] = [
        "全年", "本年", "年度", "当年", "年内", "年底", "年末", "月底", "项目", "实际", "共", "合计", "累计", "总",
        "已", "资金", "全部", "财政", "本级", "县级", "市级", "省级", "中央", "拨款", "指标", "经费", "均", "为", "的",
    ]


@rule_type("role_consistency", ConsistencyParams)
def check_role_consistency(rule, a: Analysis) -> Iterator[Finding]:
    p: ConsistencyParams = rule.params
    rx = _rx(p.not_a_total)
    totals = re.compile("(?:" + "|".join(p.total_words) + ")$")
    for role in p.roles:
        items = [f for f in a.budget.found.get(role, [])
                 if f.source == "table" or not (f.weak or _qualified(a.text, f, rx, totals))]
        if len(items) < 2:
            continue
        # a table 总分 that equals the sum of its rows is the right one: the other is flagged
        checked = next((f for f in items if f.checked), None)
        first = checked or items[0]
        differing = [o for o in items if o is not first and not _close(first.value, o.value, first.tolerance + o.tolerance)]
        for other in differing:
            if _sums_to(a, first, other, differing):
                continue
            unit = "%" if role == "rate" else ("分" if role == "self_score" else " 元")
            where = "表格" if other.source == "table" else "正文"
            yield a.finding(
                rule,
                other.start,
                other.end,
                rule.say(name=ROLE_NAMES[role], first=fmt(first.value) + unit, other=fmt(other.value) + unit),
                evidence=f"{ROLE_NAMES[role]}：第 {a.line_col(a.to_orig(first.start))[0]} 行写 {fmt(first.value)}{unit}"
                + ("（表格总分，等于各项得分之和）" if first.checked else "") + f"，此处（{where}）写 {fmt(other.value)}{unit}",
            )


def _sums_to(a: Analysis, total: RoleFigure, part: RoleFigure, others: list[RoleFigure]) -> bool:
    """True when ``part`` and the other differing figures of its paragraph add up to ``total``
    (per-source or per-use figures written without a qualifying word)."""
    start = a.text.rfind("\n", 0, part.start) + 1
    end = a.text.find("\n", part.start)
    end = len(a.text) if end < 0 else end
    group = [o for o in others if start <= o.start < end and o.source == part.source]
    return len(group) >= 2 and _close(sum(o.value for o in group), total.value,
                                      total.tolerance + sum(o.tolerance for o in group))


_CJK_END = re.compile(r"[\u4e00-\u9fff]$")


def _qualified(text: str, f: RoleFigure, rx: re.Pattern, totals: re.Pattern) -> bool:
    """True when the figure's clause names a purpose (a part of the spending, not the total):
    a purpose word in the clause, or a noun right before the cue word (日常养护支出 12 万元)."""
    prefix = text[max(0, f.start - 30) : f.start]
    cut = max(prefix.rfind(c) for c in "，,。；;\n")
    clause = prefix[cut + 1 :]
    if rx.search(clause):
        return True
    cue = last_cue(clause)
    if cue is None or f.figure is None:
        return False
    before = clause[: cue[1]].rstrip()
    return bool(_CJK_END.search(before)) and not totals.search(before) and not ends_with_cue(before)


class SlipParams(Params):
    pass


@rule_type("unit_slip", SlipParams)
def check_unit_slip(rule, a: Analysis) -> Iterator[Finding]:
    v = _identity_figures(a)
    if len(v) == 3 and _identity_holds(a, v):
        return
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


class TableTotalParams(Params):
    total_rows: str = r"^\s*(?:合\s*计|总\s*计|年度资金总额)\s*$"  # the totals row's label
    sub_rows: str = r"^\s*(?:其中|小\s*计|含)"  # rows that are parts of a part, or subtotals
    # columns that do not add up: rates, prices, standards, scores, numbering, dates, averages
    not_summed: str = r"率|比例|比重|占比|单价|标准|分值|得分|权重|序号|编号|年份|日期|时间|人均|户均|平均|均价|%|％"
    min_parts: int = 2


_CELL_NUMBER = re.compile(r"^\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?:万元|元|人次|人|户|个|所|台|套|件|次)?\s*$")
_CELL_ZERO = re.compile(r"^\s*[-—–/／]\s*$")


def _cell_number(text: str) -> tuple[float, int] | None:
    """A cell that is one number (a dash counts as 0): (value, decimals)."""
    if _CELL_ZERO.match(text):
        return 0.0, 0
    m = _CELL_NUMBER.match(text)
    if not m:
        return None
    value, decimals = parse_number(m.group(1))
    return value, decimals


@rule_type("table_total", TableTotalParams)
def check_table_total(rule, a: Analysis) -> Iterator[Finding]:
    """A table's 合计 (or 年度资金总额) row against the sum of the rows it totals, column by
    column: the rows above a 合计 at the bottom, or the rows below a total at the top (the
    自评表's 其中 rows). Sub-rows (其中…, 小计) and columns of rates, prices or scores are not
    added."""
    p: TableTotalParams = rule.params
    total_rx, sub_rx, skip_rx = (_rx_cached((x,)) for x in (p.total_rows, p.sub_rows, p.not_summed))
    for table in a.tables:
        labels = [next((c.text for c in row[:2] if c.text.strip() and not _cell_number(c.text)), "") for row in table.rows]
        totals = [i for i, label in enumerate(labels) if total_rx.search(label)]
        if len(totals) != 1:
            continue
        t = totals[0]
        if t == len(table.rows) - 1:  # at the bottom: the rows above, less sub-rows
            parts = [i for i in range(t) if not sub_rx.search(labels[i])]
        elif t == 0:  # at the top: the rows below are its parts (其中：当年拨款, 上年结转…)
            parts = list(range(1, len(table.rows)))
            labels = [re.sub(r"^\s*其中[：:]?", "", x) for x in labels]
            if any(re.match(r"^\s*小\s*计", x) for x in labels):
                continue
        else:
            continue
        if len(parts) < p.min_parts:
            continue
        for col, head in enumerate(table.header):
            if skip_rx.search(head.text) or col >= len(table.rows[t]):
                continue
            total = _cell_number(table.rows[t][col].text)
            values = [_cell_number(table.rows[i][col].text) if col < len(table.rows[i]) else None for i in parts]
            if total is None or any(v is None for v in values) or not any(v[0] for v in values):
                continue
            got = sum(v[0] for v in values)
            tol = 0.5 * 10 ** -total[1] + sum(0.5 * 10 ** -v[1] for v in values)
            if _close(got, total[0], tol):
                continue
            cell = table.rows[t][col]
            m = NUMBER.search(cell.text)
            start = cell.start + (m.start() if m else 0)
            end = cell.start + (m.end() if m else len(cell.text))
            terms = " + ".join(fmt(v[0]) for v in values)
            yield a.finding(rule, start, end, rule.say(column=head.text.strip(), total=fmt(total[0]), sum=fmt(got)),
                            evidence=f"“{head.text.strip()}”列：{terms} = {fmt(got)}，{labels[t].strip() or '合计'}行写 {fmt(total[0])}")


class SurveyParams(Params):
    # the cue right before a count (within a few characters, no punctuation between)
    issued: str = r"发放(?:调查)?(?:问卷|调查表)?|发出(?:问卷)?|调查(?:了)?"
    returned: str = r"回收(?:有效)?(?:问卷)?|收回(?:问卷)?|有效问卷"
    satisfied: str = r"满意(?![度率])(?:的)?(?:问卷|票)?"
    # the cue right before a stated percentage
    return_rate: str = r"回收率"
    satisfaction: str = r"满意度|满意率"
    measure: str = r"份|人|户|人次|张|名|家"


_SURVEY_BOUND = re.compile(r"[≥≤>＞<＜]|不低于|不少于|达到?目标|以上|以下")


@rule_type("survey_ratio", SurveyParams)
def check_survey_ratio(rule, a: Analysis) -> Iterator[Finding]:
    """A survey's 回收率 (returned ÷ issued) and 满意度 (satisfied ÷ returned, or ÷ issued)
    recomputed from the counts the same paragraph gives. A 满意度 is wrong only when it fits
    none of its readings (one satisfied count or their sum, over returned or issued)."""
    p: SurveyParams = rule.params
    cue = {role: re.compile(f"(?:{rx})\\s*$") for role, rx in
           (("issued", p.issued), ("returned", p.returned), ("satisfied", p.satisfied))}
    rate_cue = {"return": re.compile(f"(?:{p.return_rate})[为是达到了：:\\s]{{0,4}}$"),
                "satisfaction": re.compile(f"(?:{p.satisfaction})[为是达到了：:\\s]{{0,4}}$")}
    measure = re.compile(f"^(?:{p.measure})$")
    any_rate = re.compile(f"{p.return_rate}|{p.satisfaction}")
    for line in a.lines:
        if line.is_table or not any_rate.search(a.text, line.start, line.end):
            continue
        # a paragraph may report two surveys ("学员……；用人单位……"): counts are read per
        # sentence, and from the whole paragraph when the sentence lacks one
        cuts = [line.start] + [line.start + m.end() for m in re.finditer(r"[。；;！？!?]", a.text[line.start : line.end])] + [line.end]
        whole = _survey_counts(a, line.start, line.end, cue, measure)
        for lo, hi in zip(cuts, cuts[1:]):
            yield from _survey_findings(rule, a, lo, hi, whole, cue, rate_cue, measure)


def _survey_counts(a: Analysis, lo: int, hi: int, cue: dict, measure: re.Pattern) -> dict[str, list]:
    counts: dict[str, list] = {"issued": [], "returned": [], "satisfied": []}
    for f in a.figures_in(lo, hi):
        if f.kind != "count" or not measure.match(f.unit or "") or f.approx:
            continue
        before = re.split(r"[，,。；;：:、（(]", a.text[max(lo, f.start - 8) : f.start])[-1]
        for role, rx in cue.items():
            if rx.search(before):
                counts[role].append(f)
                break
    return counts


def _survey_findings(rule, a: Analysis, lo: int, hi: int, whole: dict, cue: dict, rate_cue: dict, measure: re.Pattern):
    own = _survey_counts(a, lo, hi, cue, measure)
    counts = {role: own[role] or (whole[role] if len(whole[role]) == 1 else []) for role in own}
    rates = []
    for f in a.figures_in(lo, hi):
        if f.kind == "percent" and not _SURVEY_BOUND.search(a.text[max(lo, f.start - 6) : f.end + 3]):
            for kind, rx in rate_cue.items():
                if rx.search(a.text[max(lo, f.start - 10) : f.start]):
                    rates.append((kind, f))
    for kind, f in rates:
        if kind == "return":
            if len(counts["issued"]) != 1 or len(counts["returned"]) != 1:
                continue
            readings = [(counts["returned"][0].value, counts["issued"][0].value, "回收", "发放")]
            name = "回收率"
        else:
            sat = counts["satisfied"]
            if not sat:
                continue
            numerators = [(x.value, "满意") for x in sat] + ([(sum(x.value for x in sat), "满意合计")] if len(sat) > 1 else [])
            bases = [(b[0].value, label) for b, label in ((counts["returned"], "回收"), (counts["issued"], "发放")) if len(b) == 1]
            readings = [(n, d, nl, dl) for n, nl in numerators for d, dl in bases]
            name = "满意度"
        readings = [r for r in readings if r[1] > 0 and r[0] <= r[1]]
        if not readings:
            continue
        tol = 0.5 * 10 ** -f.decimals + 1e-9
        if any(abs(n / d * 100 - f.value) <= tol for n, d, _, _ in readings):
            continue
        n, d, _, _ = readings[0]
        expected = n / d * 100
        yield a.finding(rule, f.start, f.end,
                        rule.say(name=name, stated=f.text, expected=f"{expected:.{max(f.decimals, 1)}f}%"),
                        evidence="；".join(f"{rl} {fmt(rn)} ÷ {rd_l} {fmt(rd)} = {rn / rd * 100:.{max(f.decimals, 1)}f}%"
                                         for rn, rd, rl, rd_l in readings) + f"，报告写 {f.text}")


class LocalIdentityParams(Params):
    pass


@rule_type("local_identity", LocalIdentityParams)
def check_local_identity(rule, a: Analysis) -> Iterator[Finding]:
    """A sentence that gives a part's own 预算, 支出 and 结余 (a sub-project, a lot, one
    source): 预算 − 支出 = 结余 within it. The project's own figures are budget-identity's."""
    project = {id(f.figure) for items in a.budget.found.values() for f in items if f.figure is not None}
    for s in a.sentences:
        figs = [f for f in a.figures_in(s.start, s.end) if f.kind == "amount" and not f.approx]
        if len(figs) < 3 or any(id(f) in project for f in figs):
            continue
        roles: dict[str, list] = {}
        for f in figs:
            role = role_of(a.text, f.start)
            if role in ("initial", "adjusted", "spent", "balance"):
                roles.setdefault("budget" if role in ("initial", "adjusted") else role, []).append(f)
        if any(len(roles.get(r, [])) != 1 for r in ("budget", "spent", "balance")):
            continue
        b, sp, bal = roles["budget"][0], roles["spent"][0], roles["balance"][0]
        if not (b.start < sp.start < bal.start):
            continue  # the usual order: 预算…，支出…，结余…
        expected = b.yuan - sp.yuan
        if _close(expected, bal.yuan, b.tolerance + sp.tolerance + bal.tolerance):
            continue
        yield a.finding(rule, bal.start, bal.end, rule.say(expected=fmt(expected) + " 元", stated=bal.text),
                        evidence=f"{b.text} − {sp.text} = {fmt(expected)} 元，本句写结余 {bal.text}")


class ProductParams(Params):
    # regexes with named groups n (a count), price (per-unit amount) and total
    pattern: str = ""
    patterns: list[str] = []


_PRODUCT_TRIGGER = re.compile(r"[×xX*＊]|乘以|每")


@rule_type("product_total", ProductParams)
def check_product_total(rule, a: Analysis) -> Iterator[Finding]:
    p: ProductParams = rule.params
    from drafter.text.figures import extract

    patterns = [_rx_cached((x,)) for x in ([p.pattern] if p.pattern else []) + p.patterns]
    # every shape has a multiplication or a 每: only such lines are searched
    lines = [ln for ln in a.lines if _PRODUCT_TRIGGER.search(a.text, ln.start, ln.end)]
    matches = [m for rx in patterns for ln in lines for m in rx.finditer(a.text, ln.start, ln.end)]
    for m in sorted(matches, key=lambda m: m.start()):
        figs = {k: extract(m.group(k)) for k in ("n", "price", "total")}
        if not all(figs.values()):
            continue
        n, price, total = figs["n"][0], figs["price"][0], figs["total"][0]
        if price.kind != "amount" or total.kind != "amount":
            continue
        factor = m.groupdict().get("m")  # a third factor: months, days, times
        times = float(factor) if factor else 1.0
        expected = n.value * price.yuan * times
        # a whole-元 price in a working is exact; a price with decimals or in 万元 may be rounded
        price_tol = 0.0 if price.unit == "元" and price.decimals == 0 else price.tolerance
        if _close(expected, total.yuan, total.tolerance + price_tol * n.value * times):
            continue
        slip = _close(expected, total.yuan * 1e4, total.tolerance * 1e4)
        start = m.start("total")
        yield a.finding(
            rule,
            start,
            m.end("total"),
            rule.say(total=total.text, expected=fmt(expected) + " 元"),
            evidence=f"{n.text} × {price.text}{f' × {factor}' if factor else ''} = {fmt(expected)} 元（报告写 {total.text}）"
            + ("，疑为 元/万元 写错" if slip else ""),
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
    if score is None or rate is None or rate >= 1.0:
        return  # at full execution a score above 100 is another rule's (total, over-weight)
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
    # a 自评表 gives its reasons in the 偏差原因 column
    for t in a.tables:
        if any(topic.search(c.text) and reasons.search(c.text) for row in t.rows for c in row):
            return True
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
    check: Literal["over_weight", "missed_full", "missing_reason", "weights_sum", "total_sum", "execution_score"]
    weights_total: float = 100.0
    # missing_reason: rows named like this (预算执行率) need a reason only below this share of
    # their target (execution below 90% must be explained, 97% need not)
    lenient_rows: list[str] = []
    lenient_ratio: float = 1.0


def _lenient(p: TableParams, name: str) -> bool:
    return any(k in name for k in p.lenient_rows)


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
                    if _lenient(p, r.name) and (v / t if direction == "≥" else t / v) >= p.lenient_ratio - 1e-9:
                        continue
                    c = it.cell(r, it.col_actual)
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}，偏差原因栏为空")
        elif p.check == "weights_sum" and (totals or execution_row(a, rows)):
            weights = [r.weight for r in rows if r.weight is not None]
            terms = [fmt(w) for w in weights]
            execution = execution_row(a, rows)
            if execution is not None:
                weights.append(execution.weight)
                terms.append(f"{fmt(execution.weight)}（预算执行率）")
            total_w = sum(weights)
            if weights and not _close(total_w, p.weights_total, 0.01 * len(weights)):
                c = it.cell(totals[0], it.col_weight) if totals else it.cell(rows[0], it.col_weight)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(total_w)),
                                evidence=" + ".join(terms) + f" = {fmt(total_w)} ≠ {fmt(p.weights_total)}")
        elif p.check == "total_sum" and totals and totals[0].score is not None:
            scores = [r.score for r in rows if r.score is not None]
            terms = [fmt(x) for x in scores]
            execution = execution_row(a, rows)
            indicator_weights = sum(r.weight for r in rows if r.weight is not None)
            # the 总分 row covers the funds block's execution score unless its 分值 shows it does not
            covers_execution = execution is not None and not (
                totals[0].weight is not None and _close(totals[0].weight, indicator_weights, 0.01 * len(rows))
            )
            if covers_execution and execution.score is not None:
                scores.append(execution.score)
                terms.append(f"{fmt(execution.score)}（预算执行率）")
            s = sum(scores)
            stated = totals[0].score
            if scores and not _close(s, stated, 0.01 * len(scores) + 0.005):
                c = it.cell(totals[0], it.col_score)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(stated), sum=fmt(s)),
                                evidence=" + ".join(terms) + f" = {fmt(s)}（表中总分 {fmt(stated)}）")
    if p.check == "execution_score":
        yield from _check_execution_score(rule, a)


def execution_row(a: Analysis, rows) -> object | None:
    """The funds block's 预算执行率 row, when the indicator table has no row of its own for it:
    its 分值 and 得分 belong to the total (产出 50 + 效益 30 + 满意度 10 + 执行率 10 = 100)."""
    if any("执行率" in " ".join(c.text for c in r.cells[:3]) for r in rows):
        return None
    found = funds_execution_row(a)
    return found[1] if found else None


def _check_execution_score(rule, a: Analysis) -> Iterator[Finding]:
    """得分 of the funds block = min(执行率, 100%) × 分值."""
    found = funds_execution_row(a)
    if found is None:
        return
    it, row = found
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    if row.score is None or spent is None or budget is None or budget.value <= 0:
        return
    rate = spent.value / budget.value
    expected = min(rate, 1.0) * row.weight
    if abs(expected - row.score) <= 0.01 + 1e-9 or (row.score < expected and abs(expected - row.score) < 0.01):
        return
    c = it.cell(row, it.col_score)
    yield a.finding(rule, c.start, c.end, rule.say(score=fmt(row.score), expected=f"{expected:.2f}"),
                    evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}%；{rate * 100:.2f}% × {fmt(row.weight)} = "
                    f"{expected:.2f} 分（表中 {fmt(row.score)} 分）")


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
    # balance_positive: a clause naming an amount no larger than the spending speaks of that
    # amount ("本年支出 43.6 万元全部用于…", "合同款 46.2 万元已全部支付"), not of the whole budget
    unless_part_amount: bool = False
    # the sentence must speak of money ("新购设备全部投入使用" is about equipment)
    topic: list[str] = []


@rule_type("contradiction", ContradictionParams)
def check_contradiction(rule, a: Analysis) -> Iterator[Finding]:
    p: ContradictionParams = rule.params
    evidence = _condition(a, p)
    if evidence is None:
        return
    rx = _Compiled.get(p, "tokens")
    topic = _Compiled.get(p, "topic")
    spent = a.budget.first("spent")
    for s in a.sentences:
        if topic and not topic.search(s.text):
            continue
        for m in rx.finditer(s.text):
            lo = max(s.text.rfind(c, 0, m.start()) for c in "，,") + 1
            hi = min([i for i in (s.text.find(c, m.end()) for c in "，,") if i >= 0] or [len(s.text)])
            if p.unless_part_amount and spent is not None and any(
                f.kind == "amount" and f.yuan <= spent.value + spent.tolerance + f.tolerance
                for f in a.figures_in(s.start + lo, s.start + m.start())
            ):
                continue
            start, end = (s.start + lo, s.start + hi) if p.quote == "clause" else (s.start, s.end)
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
    exclude_sections: list[str] = []  # ... unless the title matches one of these (regexes)
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
    exclude = _Compiled.get(p, "exclude_sections")
    for sec in a.all_sections:
        if not any(k in sec.title for k in p.sections) or sec.children:
            continue
        if exclude and exclude.search(sec.title):
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
            # judged per section: one concrete measure (a date, a figure, a named document, a
            # responsible unit) anywhere makes the section actionable
            slog, vague, concrete = (_Compiled.get(p, n) for n in ("slogans", "vague", "concrete"))
            if any(concrete.search(s.text) or _has_figure(a, s.start, s.end) for s in sentences):
                continue
            flagged = []
            for s in sentences:
                hits = slog.findall(s.text)
                if len(hits) >= p.min_slogans and vague.search(s.text):
                    flagged.append((s, hits))
            if not flagged or len(flagged) * 2 < len(sentences):
                continue
            words = "、".join(dict.fromkeys(h for _, hits in flagged for h in hits))
            yield a.finding(rule, flagged[0][0].start, flagged[-1][0].end, rule.say(title=sec.title),
                            evidence=f"{len(flagged)}/{len(sentences)} 句只有口号式表述（{words}），全节没有具体措施、责任、时限或指标")


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
    # one finding per place: the missing sections under one heading are listed together
    by_anchor: dict[tuple[int, int], list[str]] = {}
    for anchor, name in _missing(a, template.sections, a.sections, None, [], set()):
        by_anchor.setdefault(anchor, []).append(name)
    for (start, end), names in sorted(by_anchor.items()):
        yield a.finding(rule, start, end, rule.say(section="、".join(names), template=template.name),
                        evidence=f"模板 {template.id} 要求：{'；'.join(names)}")


def _missing(a: Analysis, wanted, present, parent, path, used: set) -> Iterator[tuple[tuple[int, int], str]]:
    """((anchor start, end), "一级 / 二级" name) of each required template section the report lacks;
    the anchor is the heading it belongs under (the first line for a top-level section)."""
    matched = _assign(a, wanted, present, used)
    for i, ts in enumerate(wanted):
        match = matched.get(i)
        if match is None:
            if ts.required:
                anchor = (parent.heading_start, parent.heading_end) if parent else _first_line(a)
                yield anchor, " / ".join([*path, ts.title])
            continue
        yield from _missing(a, ts.children, match.children, match, [*path, ts.title], used)


def _match_strength(heading: str, ts) -> int:
    """3: the heading is the section's name; 2: it contains it; 1: it is contained in it."""
    if not title_matches(heading, ts):
        return 0
    h = norm(heading)
    names = ts.names()
    if h in names:
        return 3
    return 2 if any(len(n) >= 4 and n in h for n in names) else 1


def _assign(a: Analysis, wanted, present, used: set) -> dict:
    """Template sections (by index) to report sections, one report section each, strongest
    matches first; a section found at another depth still counts (reports often renumber).
    Without this, "（二）资金使用绩效" would also pass for a missing "资金使用绩效存在的问题"."""
    pairs = []
    for i, ts in enumerate(wanted):
        for rank, pool in enumerate((present, a.all_sections)):
            for order, sec in enumerate(pool):
                strength = _match_strength(sec.title, ts)
                if strength:
                    pairs.append((-strength, rank, i, order, sec))
    out: dict = {}
    for _, _, i, _, sec in sorted(pairs, key=lambda x: x[:4]):
        # a heading that joins two parts ("绩效指标完成情况及自评得分", "存在的问题和改进措施")
        # stands for both
        if i in out or (id(sec) in used and not _JOINED.search(sec.title)):
            continue
        out[i] = sec
        used.add(id(sec))
    return out


_JOINED = re.compile(r"[\u4e00-\u9fff](?:及|和|与|暨|、)[\u4e00-\u9fff]")


def _first_line(a: Analysis) -> tuple[int, int]:
    line = a.lines[0] if a.lines else None
    return (line.start, line.end) if line else (0, 0)


class InstructionParams(Params):
    patterns: list[str] = []  # generic instruction shapes, matched against whole sentences
    unless_figure: bool = False  # a sentence with a figure is content, not a generic instruction
    placeholders: list[str] = []  # unfilled blanks (XX 户), searched for anywhere in a sentence


@rule_type("template_instruction", InstructionParams)
def check_template_instruction(rule, a: Analysis) -> Iterator[Finding]:
    p: InstructionParams = rule.params
    template = detect_template(a)
    known = {norm(i) for i in template.all_instructions()} if template else set()
    generic, blanks = _Compiled.get(p, "patterns"), _Compiled.get(p, "placeholders")
    for s in a.sentences:
        is_generic = bool(generic and generic.fullmatch(s.text)) and not (p.unless_figure and _has_figure(a, s.start, s.end))
        if (known and norm(s.text) in known) or is_generic or (blanks and blanks.search(s.text)):
            yield a.finding(rule, s.start, s.end, rule.say(), evidence="模板填写说明原样留在报告中")


# --- the corpus: what other reports already say --------------------------------------------------
MIN_SENTENCE = 12  # as drafter.corpus.index.MIN_SENTENCE (not imported: the index pulls in chromadb)


class CorpusParams(Params):
    kinds: list[str] = []  # section kinds this rule covers (empty: all but exclude_kinds)
    exclude_kinds: list[str] = []
    min_reports: int = 1
    listed: int = 3  # reports named in the evidence


def _describe(m) -> str:
    r = m.meta
    name = r.get("project") or Path(r.get("source", "")).name
    who = "，".join(x for x in (r.get("unit", ""), f"{r['year']} 年" if r.get("year") else "") if x)
    return f"《{name}》（{who}）" if who else f"《{name}》"


def _corpus_kind_ok(p: CorpusParams, kind: str) -> bool:
    if p.kinds and kind not in p.kinds:
        return False
    return kind not in p.exclude_kinds


@rule_type("corpus_copy", CorpusParams)
def check_corpus_copy(rule, a: Analysis) -> Iterator[Finding]:
    """A sentence that stands near-verbatim in other reports of the index."""
    p: CorpusParams = rule.params
    if a.corpus is None:
        return
    yoy = {id(sm) for sm in a.corpus.sentences if a.corpus.earlier_same_unit(sm)}
    for sm in a.corpus.sentences:
        if not _corpus_kind_ok(p, sm.kind) or id(sm) in yoy:
            continue
        copies = sm.copies()
        if len(copies) < p.min_reports:
            continue
        start, end = sm.passage()
        # the index returns a fixed number of matches: past that the count is a floor
        saturated = "至少 " if len(copies) >= a.corpus.cap else ""
        more = f"等 {len(copies)} 份" if len(copies) > p.listed else ""
        yield a.finding(rule, start, end, rule.say(count=f"{saturated}{len(copies)}"),
                        evidence="、".join(_describe(m) for m in copies[: p.listed]) + more
                        + f"有相同的文字（占本句 {copies[0].share:.0%}）")


@rule_type("corpus_profile", CorpusParams)
def check_corpus_profile(rule, a: Analysis) -> Iterator[Finding]:
    """The unit's profile and duties shared with other reports: normal, reported once."""
    p: CorpusParams = rule.params
    if a.corpus is None:
        return
    shared = [sm for sm in a.corpus.sentences if _corpus_kind_ok(p, sm.kind) and sm.copies()]
    if not shared:
        return
    sources = {m.meta.get("source") for sm in shared for m in sm.copies()}
    yield a.finding(rule, shared[0].sentence.start, shared[-1].sentence.end,
                    rule.say(sentences=len(shared), count=len(sources)),
                    evidence=f"{len(shared)} 句与 {len(sources)} 份其他报告相同")


class YoyParams(Params):
    min_share: float = 0.6  # of a paragraph's sentences that repeat the earlier report
    # the cover, the unit's profile and the project's standing description repeat every year
    exclude_kinds: list[str] = ["front", "unit", "project"]


@rule_type("corpus_yoy", YoyParams)
def check_corpus_yoy(rule, a: Analysis) -> Iterator[Finding]:
    """A paragraph nearly identical to the same unit's report of an earlier year."""
    if a.corpus is None:
        return
    p: YoyParams = rule.params
    by_line: dict[int, list] = {}
    for sm in a.corpus.sentences:
        old = a.corpus.earlier_same_unit(sm)
        if old and sm.kind not in p.exclude_kinds:
            by_line.setdefault(_line_index(a, sm.sentence.start), []).append((sm, max(old, key=lambda m: m.shape)))
    copied = []  # (line index, items) of paragraphs that repeat the earlier report
    for li, items in sorted(by_line.items()):
        line = a.lines[li]
        eligible = [s for s in a.sentences_in(line.start, line.end) if len(sentence_form(s.text)) >= MIN_SENTENCE]
        if eligible and len(items) >= p.min_share * len(eligible):
            copied.append((li, items, len(eligible)))
    # consecutive copied paragraphs of one section make one finding
    groups: list[list] = []
    for entry in copied:
        li = entry[0]
        if groups and li == groups[-1][-1][0] + 1 and a.section_at(a.lines[li].start) is a.section_at(a.lines[groups[-1][-1][0]].start):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    for group in groups:
        items = [it for _, its, _ in group for it in its]
        eligible = sum(n for _, _, n in group)
        years = sorted({int(m.meta["year"]) for _, m in items})
        sim = min(m.shape for _, m in items)
        where = f"{len(group)} 段、" if len(group) > 1 else ""
        yield a.finding(rule, items[0][0].sentence.start, items[-1][0].sentence.end,
                        rule.say(year="、".join(map(str, years))),
                        evidence=f"{where}{len(items)}/{eligible} 句与本单位 {'、'.join(map(str, years))} 年报告相同（相似度 ≥ {sim:.2f}）：“{items[0][1].text[:40]}”")


def _line_index(a: Analysis, pos: int) -> int:
    starts = [line.start for line in a.lines]
    return max(0, bisect_right(starts, pos) - 1)


_STALE_YEAR = re.compile(r"(20\d\d)\s*年")


@rule_type("corpus_stale", YoyParams)
def check_corpus_stale(rule, a: Analysis) -> Iterator[Finding]:
    """Figures or dates carried over unchanged from the same unit's earlier-year report."""
    if a.corpus is None:
        return
    from drafter.text.figures import extract

    p: YoyParams = rule.params
    for sm in a.corpus.sentences:
        old = a.corpus.earlier_same_unit(sm)
        if not old or sm.kind in p.exclude_kinds:
            continue
        best = max(old, key=lambda m: m.shape)
        old_year = int(best.meta["year"])
        old_figs = {(f.kind, f.base) for f in extract(best.text) if f.kind in ("amount", "percent", "count")}
        same = [f for f in a.figures_in(sm.sentence.start, sm.sentence.end) if (f.kind, f.base) in old_figs]
        years = [int(y) for y in _STALE_YEAR.findall(sm.sentence.text) if int(y) <= old_year]
        if not same and not years:
            continue
        stale = [f.text for f in same] + [f"{y} 年" for y in sorted(set(years))]
        yield a.finding(rule, sm.sentence.start, sm.sentence.end, rule.say(year=old_year, figures="、".join(stale)),
                        evidence=f"与本单位 {old_year} 年报告原句相同（相似度 {best.shape:.2f}）：“{best.text[:60]}”")


# --- the model's claim check (review --llm) ----------------------------------------------------
@rule_type("llm_claim", EmptyParams)
def check_llm_claim(rule, a: Analysis) -> Iterator[Finding]:
    if a.claims is None:
        return
    results, _ = a.claim_results
    for r in results:
        if r.verdict.is_claim and not r.verdict.supported:
            yield a.finding(rule, r.sentence.start, r.sentence.end, rule.say(reason=r.verdict.reason or "未说明"),
                            evidence=f"模型判断（{a.claims.model_name or '已配置的模型'}）：{r.verdict.reason}")


@rule_type("llm_check_failed", EmptyParams)
def check_llm_failed(rule, a: Analysis) -> Iterator[Finding]:
    if a.claims is None:
        return
    _, failures = a.claim_results
    for f in failures:
        yield a.finding(rule, f.start, f.end, rule.say(problem=f.problem), evidence=f.problem)
