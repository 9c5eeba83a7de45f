"""Facts in and out: from a national-format 项目支出绩效自评表 (.xlsx), from last year's report
(best effort: a starting point to edit), and back to YAML.

* ``import_table(xlsx)``: header cells are found by their text anywhere on the sheet (not by
  coordinates); merged cells are read from their top-left cell, and empty 一级/二级指标 cells
  carry down the value above.
* ``extract_facts(report)``: budget, year, unit, project and self-score from the review's
  readers (``Analysis.budget``, ``drafter.corpus.index.identity``); achievements, problems and
  improvements from the paragraphs of the sections the template marks goals/project,
  problems and improvements, without template instructions and without the paragraphs that
  state the budget.
* ``dump_facts(facts, path)``: YAML (or JSON for a .json path) that ``load_facts`` reads back
  to the same ``Facts``.
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from drafter.documents.zipcheck import check_package
from drafter.errors import InputError
from drafter.facts.model import (
    Budget,
    Facts,
    FundSource,
    Indicator,
    Project,
    Unit,
    describe_validation_error,
    fmt_decimal,
    to_decimal,
)

__all__ = ["data_text", "dump_data", "dump_facts", "extract_data", "extract_facts", "facts_to_data", "import_table"]


# --- the 自评表 ------------------------------------------------------------------------------
def _key(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


class _Sheet:
    """A worksheet as text cells; merged ranges hold their value in the top-left cell."""

    def __init__(self, ws) -> None:
        self.title = ws.title
        self.text: dict[tuple[int, int], str] = {}
        self.raw: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                if isinstance(v, str):
                    t = v.strip()
                    if not t:
                        continue
                elif isinstance(v, bool):
                    t = str(v)
                elif isinstance(v, (int, float)):
                    if "%" in (cell.number_format or ""):
                        t = fmt_decimal(to_decimal(v) * 100) + "%"
                    else:
                        t = fmt_decimal(v)
                else:
                    t = str(v).strip()
                self.text[(cell.row, cell.column)] = t
                self.raw[(cell.row, cell.column)] = v
        self.merged_end: dict[tuple[int, int], int] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.merged_end[(r, c)] = rng.max_col
        self.max_row = ws.max_row
        self.max_col = ws.max_column

    def get(self, r: int, c: int) -> str:
        return self.text.get((r, c), "")

    def find(self, pattern: str) -> list[tuple[int, int]]:
        rx = re.compile(pattern)
        return sorted((rc for rc, t in self.text.items() if rx.search(_key(t))))

    def right_of(self, r: int, c: int, stop: re.Pattern | None = None) -> str:
        """The first value right of the label at (r, c), past the label's own merged range."""
        col = self.merged_end.get((r, c), c) + 1
        while col <= self.max_col:
            t = self.get(r, col)
            if t:
                return "" if stop is not None and stop.search(_key(t)) else t
            col += 1
        return ""


_LABELS = re.compile(r"^(?:项目名称|主管部门|实施单位|项目单位|预算单位)[：:]?$")
_YEAR_OF_REPORT = re.compile(r"(20\d\d)\s*年度")
_YEAR = re.compile(r"(20\d\d)\s*年")
_UNIT_TEXT = re.compile(r"[（(]\s*(万元|元)\s*[)）]|单位[：:]\s*(万元|元)")


