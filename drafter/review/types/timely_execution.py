"""timely_execution: a 自评表 indicator that says the money was paid, or the work was done on
time, given as met with its score, while the same report's budget execution shows the money
largely unspent.

Two kinds of row, each with its own threshold (rule keys):
- ``payment``: the indicator's name is about paying or spending the funds (完成资金支付, 资金支出
  进度, 预算执行进度), not about transferring them (拨付, 下达, 到位 may rightly be 100% while the
  spending is lower), and its actual value claims all of it (100%, 完成, 是): a contradiction
  when the execution rate is below ``payment_below``;
- ``timely``: a general timeliness indicator (二级指标 时效指标, or a name like 按时完成率) given
  as met: a project may finish on time and pay later, so only an execution rate below
  ``timely_below`` is reported.
A row named for a transfer (``transfer_names``: 资金拨付及时率, 下达到位率) is neither: money
transferred on time may rightly sit unspent with the recipient.

The execution rate is the funds block's own (全年执行数 ÷ 全年预算数 of its total row) in the
自评表 the indicator belongs to, else its stated 执行率, else the report's budget and spending
when it has one indicator table only."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled
from drafter.review.types.funds_block import cell_value, columns, row_cell
from drafter.text.figures import fmt
from drafter.text.tables import NUMBER, IndicatorTable, Table, compare_target, is_funds_table

STAGE = "text"


class Params(BaseParams):
    payment_names: list[str] = []  # an indicator about paying / spending the funds
    transfer_names: list[str] = []  # ... or about transferring them, or not about progress at all
    timely_names: list[str] = []  # a timeliness indicator by its name
    timely_level2: list[str] = []  # ... or by its 二级指标
    full_actual: list[str] = []  # an actual value that claims full completion (besides 100%)
    payment_below: float = 0.9
    timely_below: float = 0.5
    payment_detail: str = ""
    timely_detail: str = ""


_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[%％]")  # from a number's first digit: linear on digit runs


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    tables = a.tables
    if "时效" in a.text:
        yield from _glued(rule, a, tables)
    if not tables:
        return
    indicator = [(i, IndicatorTable(t)) for i, t in enumerate(tables) if not is_funds_table(t)]
    indicator = [(i, it) for i, it in indicator if it.col_score is not None and it.col_actual is not None]
    if not indicator:
        return
    payment, transfer = compiled(p, "payment_names"), compiled(p, "transfer_names")
    timely, level2_rx, full = compiled(p, "timely_names"), compiled(p, "timely_level2"), compiled(p, "full_actual")
    for i, it in indicator:
        col_level1, col_level2 = it.table.column("一级指标"), it.table.column("二级指标")
        level2 = ""
        rate = None  # the execution rate, read once a row asks for it
        for r in it.rows:
            if r.is_total:
                continue
            # a 二级指标 cell left empty under a merged one is the row above's, unless a new 一级指标 starts
            own1, own2 = _text(r.cells, col_level1), _text(r.cells, col_level2)
            if own2 or own1:
                level2 = own2
            if transfer and transfer.search(r.name):
                continue  # transferred on time (拨付、下达、到位) says nothing of the spending
            kind = None
            if payment and payment.search(r.name):
                kind = "payment"
            elif (timely and timely.search(r.name)) or (level2_rx and level2_rx.search(level2)):
                kind = "timely"
            if kind is None or r.score is None or not _full_marks(r):
                continue
            claim = _claims_full(r.target, r.actual, full, strict=kind == "payment")
            if not claim:
                continue
            if rate is None:
                rate = _execution(a, tables, i, len(indicator)) or (None, "")
            value, how = rate
            limit = p.payment_below if kind == "payment" else p.timely_below
            if value is None or value >= limit - 1e-9:
                continue
            name_cell = it.cell(r, it.col_name)
            score_cell = it.cell(r, it.col_score)
            start = min(name_cell.start, score_cell.start) if name_cell.text.strip() else score_cell.start
            score = score_cell.text.strip()
            weight = f"（分值 {fmt(r.weight)}）" if r.weight is not None else ""
            yield a.finding(
                rule, start, max(name_cell.end, score_cell.end),
                rule.say(name=r.name, actual=r.actual.strip(), score=score, rate=f"{value * 100:.2f}%",
                         detail=p.payment_detail if kind == "payment" else p.timely_detail),
                evidence=f"{r.name}：实际完成值 {r.actual.strip()}，得分 {score}{weight}；"
                         f"{how}，低于 {limit * 100:.0f}%")


def _number(cell) -> str:
    return NUMBER.search(cell.text).group(0)


def _text(cells, col: int | None) -> str:
    return cells[col].text.strip() if col is not None and col < len(cells) else ""


def _full_marks(r) -> bool:
    """The row keeps all its points (with no 分值 column: any score, its value decides)."""
    return r.weight is None or (r.weight > 0 and r.score >= r.weight - 1e-9)


def _claims_full(target: str, actual: str, full: re.Pattern | None, strict: bool) -> bool:
    """The actual value says the indicator was fully met: 100%, or a word of completion (完成,
    是); for a timeliness row (not ``strict``) also an actual that meets its own target."""
    text = actual.strip()
    if not text:
        return False
    m = _PERCENT.search(text)
    if m:
        return float(m.group(1)) >= 100 - 1e-9
    if full and full.fullmatch(text):
        return True
    if strict:
        return False
    cmp = compare_target(target, text)
    if cmp is None:
        return False
    direction, t, v = cmp
    return v >= t if direction == "≥" else v <= t


def _execution(a: Analysis, tables: list[Table], at: int, n_indicator: int) -> tuple[float, str] | None:
    """(执行率, how it was computed) for the indicator table ``tables[at]``: the funds block
    before it in its own 自评表 (no other indicator table between), else the report's figures
    when the report has one indicator table only."""
    for t in reversed(tables[:at]):
        if not is_funds_table(t):
            if IndicatorTable(t).col_score is not None:
                break  # another 自评表's indicators: its funds are not this one's
            continue
        if not t.rows:
            break
        row = next((r for r in t.rows if "总额" in r[0].text), t.rows[0])
        cols = columns(t)
        budget_cell, spent_cell = row_cell(row, cols["budget"]), row_cell(row, cols["spent"])
        budget, spent = cell_value(budget_cell), cell_value(spent_cell)
        if budget and spent is not None and budget[0] > 0:
            rate = spent[0] / budget[0]
            return rate, f"执行率 {_number(spent_cell)} / {_number(budget_cell)} = {rate * 100:.2f}%"
        stated = row_cell(row, cols["rate"])
        m = _PERCENT.search(stated.text) if stated is not None and budget is None and spent is None else None
        if m and float(m.group(1)) > 0:
            # amounts not given at all (a total row left 0 has its figures in the rows below)
            return float(m.group(1)) / 100, f"资金表所填执行率 {m.group(0)}"
        break
    if n_indicator != 1:
        return None
    rate = a.budget.execution
    if rate is None:
        return None
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    return rate, f"执行率 {spent.text} / {budget.text} = {rate * 100:.2f}%"


# --- a 自评表 whose cells were glued together by a PDF's extraction ---------------------------
# The header 三级指标 分值 年度指标值 实际值 得分 (分值 before the values), glued as well
_GLUED_HEADER = re.compile(r"三级指标(?:名称)?分值(?:年度|年初)?(?:指标值|目标值)")
# what ends the 时效指标 group: the next 二级 or 一级 indicator
_NEXT_GROUP = re.compile(r"(?:数量|质量|成本|经济效益|社会效益|生态效益|可持续影响|服务对象满意度|满意度|产出|效益)"
                         r"指标")
# one glued row kept at full marks: its name, its 分值, its target, 100% and a 得分 equal to the
# 分值 (the backreference is what places the cells: the score repeats the weight)
_GLUED_ROW = re.compile(r"(?P<name>\S{0,60}?[\u4e00-\u9fff）)])(?P<w>[1-9]\d?(?:\.\d+)?)(?P<target>\S{1,40}?)"
                        r"(?P<actual>100(?:\.0+)?%)(?P=w)")
# the funds block's budget, spending and rate, in that order with nothing but units between
# (each number whole: a unit or blanks between them, never a split digit run)
_GLUED_FUNDS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])(?:万元|元)?\s*(\d+(?:\.\d+)?)(?![\d.])(?:万元|元)?\s*"
                          r"(\d+(?:\.\d+)?)%")


def _glued(rule, a: Analysis, tables: list[Table]) -> Iterator[Finding]:
    """The 时效指标 rows of a glued table ("时效指标指标1…完成资金支付8…100%100%8"), read only
    at full marks (the 得分 repeats the 分值 after the name) and only after a glued header that
    puts 分值 right after the name; the execution rate is the glued funds block's own when its
    budget, spending and rate agree."""
    p: Params = rule.params
    text = a.text
    payment, transfer = compiled(p, "payment_names"), compiled(p, "transfer_names")
    pos = text.find("时效指标")
    while pos >= 0:
        start = pos + 4
        pos = text.find("时效指标", start)
        if any(t.start <= start < t.end for t in tables):
            continue
        head = text.rfind("三级指标", max(0, start - 3000), start)
        if head < 0 or not _GLUED_HEADER.match(text, head, head + 24):
            continue
        end = start
        while end < len(text) and end - start < 200 and not text[end].isspace():
            end += 1
        nxt = _NEXT_GROUP.search(text, start, end)
        end = nxt.start() if nxt else end
        for row in re.finditer(r"指标\d(?P<row>.+?)(?=指标\d|$)", text[start:end]):
            m = _GLUED_ROW.fullmatch(row.group("row"))
            if m is None:
                continue
            name = m.group("name")
            if transfer and transfer.search(name):
                continue
            kind = "payment" if payment and payment.search(name) else "timely"
            limit = p.payment_below if kind == "payment" else p.timely_below
            rate = _glued_rate(text, head)
            if rate is None or rate[0] >= limit - 1e-9:
                continue
            s0 = start + row.start("row")
            yield a.finding(
                rule, s0, s0 + m.end(),
                rule.say(name=name, actual=m.group("actual"), score=m.group("w"), rate=f"{rate[0] * 100:.2f}%",
                         detail=p.payment_detail if kind == "payment" else p.timely_detail),
                evidence=f"按表头“三级指标 分值 指标值 实际值 得分”读：{name}，分值 {m.group('w')}，"
                         f"指标值 {m.group('target')}，实际完成值 {m.group('actual')}，得分 {m.group('w')}；"
                         f"{rate[1]}，低于 {limit * 100:.0f}%")


def _glued_rate(text: str, before: int) -> tuple[float, str] | None:
    """执行数 ÷ 预算数 of a glued funds block before ``before``: the first three figures after its
    执行率 header, budget, spending and a rate that is their quotient to its own rounding."""
    head = text.rfind("执行率", max(0, before - 2000), before)
    if head < 0 or text.rfind("执行数", max(0, head - 60), head) < 0:
        return None
    window = text[head : min(before, head + 200)]
    for m in _GLUED_FUNDS.finditer(window):
        budget, spent, stated = float(m.group(1)), float(m.group(2)), float(m.group(3))
        decimals = len(m.group(3).split(".")[1]) if "." in m.group(3) else 0
        if budget > 0 and abs(spent / budget * 100 - stated) <= 0.5 * 10 ** -decimals + 1e-9:
            rate = spent / budget
            return rate, f"执行率 {m.group(2)} / {m.group(1)} = {rate * 100:.2f}%（表中 {m.group(3)}%）"
    return None
