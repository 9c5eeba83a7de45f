"""The batch review's workbook: 汇总 (one row per report, highest risk first), 问题清单 (one row
per finding, the reports in the same order) and 未能审核 (the files that could not be reviewed,
with the reason); or, as .csv, the 汇总 table with the files that could not be reviewed at the
end. Written to a temporary file beside the target and renamed: an existing file is replaced
only by a complete one."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from drafter.errors import DrafterError
from drafter.findings import CATEGORIES, CATEGORY_NAMES
from drafter.review.batch import BatchItem, ReportSummary, by_risk

LEVEL_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SUMMARY_SUFFIXES = (".xlsx", ".csv")

SUMMARY_COLUMNS = (
    ["文件", "单位", "项目", "年度", "金额单位", "预算", "支出", "结余", "执行率", "自评分", "数字允许的最高分", "分差"]
    + [f"{CATEGORY_NAMES[c]}{LEVEL_NAMES[lv]}" for c in CATEGORIES for lv in ("error", "warning")]
    + ["待补充/模板残留", "风险"]
)
FINDING_COLUMNS = ["文件", "行", "规则", "类别", "级别", "说明", "原文", "计算", "建议"]
FAILED_COLUMNS = ["文件", "原因"]
_AMOUNTS = {"预算", "支出", "结余"}
_SCORES = {"自评分", "数字允许的最高分", "分差", "风险"}
_WIDE = {"说明": 60, "原文": 40, "计算": 60, "建议": 40, "原因": 60}  # long text: wrapped at this width


class SummaryError(DrafterError):
    """The summary file cannot be written (wrong suffix, no such folder, no permission)."""


def check_summary_path(path: str | Path) -> None:
    """Raise a ``SummaryError`` before any work when ``path`` cannot be a summary file."""
    p = Path(path)
    if p.suffix.lower() not in SUMMARY_SUFFIXES:
        raise SummaryError(f"{path}: 汇总表的文件名须以 .xlsx 或 .csv 结尾")
    if not p.parent.is_dir():
        raise SummaryError(f"{path}: 文件夹 {p.parent} 不存在，无法写入汇总表")
    if p.is_dir():
        raise SummaryError(f"{path}: 这是一个文件夹，请给出汇总表的文件名")


def summary_row(s: ReportSummary) -> list:
    counts = [s.counts.get(c, {}).get(lv, 0) for c in CATEGORIES for lv in ("error", "warning")]
    return [s.file, s.unit, s.project, s.year, s.amount_unit, s.budget, s.spent, s.balance, s.rate, s.self_score,
            s.ceiling, s.gap, *counts, s.leftovers, s.risk]


def finding_rows(items: Iterable[BatchItem]) -> list[list]:
    rows = []
    for item in items:
        for f in item.result.findings:
            rows.append([item.file, f.line, f.rule, CATEGORY_NAMES.get(f.category, f.category),
                         LEVEL_NAMES.get(f.level.value, f.level.value), f.message, f.quote, f.evidence, f.suggestion])
    return rows


def write_summary(items: list[BatchItem], path: str | Path) -> None:
    """Write the workbook (.xlsx) or the 汇总 table (.csv) for the batch's ``items``."""
    check_summary_path(path)
    if Path(path).suffix.lower() == ".csv":
        data = _csv_bytes(items)
        _atomic(path, lambda tmp: Path(tmp).write_bytes(data))
    else:
        book = build_workbook(items)
        _atomic(path, book.save)


def build_workbook(items: list[BatchItem]):
    """The openpyxl workbook of the three sheets."""
    from openpyxl import Workbook

    ranked = by_risk(items)
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    _fill(sheet, SUMMARY_COLUMNS, [summary_row(i.summary) for i in ranked])
    _fill(book.create_sheet("问题清单"), FINDING_COLUMNS, finding_rows(ranked))
    _fill(book.create_sheet("未能审核"), FAILED_COLUMNS, [[i.file, i.problem] for i in items if not i.ok])
    return book


def _fill(sheet, columns: list[str], rows: list[list]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for c, name in enumerate(columns, start=1):
        letter = get_column_letter(c)
        fmt = "#,##0.00##" if name in _AMOUNTS else "0.00%" if name == "执行率" else "0.00" if name in _SCORES else None
        wide = _WIDE.get(name)
        if fmt or wide:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=c, max_col=c):
                if fmt:
                    cell.number_format = fmt
                if wide:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max([_width(name)] + [_width(_shown(r[c - 1], fmt)) for r in rows[:2000]])
        sheet.column_dimensions[letter].width = min(wide or 50, max(6, longest + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"


def _shown(value, fmt: str | None) -> str:
    if value is None:
        return ""
    if fmt == "0.00%":
        return f"{value * 100:.2f}%"
    if fmt and isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _width(text: str) -> int:
    """Columns a text takes in Excel: two for a CJK character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _csv_bytes(items: list[BatchItem]) -> bytes:
    """汇总 as CSV (UTF-8 with a BOM, so Excel and WPS read the Chinese), the files that could
    not be reviewed at the end with their reason in 备注."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([*SUMMARY_COLUMNS, "备注"])
    for item in by_risk(items):
        w.writerow(["" if v is None else v for v in summary_row(item.summary)] + [""])
    for item in items:
        if not item.ok:
            w.writerow([item.file] + [""] * (len(SUMMARY_COLUMNS) - 1) + [f"未能审核：{item.problem}"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _atomic(path: str | Path, write) -> None:
    """``write(tmp)`` a temporary file beside ``path``, then rename it to ``path``."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp's file is the owner's only; a workbook is for sharing
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SummaryError(f"{path}: 无法写入汇总表（{exc.strerror or exc.__class__.__name__}）") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