def import_table(xlsx_path: str | Path) -> Facts:
    """Facts from a national-format 项目支出绩效自评表 (.xlsx)."""
    path = str(xlsx_path)
    p = Path(xlsx_path)
    if not p.exists():
        raise InputError(path, "找不到这个文件")
    if p.suffix.lower() in (".xls", ".et"):
        raise InputError(path, "这是旧版工作簿：请用 Excel 或 WPS 另存为 .xlsx")
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_package(p, path)
    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(path, f"无法作为 .xlsx 工作簿读取（{exc.__class__.__name__}）："
                               "请把表格另存为 .xlsx") from None
    sheet = None
    for ws in wb.worksheets:
        s = _Sheet(ws)
        if s.find("全年执行数|执行数") or s.find("三级指标"):
            sheet = s
            break
    if sheet is None:
        raise InputError(path, "工作簿里没有项目支出绩效自评表：没有哪张工作表有“全年执行数”或“三级指标”表头")
    where = f"工作表“{sheet.title}”"

    def label(pattern: str) -> str:
        for r, c in sheet.find(f"^(?:{pattern})[：:]?$"):
            value = sheet.right_of(r, c, _LABELS)
            if value:
                return value
        return ""

    project = label("项目名称")
    department = label("主管部门")
    unit_name = label("实施单位|项目单位|预算单位") or department
    if not project:
        raise InputError(path, f"{where}：没有项目名称（应有“项目名称”单元格，右边写名称）")
    if not unit_name:
        raise InputError(path, f"{where}：没有实施单位或主管部门")
    year = next((int(m.group(1)) for rx in (_YEAR_OF_REPORT, _YEAR) for rc in sorted(sheet.text)
                 if (m := rx.search(sheet.text[rc]))), None)
    if year is None:
        raise InputError(path, f"{where}：没有年度（标题应如“项目支出绩效自评表（2023年度）”）")

    budget = _read_funds(sheet, path, where)
    goal, results = _read_goals(sheet)
    indicators, self_score = _read_indicators(sheet, path, where)
    try:
        return Facts(
            template="national-table",
            year=year,
            unit=Unit(name=unit_name, department=department if department and department != unit_name else None),
            project=Project(name=project, goal=goal or None),
            budget=budget,
            indicators=indicators,
            self_score=self_score,
            achievements=_items(results),
        )
    except ValidationError as exc:
        raise InputError(path, describe_validation_error(exc)) from None


def _amount_of(sheet: _Sheet, r: int, c: int | None) -> Decimal | None:
    if c is None:
        return None
    raw = sheet.raw.get((r, c))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return to_decimal(raw)
    m = re.search(r"-?\d+(?:,\d{3})*(?:\.\d+)?", sheet.get(r, c))
    return Decimal(m.group(0).replace(",", "")) if m else None


_FUNDS_COLUMNS = [
    ("initial", re.compile(r"年初预算")),
    ("adjusted", re.compile(r"全年预算|调整后")),
    ("spent", re.compile(r"执行数|实际支出")),
    ("weight", re.compile(r"^分值")),
    ("rate", re.compile(r"执行率")),
    ("score", re.compile(r"^得分")),
]
_SOURCE_NAMES = [("当年财政拨款", "当年财政拨款|财政拨款"), ("上年结转资金", "上年结转"), ("其他资金", "其他资金")]


def _columns(sheet: "_Sheet", row: int, patterns) -> dict[str, int]:
    """Role -> column of the header cells in ``row`` (the first column matching each role)."""
    cols: dict[str, int] = {}
    for c in range(1, sheet.max_col + 1):
        k = _key(sheet.get(row, c))
        for role, rx in patterns:
            if k and role not in cols and rx.search(k):
                cols[role] = c
                break
    return cols


def _read_funds(sheet: _Sheet, path: str, where: str) -> Budget:
    heads = sheet.find("全年执行数|执行数")
    if not heads:
        raise InputError(path, f"{where}：没有资金部分（“全年执行数”表头）")
    hr = heads[0][0]
    cols = _columns(sheet, hr, _FUNDS_COLUMNS)
    if "spent" not in cols or ("initial" not in cols and "adjusted" not in cols):
        raise InputError(path,
                         f"{where}第 {hr} 行：资金部分须有“年初预算数”或“全年预算数”列，以及“全年执行数”列")
    unit = _funds_unit(sheet, hr)
    first = min(cols[r] for r in ("initial", "adjusted", "spent") if r in cols)
    total_row, sources = None, []
    for r in range(hr + 1, min(hr + 9, sheet.max_row + 1)):
        lab = _key("".join(sheet.get(r, c) for c in range(1, first)))
        if re.search(r"年度总体目标|指标|预期目标", lab):
            break
        amounts = {role: _amount_of(sheet, r, cols.get(role)) for role in ("initial", "adjusted", "spent")}
        if "总额" in lab or (total_row is None and not sources and not lab):
            total_row = (r, amounts)
            continue
        for name, rx in _SOURCE_NAMES:
            if re.search(rx, lab):
                if any(v for v in amounts.values()):
                    sources.append(FundSource(name=name, **amounts))
                break
    if total_row is None:
        raise InputError(path, f"{where}：资金表头（第 {hr} 行）下没有“年度资金总额”行")
    r, amounts = total_row
    for role in ("initial", "adjusted", "spent"):
        if amounts[role] is None and sources and all(getattr(s, role) is not None for s in sources):
            amounts[role] = sum((getattr(s, role) for s in sources), Decimal(0))
    if amounts["initial"] is None:
        amounts["initial"] = amounts["adjusted"]
    if amounts["initial"] is None or amounts["spent"] is None:
        missing = "全年执行数" if amounts["spent"] is None else "年初预算数"
        raise InputError(path, f"{where}第 {r} 行：“年度资金总额”行没有{missing}")
    weight = _amount_of(sheet, r, cols.get("weight"))
    budget_amount = amounts["adjusted"] if amounts["adjusted"] is not None else amounts["initial"]
    if amounts["spent"] > budget_amount:
        raise InputError(path, f"{where}第 {r} 行：全年执行数 {fmt_decimal(amounts['spent'])} 超过了全年预算数 "
                               f"{fmt_decimal(budget_amount)}：请更正表格，"
                               "或手工编写事实文件并填写 budget.spent_over_reason")
    try:
        return Budget(unit=unit, initial=amounts["initial"], adjusted=amounts["adjusted"], spent=amounts["spent"],
                      execution_weight=weight if weight else None, sources=sources)
    except ValidationError as exc:
        raise InputError(path, f"{where}第 {r} 行：" + describe_validation_error(exc)) from None


