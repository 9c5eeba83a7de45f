"""table_total: a table's 合计 (or 年度资金总额) row against the sum of the rows it totals,
column by column."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, close, rx_cached
from drafter.text.figures import fmt, parse_number
from drafter.text.tables import NUMBER

STAGE = "text"


class Params(BaseParams):
    total_rows: str = r"^\s*(?:合\s*计|总\s*计|年度(?:财政|预算)?资金总额)\s*[：:]?\s*$"  # the totals row's label
    sub_rows: str = r"^\s*(?:其中|小\s*计|含)"  # rows that are parts of a part, or subtotals
    # columns that do not add up: rates, prices, standards, scores, numbering, dates, averages
    not_summed: str = r"率|比例|比重|占比|单价|标准|分值|得分|权重|序号|编号|年份|日期|时间|人均|户均|平均|均价|%|％"
    min_parts: int = 2


_CELL_NUMBER = re.compile(r"^\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*"
                          r"(?:万元|元|人次|人|户|个|所|台|套|件|次)?\s*$")
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


def check(rule, a: Analysis) -> Iterator[Finding]:
    """The rows above a 合计 at the bottom, or the rows below a total at the top (the 自评表's
    其中 rows). Sub-rows (其中…, 小计) and columns of rates, prices or scores are not added."""
    p: Params = rule.params
    total_rx, sub_rx, skip_rx = (rx_cached((x,)) for x in (p.total_rows, p.sub_rows, p.not_summed))
    for table in a.tables:
        labels = [next((c.text for c in row[:2] if c.text.strip() and not _cell_number(c.text)), "")
                  for row in table.rows]
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
            # in the 自评表 read from a pasted layout an empty source row (上年结转资金) has none
            blank = (0.0, 0) if table.layout == "form" else None
            values = [(_cell_number(table.rows[i][col].text) if table.rows[i][col].text.strip() else blank)
                      if col < len(table.rows[i]) else None for i in parts]
            if total is None or any(v is None for v in values) or not any(v[0] for v in values):
                continue
            got = sum(v[0] for v in values)
            tol = 0.5 * 10 ** -total[1] + sum(0.5 * 10 ** -v[1] for v in values)
            if close(got, total[0], tol):
                continue
            cell = table.rows[t][col]
            m = NUMBER.search(cell.text)
            start = cell.start + (m.start() if m else 0)
            end = cell.start + (m.end() if m else len(cell.text))
            terms = " + ".join(fmt(v[0]) for v in values)
            yield a.finding(rule, start, end, rule.say(column=head.text.strip(), total=fmt(total[0]), sum=fmt(got)),
                            evidence=f"“{head.text.strip()}”列：{terms} = {fmt(got)}，"
                                     f"{labels[t].strip() or '合计'}行写 {fmt(total[0])}")
