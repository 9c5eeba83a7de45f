"""Pipe tables (Markdown, or the rows we build from .docx/.pdf tables) with cell spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

_SEPARATOR = re.compile(r"^\s*(?:\|\s*)?:?-{2,}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass
class Cell:
    text: str
    start: int  # analysis offsets of the stripped cell text
    end: int


@dataclass
class Table:
    header: list[Cell]
    rows: list[list[Cell]] = field(default_factory=list)
    start: int = 0
    end: int = 0
    # "pipe": rows of a Markdown/Word table; "form": the 自评表 read from cells in another layout
    # (drafter.text.forms), which may be cut off at the end of a pasted excerpt
    layout: str = "pipe"
    complete: bool = True  # a form table: every cell between its header and its total was read

    def column(self, *keywords: str, exclude: tuple[str, ...] = ()) -> int | None:
        """Index of the first header cell containing any keyword (and none of ``exclude``)."""
        for i, c in enumerate(self.header):
            if any(k in c.text for k in keywords) and not any(x in c.text for x in exclude):
                return i
        return None

    @property
    def header_text(self) -> str:
        return " ".join(c.text for c in self.header)


def _cells(text: str, start: int, end: int) -> list[Cell]:
    line = text[start:end]
    first = line.index("|")
    last = line.rindex("|")
    out = []
    pos = start + first + 1
    for part in line[first + 1 : last].split("|"):
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        out.append(Cell(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(part) + 1
    return out


def _is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line.replace("|", "", 1))) and set(line.strip()) <= set("|-: ")


def read_tables(analysis) -> list[Table]:
    """The report's pipe tables, then the 自评表's funds blocks and indicator tables in other
    layouts (flattened into lines, one cell per line: ``drafter.text.forms``) that no pipe
    table already holds."""
    tables = _pipe_tables(analysis)
    text = analysis.text
    if "资金总额" in text or "一级" in text:
        from drafter.text.forms import form_tables

        # pipe tables whose rows keep the header's cells (a Markdown or Word table); rows broken
        # over lines by a paste are read again from their cells
        taken = [(t.start, t.end) for t in tables
                 if (is_funds_table(t) or IndicatorTable(t).col_score is not None)
                 and sum(len(r) == len(t.header) for r in t.rows) * 2 >= len(t.rows)]
        tables = sorted(tables + form_tables(text, taken), key=lambda t: t.start)
    return tables


def _pipe_tables(analysis) -> list[Table]:
    """Consecutive pipe rows form a table; a blank line in the original text, or a row
    followed by a ``|---|`` separator (a Markdown header), starts a new one."""
    tables: list[Table] = []
    current: Table | None = None
    lines = analysis.lines
    original = analysis.report.text
    for i, line in enumerate(lines):
        if not line.is_table:
            current = None
            continue
        if _is_separator(line.text):
            continue
        header_next = i + 1 < len(lines) and lines[i + 1].is_table and _is_separator(lines[i + 1].text)
        cells = _cells(analysis.text, line.start, line.end)
        if current is not None and not header_next:
            gap = original[analysis.to_orig(current.end) : analysis.to_orig(line.start)]
            if _BLANK_LINE.search(gap):
                current = None
        if current is None or header_next:
            current = Table(header=cells, start=line.start, end=line.end)
            tables.append(current)
        else:
            current.rows.append(cells)
            current.end = line.end
    return tables


NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")  # a number, thousands separators allowed


def _num(text: str) -> float | None:
    m = NUMBER.search(text)
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
            # a row with its name in another column ("预算执行率" in the first): its last named cell
            name = get(self.col_name).strip() or next(
                (x.text.strip() for x in reversed(cells[:3]) if x.text.strip()), "")
            out.append(
                IndicatorRow(
                    cells,
                    name,
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


def is_funds_table(table: Table) -> bool:
    """The 自评表 funds block (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分)."""
    return table.column("全年执行", "执行数", "实际支出") is not None and table.column("预算") is not None


def indicator_tables(a) -> list[IndicatorTable]:
    """Tables with 分值 and 得分 columns, other than the funds block."""
    out = []
    for t in a.tables:
        it = IndicatorTable(t)
        if it.col_weight is not None and it.col_score is not None and not is_funds_table(t):
            out.append(it)
    return out


def funds_execution_row(a) -> tuple[IndicatorTable, IndicatorRow] | None:
    """The funds block's total row when it carries the 预算执行率 分值 and 得分."""
    for t in a.tables:
        if not is_funds_table(t):
            continue
        it = IndicatorTable(t)
        if it.col_weight is None or it.col_score is None or not it.rows:
            continue
        rows = [r for r in it.rows if "总额" in r.cells[0].text] or it.rows[:1]
        if rows[0].weight is not None:
            return it, rows[0]
    return None


_QUANTITY = re.compile(r"(-?\d+(?:,\d{3})*(?:\.\d+)?)\s*(万|亿)?")


def _quantity(text: str) -> float | None:
    """The first number of a cell, with 万/亿 applied (1.36万人次 = 13600)."""
    m = _QUANTITY.search(text)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)


def compare_target(target: str, actual: str) -> tuple[str, float, float] | None:
    """('≥'|'≤', target, actual) for a quantitative indicator, None when not comparable.
    A deadline (12月底前) and a time limit (5个工作日内) are upper bounds."""
    t, v = _quantity(target), _quantity(actual)
    if t is None or v is None or t < 0 or v < 0:
        return None
    direction = "≤" if re.search(r"≤|<=|<|不高于|不超过|不大于|以下|以内|\d[^\d]{0,5}内|[之以]?前", target) else "≥"
    return direction, t, v