def _funds_unit(sheet: _Sheet, hr: int) -> str:
    """万元 or 元 from the funds block's header text ("项目资金（万元）"), else from anywhere on
    the sheet; the national form's 万元 when nothing says."""
    near = [rc for rc in sorted(sheet.text) if hr - 2 <= rc[0] <= hr + 6]
    for rc in [*near, *sorted(sheet.text)]:
        m = _UNIT_TEXT.search(_key(sheet.text[rc]))
        if m:
            return m.group(1) or m.group(2)
    return "万元"


def _read_goals(sheet: _Sheet) -> tuple[str, str]:
    """(预期目标, 实际完成情况) of the 年度总体目标 block."""
    heads = sheet.find("^预期目标$")
    if not heads:
        return "", ""
    r, c = heads[0]
    result_col = next((cc for (rr, cc) in sheet.find("^实际完成情况$") if rr == r), None)

    def below(col: int | None) -> str:
        if col is None:
            return ""
        for rr in range(r + 1, min(r + 4, sheet.max_row + 1)):
            t = sheet.get(rr, col)
            if t:
                return t
        return ""

    return below(c), below(result_col)


_INDICATOR_COLUMNS = [
    ("level1", re.compile(r"一级指标")),
    ("level2", re.compile(r"二级指标")),
    ("name", re.compile(r"三级指标")),
    ("target", re.compile(r"^(?!.*实际).*(?:指标值|目标值)")),
    ("actual", re.compile(r"实际完成值|实际值|完成值")),
    ("weight", re.compile(r"^(?:分值|权重)")),
    ("score", re.compile(r"^得分")),
    ("reason", re.compile(r"偏差")),
]


def _read_indicators(sheet: _Sheet, path: str, where: str) -> tuple[list[Indicator], Decimal | None]:
    heads = sheet.find("三级指标")
    if not heads:
        return [], None
    hr = heads[0][0]
    cols = _columns(sheet, hr, _INDICATOR_COLUMNS)
    for need in ("name", "target", "weight"):
        if need not in cols:
            raise InputError(path, f"{where}第 {hr} 行：指标部分没有"
                                   f"“{dict(name='三级指标', target='年度指标值', weight='分值')[need]}”列")
    out: list[Indicator] = []
    self_score = None
    level1 = level2 = ""
    for r in range(hr + 1, sheet.max_row + 1):
        row_text = _key("".join(sheet.get(r, c) for c in range(1, sheet.max_col + 1)))
        if not row_text:
            continue
        first_cells = _key("".join(sheet.get(r, c) for c in range(1, cols["name"] + 1)))
        if re.search(r"总分|合计|总计", first_cells):
            self_score = _amount_of(sheet, r, cols.get("score"))
            break
        if re.search(r"评价等级|自评等级|等级", first_cells) and not sheet.get(r, cols["name"]):
            break

        def get(role: str) -> str:
            return sheet.get(r, cols[role]) if role in cols else ""

        if get("level1"):
            level1 = get("level1")
            level2 = ""
        if get("level2"):
            level2 = get("level2")
        name = get("name")
        if not name or re.search(r"小计", name):
            continue
        weight = _amount_of(sheet, r, cols["weight"])
        if weight is None:
            raise InputError(path, f"{where}第 {r} 行（{name}）：分值为空")
        row = {
            "level1": level1 or "绩效指标",
            "level2": level2 or None,
            "name": name,
            "target": get("target"),
            "actual": get("actual") or None,
            "weight": weight,
            "score": _amount_of(sheet, r, cols.get("score")),
            "reason": get("reason") or None,
        }
        try:
            out.append(Indicator.model_validate(row))
        except ValidationError:
            try:
                out.append(Indicator.model_validate({**row, "qualitative": True}))
            except ValidationError as exc:
                raise InputError(path, f"{where}第 {r} 行（{name}）：{describe_validation_error(exc)}") from None
    return out, self_score


