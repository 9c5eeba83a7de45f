"""funds_block: the 自评表's funds block checked by its own figures, row by row, in any layout
(``drafter.text.forms`` reads the pasted ones): the stated 执行率 against 全年执行数 ÷ 全年预算数
(``check: rate``), and in a department's table (部门整体) the 全年执行数 against the spending by
type the block states beside it (``check: department``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt, rate_fits
from drafter.text.tables import NUMBER, Cell, Table, is_funds_table

STAGE = "text"


class Params(BaseParams):
    check: Literal["rate", "department"]


_BUDGET = ("全年预算", "调整后预算", "预算数")
_SPENT = ("全年执行", "执行数", "实际支出")
_BY_TYPE = re.compile(r"按支出性质分[：:]\s*(\d[\d,]*(?:\.\d+)?)")
_BY_SOURCE = re.compile(r"按收入性质分[：:]\s*(\d[\d,]*(?:\.\d+)?)")


def cell_value(cell: Cell | None) -> tuple[float, int] | None:
    """A cell's number and its decimals, or None."""
    if cell is None:
        return None
    m = NUMBER.search(cell.text)
    if not m:
        return None
    digits = m.group(0).replace(",", "")
    return float(digits), len(digits.split(".")[1]) if "." in digits else 0


def columns(table: Table) -> dict[str, int | None]:
    return {
        "budget": table.column(*_BUDGET, exclude=("年初",)) if table.column(*_BUDGET, exclude=("年初",)) is not None
        else table.column("年初预算"),
        "spent": table.column(*_SPENT),
        "rate": table.column("执行率"),
        "weight": table.column("分值"),
        "score": table.column("得分"),
    }


def row_cell(row: list[Cell], col: int | None) -> Cell | None:
    return row[col] if col is not None and col < len(row) and row[col].text.strip() else None


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    for table in a.tables:
        if not is_funds_table(table):
            continue
        cols = columns(table)
        if p.check == "rate":
            yield from _rates(rule, a, table, cols)
        elif p.check == "department" and table.rows:
            yield from _department(rule, a, table, cols)


def _rates(rule, a: Analysis, table: Table, cols: dict) -> Iterator[Finding]:
    for row in table.rows:
        budget, spent = cell_value(row_cell(row, cols["budget"])), cell_value(row_cell(row, cols["spent"]))
        rate_cell = row_cell(row, cols["rate"])
        stated = cell_value(rate_cell)
        if budget is None or spent is None or stated is None or budget[0] <= 0 or "%" not in rate_cell.text:
            continue
        exact = spent[0] / budget[0] * 100
        if rate_fits(stated[0], stated[1], exact):
            continue
        m = NUMBER.search(rate_cell.text)
        yield a.finding(rule, rate_cell.start + m.start(), rate_cell.end,
                        rule.say(stated=rate_cell.text.strip(), rate=f"{exact:.2f}%"),
                        evidence=f"{fmt(spent[0])} / {fmt(budget[0])} = {exact:.2f}%"
                                 f"（表中写 {rate_cell.text.strip()}）")


def _department(rule, a: Analysis, table: Table, cols: dict) -> Iterator[Finding]:
    """部门整体: 全年执行数 is what the department spent, 按支出性质分 (基本支出 + 项目支出); a
    table that puts its income (按收入性质分) there overstates the execution."""
    near = a.text[table.start : table.end + 400]
    by_type, by_source = _BY_TYPE.search(near), _BY_SOURCE.search(near)
    row = table.rows[0]
    spent_cell = row_cell(row, cols["spent"])
    spent = cell_value(spent_cell)
    if by_type is None or spent is None:
        return
    expenditure = float(by_type.group(1).replace(",", ""))
    income = float(by_source.group(1).replace(",", "")) if by_source else None
    if abs(expenditure - spent[0]) <= 0.005 or income is None or abs(income - spent[0]) > 0.005:
        return
    budget = cell_value(row_cell(row, cols["budget"]))
    rate = (f"，执行率应为 {fmt(expenditure)} / {fmt(budget[0])} = {expenditure / budget[0] * 100:.2f}%"
            if budget and budget[0] > 0 else "")
    start = table.start + by_type.start(1)
    yield a.finding(rule, start, start + len(by_type.group(1)),
                    rule.say(spent=fmt(spent[0]), expenditure=fmt(expenditure)),
                    evidence=f"按收入性质分 {fmt(income)} = 全年执行数 {fmt(spent[0])}；"
                             f"按支出性质分 {fmt(expenditure)}{rate}")