_ITEM_NUMBER = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.．、](?!\d)|[①-⑳])\s*")


def _items(text: str) -> list[str]:
    """A table cell's list: one item per line or per "；", numbering dropped, each item ending
    in 。."""
    out = []
    for part in re.split(r"[\n；;]+", text or ""):
        item = _ITEM_NUMBER.sub("", part).strip().rstrip("，,、 ")
        if not item:
            continue
        if not item.endswith(("。", "！", "？")):
            item += "。"
        out.append(item)
    return out


# --- last year's report --------------------------------------------------------------------------
_GOAL = re.compile(r"^(?:年度)?绩效目标[：:]\s*")


def extract_facts(report_path: str | Path, *, unit: str | None = None, project: str | None = None,
                  year: int | None = None) -> Facts:
    """A starting point for this year's facts from a report (best effort): budget (元), year,
    unit, project, self-score, the indicator table, the unit's profile, the 绩效目标 sentence,
    and achievements, problems and improvements from their sections. ``unit``, ``project`` and
    ``year`` supply what the report does not say. ``InputError`` naming every field the report
    did not give (``extract_data`` writes them as 【待补充】 instead)."""
    path = str(report_path)
    data, missing = extract_data(report_path, unit=unit, project=project, year=year)
    if missing:
        raise InputError(path, "报告中没有找到：" + "、".join(missing) + "；"
                               "请用 --unit/--project/--year 给出，或手工填写 facts 文件")
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        raise InputError(path,
                         "从报告读出的事实无法使用：" + describe_validation_error(exc)) from None


# what extraction names when the report does not give it: the field and its words
_MISSING = {
    "year": "年度",
    "unit.name": "项目单位（项目单位 / 实施单位）",
    "project.name": "项目名称",
    "budget.initial": "预算（年初预算或调整后预算）",
    "budget.initial_only": "年初预算（调整后预算已找到）",
    "budget.spent": "全年支出（支出 / 执行数）",
}
# a label's value that names no unit: 项目单位：（公章）, 填报单位：（盖章）
_NO_NAME = re.compile(r"^[\s（(【\[]*(?:公章|盖章|签章|印章|单位盖章|签字|空)?[\s）)】\]]*$")


def extract_data(report_path: str | Path, *, unit: str | None = None, project: str | None = None,
                 year: int | None = None) -> tuple[dict, list[str]]:
    """The facts a report gives, as facts-file data (``facts_to_data``'s shape), with 【待补充】
    in every required field it does not give, and the list of those fields in words."""
    from drafter.analysis.templates import get_template, load_templates, section_kind
    from drafter.analysis.view import Analysis
    from drafter.corpus.chunking import identity
    from drafter.documents.load import load

    report = load(report_path)
    a = Analysis(report)
    ident = identity(report, a)
    b = a.budget

    def amount(role: str) -> Decimal | None:
        """The role's amount when the report states it one way only: two different amounts for
        one role (a part read as the whole, two scopes) leave it to the user."""
        first = b.first(role)
        if first is None:
            return None
        found = b.found.get(role, [])
        strong = [f for f in found if not f.weak] or found
        if any(abs(f.value - first.value) > f.tolerance + first.tolerance for f in strong):
            return None
        if role == "spent" and first.source == "text" and _not_spending(a.text, first.start, first.end):
            return None
        if first.source == "text" and _DEPARTMENT_TOTAL.search(_clause_before(a.text, first.start)):
            return None  # 部门预算总金额: the department's whole budget, not the project's
        d = Decimal(str(round(first.value, 2)))
        return d.quantize(Decimal(1)) if d == d.to_integral_value() else d

    initial, adjusted, spent = amount("initial"), amount("adjusted"), amount("spent")
    if adjusted is not None and initial is not None and adjusted == initial:
        adjusted = None
    base = adjusted if adjusted is not None else initial
    if base is not None and spent is not None and spent > base:
        initial = adjusted = spent = None  # spending above the budget: one of them is not the project's
    unit_name = unit or _name(ident["unit"])
    project_name = project or _name(ident["project"])
    year = year or ident["year"]
    missing = {"year": year is None, "unit.name": not unit_name, "project.name": not project_name,
               "budget.initial": initial is None and adjusted is None,
               "budget.initial_only": initial is None and adjusted is not None, "budget.spent": spent is None}
    template_id = ident["template"] if ident["template"] in load_templates() else "gd-annex5"
    if get_template(template_id).form != "sections":
        template_id = "gd-annex5"
    instructions = [_key(x) for x in get_template(template_id).all_instructions()]
    instructions += [_key(x) for t in load_templates().values() for x in t.all_instructions()]
    budget_spans = [(f.start, f.end) for figs in b.found.values() for f in figs
                    if f.source == "text" and f.figure is not None]

    kinds: dict[str, list[str]] = {"unit": [], "goal": [], "achievements": [], "problems": [], "improvements": []}
    for s in a.all_sections:
        kind = section_kind(a, s)
        end = s.children[0].heading_start if s.children else s.end
        for text, start, stop in _paragraphs(a, s.heading_end, end, instructions):
            if kind == "unit":
                kinds["unit"].append(text)
                continue
            if any(start <= fs < stop for fs, _ in budget_spans):
                continue  # the budget sentences: the budget block holds them
            if kind in ("goals", "project"):
                if _GOAL.match(text):
                    kinds["goal"].append(_GOAL.sub("", text))
                else:
                    kinds["achievements"].append(_ITEM_NUMBER.sub("", text))
            elif kind in ("problems", "improvements"):
                kinds[kind].append(_ITEM_NUMBER.sub("", text))
    indicators, table_total = _report_indicators(a)
    self_score = b.value("self_score")
    if self_score is None:
        self_score = table_total
    todo = "【待补充】"
    budget = _clean({"unit": "元", "initial": _num(initial) if initial is not None else todo,
                     "adjusted": _num(adjusted), "spent": _num(spent) if spent is not None else todo})
    data = _clean({
        "template": template_id,
        "year": year if year is not None else todo,
        "unit": _clean({"name": unit_name or "【待补充：项目单位】", "profile": "\n".join(kinds["unit"]) or None}),
        "project": _clean({"name": project_name or "【待补充：项目名称】", "goal": "\n".join(kinds["goal"]) or None}),
        "budget": budget,
        "indicators": indicators,
        "self_score": _num(Decimal(str(self_score))) if self_score is not None and 0 <= self_score <= 100 else None,
        "achievements": kinds["achievements"],
        "problems": kinds["problems"],
        "improvements": kinds["improvements"],
    })
    return data, [_MISSING[k] for k, gone in missing.items() if gone]


# a "spending" that is a budget line (安排支出, 预算项目支出) or one purpose's (支付了 68 万元的线路租费)
_PLANNED = re.compile(r"安排|预算|计划")


_DEPARTMENT_TOTAL = re.compile(r"部门(?:预算)?总")


def _clause_before(text: str, start: int) -> str:
    return re.split(r"[，,。；;：:\n]", text[max(0, start - 40) : start])[-1]


def _not_spending(text: str, start: int, end: int) -> bool:
    return bool(_PLANNED.search(_clause_before(text, start))) or text[end : end + 1] == "的"


def _name(value: str | None) -> str | None:
    """A unit's or project's name as the report gives it; None for a seal's place (（公章）)."""
    if not value:
        return None
    value = value.strip()
    return None if _NO_NAME.match(value) or len(value) < 2 else value


def _report_indicators(a) -> tuple[list[dict], float | None]:
    """The rows of the report's indicator table that read as indicators (a row that does not,
    such as a block's subtotal, is left out), and its 总分 row's score."""
    from drafter.text.tables import indicator_tables

    out: list[dict] = []
    total = None
    for it in indicator_tables(a):
        col1 = it.table.column("一级指标")
        col2 = it.table.column("二级指标")
        level1 = level2 = ""
        for row in it.rows:
            if row.is_total:
                if row.score is not None and total is None:
                    total = row.score

                continue

            def get(i):
                return row.cells[i].text.strip() if i is not None and i < len(row.cells) else ""

            if get(col1):
                level1, level2 = get(col1), ""
            if get(col2):
                level2 = get(col2)
            if not row.name or row.weight is None or row.weight <= 0 or row.name in (level1, level2) and not (
                    row.target or row.actual):
                continue
            item = {"level1": level1 or "绩效指标", "level2": level2 or None, "name": row.name,
                    "target": row.target.strip() or None, "actual": row.actual.strip() or None,
                    "weight": _num(Decimal(str(row.weight))),
                    "score": _num(Decimal(str(row.score))) if row.score is not None else None,
                    "reason": row.reason.strip() or None}
            if item["target"] is None:
                continue
            for extra in ({}, {"qualitative": True}):
                try:
                    Indicator.model_validate({**item, **extra})
                except ValidationError:
                    continue
                out.append(_clean({**item, **extra}))
                break
        if out:
            break
    return out, total


def _paragraphs(a, start: int, end: int, instructions: list[str]):
    """(text, start, end) of the prose paragraphs in [start, end) of the analysis text, with
    template instruction sentences removed."""
    for line in a.lines:
        if line.start < start or line.end > end or line.heading or line.is_table:
            continue
        text = line.text.strip()
        if text.startswith("#"):
            continue
        for instr in instructions:
            if instr and instr in _key(text):
                text = _remove(text, instr)
        text = text.strip()
        if text:
            yield text, line.start, line.end


def _remove(text: str, needle_key: str) -> str:
    """``text`` without the span whose whitespace-free form is ``needle_key``."""
    keys, pos = [], []
    for i, ch in enumerate(text):
        if not ch.isspace() and ch != "\u3000":
            keys.append(ch)
            pos.append(i)
    flat = "".join(keys)
    i = flat.find(needle_key)
    if i < 0:
        return text
    return text[: pos[i]] + text[pos[i + len(needle_key) - 1] + 1 :]


# --- writing -----------------------------------------------------------------------------------
def _num(d: Decimal | None) -> int | float | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None and v != [] and v is not False}


def facts_to_data(facts: Facts) -> dict:
    """Plain data in the facts file's key order, without empty optional fields."""
    b = facts.budget
    return _clean({
        "template": facts.template,
        "year": facts.year,
        "unit": _clean({"name": facts.unit.name, "department": facts.unit.department, "profile": facts.unit.profile}),
        "project": _clean({"name": facts.project.name, "description": facts.project.description,
                           "goal": facts.project.goal}),
        "budget": _clean({
            "unit": b.unit,
            "initial": _num(b.initial),
            "adjusted": _num(b.adjusted),
            "spent": _num(b.spent),
            "execution_weight": _num(b.execution_weight),
            "adjustment_reason": b.adjustment_reason,
            "underspend_reason": b.underspend_reason,
            "spent_over_reason": b.spent_over_reason,
            "sources": [_clean({"name": s.name, "initial": _num(s.initial), "adjusted": _num(s.adjusted),
                                "spent": _num(s.spent)})
                        for s in b.sources],
        }),
        "indicators": [
            _clean({
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "target": i.target.text,
                "actual": _num(i.actual) if isinstance(i.actual, Decimal) else i.actual,
                "unit": i.unit,
                "weight": _num(i.weight),
                "score": _num(i.score),
                "reason": i.reason,
                "qualitative": i.qualitative,
            })
            for i in facts.indicators
        ],
        "self_score": _num(facts.self_score),
        "uses": [_clean({"name": u.name, "budget": _num(u.budget), "spent": _num(u.spent), "output": u.output})
                 for u in facts.uses],
        "achievements": list(facts.achievements),
        "problems": list(facts.problems),
        "improvements": list(facts.improvements),
        "evidence": list(facts.evidence),
    })


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_facts(facts: Facts, path: str | Path) -> None:
    """Write ``facts`` as YAML (allow_unicode, keys in the facts file's order; JSON for a .json
    path) that ``load_facts`` reads back to the same ``Facts``."""
    dump_data(facts_to_data(facts), path)


def data_text(data: dict, fmt: str = "yaml") -> str:
    """Facts-file data as YAML (or JSON) text."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)


def dump_data(data: dict, path: str | Path) -> None:
    """Write facts-file data (``facts_to_data``'s or ``extract_data``'s) as YAML, or JSON for a
    .json path."""
    from drafter.files import write_text_atomic

    p = Path(path)
    write_text_atomic(p, data_text(data, "json" if p.suffix.lower() == ".json" else "yaml"))
