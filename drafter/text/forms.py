"""The national 项目支出绩效自评表 read from its cells, whatever the layout it arrived in: a Markdown
or Word table, cells flattened into one line separated by spaces, pipe rows broken over several
lines, or one cell per line with blank lines between (as web pages and PDF extraction give it).

The text is cut into cells at ``|``, line breaks and runs of spaces. The header names the
columns and their order (年初预算数 全年预算数 全年执行数 分值 执行率 得分; 三级指标 年度指标值 实际完成值
分值 得分 偏差原因…) and the unit of the amounts (``项目资金（万元）``); a row is its label followed by
its values. A row whose values cannot be put in the header's columns without guessing is left
out: a figure read into the wrong column would be a false alarm. A row whose cells a PDF glued
into one run of digits (年度资金总额:86.585.3598.67%) is cut only the one way its own arithmetic
allows (``solve_glued``, ``_glued_block``).

The module is longer than the ~600 lines of the others: the layouts (flattened, headed,
one-column, cell-per-line) share the cell cutter, the header reader and the row reader, and
each is a few dozen lines once those are shared; split by layout, every part would import the
others' internals.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from drafter.text.figures import rate_fits
from drafter.text.tables import Cell, Table

# a cell: text between separators (pipes, line breaks, runs of blanks)
_CELL = re.compile(r"[^|\n \t\u3000\u00a0]+")
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_AMOUNT = re.compile(r"^(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(万元|元|万)?$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")
_BLANK = re.compile(r"^[-—–/／]+$")
# the label opening the funds block's total row, and a unit in the block's title
_TOTAL = re.compile(r"^年度(?:财政|预算)?资金总额[）)]?[：:]?$")
_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[)）]|单位[：:]\s*(万元|元)")
_FUNDS_TITLE = re.compile(r"项目资金|资金情况|资金投入情况|预算执行情况|年度预算申请|资金安排")
# header columns of the funds block, in the words tables use
_FUNDS_COLUMNS = [
    ("initial", re.compile(r"年初预算数?")),
    ("budget", re.compile(r"全年预算数?|调整后预算数?|(?<![年初])预算数")),
    ("spent", re.compile(r"全年执行数|实际执行数|执行数|实际支出数?")),
    ("weight", re.compile(r"分值")),
    ("rate", re.compile(r"(?:预算)?执行率")),
    ("score", re.compile(r"(?:自评)?得分")),
]
_BRACKETS = re.compile(r"[（(][^（）()]*[)）]")
_WEIGHT_HINT = re.compile(r"得分[（(](\d+)分?[*×xX]执行率")
# a sub-row of the funds block: a source of the money
_SOURCE = re.compile(r"财政拨款|结转|其他资金|中央|省级|市级|县级|区级|本级|地方|自筹|"
                     r"彩票|补助|专项|配套|一般公共预算|政府性基金|专户")
# what ends the funds block
_FUNDS_END = re.compile(r"年度总体目标|总体目标|预期目标|资金管理情况|绩效指标|一级指标|年度目标")


@dataclass
class Value:
    cell: Cell
    value: float | None  # None: a blank cell (—)
    kind: str  # amount | percent | number | blank
    decimals: int = 0


@dataclass
class FundsRow:
    label: Cell
    cells: dict[str, Value]  # column -> value
    start: int
    end: int

    def get(self, column: str) -> float | None:
        v = self.cells.get(column)
        return v.value if v is not None else None


@dataclass
class FundsBlock:
    columns: list[str]
    unit: str  # 万元 | 元
    total: FundsRow
    parts: list[FundsRow] = field(default_factory=list)
    start: int = 0
    end: int = 0
    weight: str = ""  # the 分值 the header states when there is no 分值 column (得分（20分*执行率）)


def cells(text: str, start: int = 0, end: int | None = None) -> list[Cell]:
    return [Cell(m.group(0), m.start(), m.end())
            for m in _CELL.finditer(text, start, len(text) if end is None else end)]


def _value(cell: Cell) -> Value | None:
    t = cell.text.rstrip("：:")
    m = _PERCENT.match(t)
    if m:
        digits = m.group(1)
        return Value(cell, float(digits), "percent", len(digits.split(".")[1]) if "." in digits else 0)
    m = _AMOUNT.match(t)
    if m:
        digits = m.group(1).replace(",", "")
        return Value(cell, float(digits), "amount" if m.group(2) else "number",
                     len(digits.split(".")[1]) if "." in digits else 0)
    if _BLANK.match(t):
        return Value(cell, None, "blank")
    return None


def _split_label_value(cell: Cell) -> list[Cell]:
    """``按支出性质分：1925.67`` is a label and a value in one cell."""
    m = re.match(r"^(.*?[：:])(-?\d[\d,]*(?:\.\d+)?(?:万元|元|%)?)$", cell.text)
    if not m or not m.group(1).strip("：:"):
        return [cell]
    cut = cell.start + len(m.group(1))
    return [Cell(m.group(1), cell.start, cut), Cell(m.group(2), cut, cell.end)]


_ANCHOR = re.compile(r"年度(?:财政|预算)?资金总额")


def funds_blocks(text: str, skip: list[tuple[int, int]] = ()) -> list[FundsBlock]:
    """Every funds block of 自评表 form in ``text`` (analysis text), but those whose total row
    stands in a span of ``skip`` (read otherwise); cells are cut only around the total rows."""
    out = []
    # a row whose cells a PDF glued together (年度资金总额:21182118100%): read only when one way of
    # cutting it fits (``_glued_block``); when none does, the row is read as before or left out
    for m in _GLUED_TOTAL.finditer(text):
        if not any(a <= m.start() < b for a, b in skip):
            block = _glued_block(text, m)
            if block is not None:
                out.append(block)
    for anchor in _ANCHOR.finditer(text):
        if any(a <= anchor.start() < b for a, b in skip) or any(b.start <= anchor.start() < b.end for b in out):
            continue
        lo = max(0, anchor.start() - 600)
        all_cells = [piece for c in cells(text, lo, min(len(text), anchor.end() + 1200))
                     for piece in _split_label_value(c)]
        i = next((k for k, c in enumerate(all_cells) if c.start >= anchor.start() and _TOTAL.match(c.text)), None)
        if i is None:
            continue
        block = _read_block(text, all_cells, i) or _one_column_block(text, all_cells, i)
        if block is not None:
            out.append(block)
    for m in _SPENT_HEADER.finditer(text):
        if any(a <= m.start() < b for a, b in skip) or any(b.start - 200 <= m.start() < b.end for b in out):
            continue
        block = _headed_block(text, m.start())
        if block is not None:
            out.append(block)
    return sorted(out, key=lambda b: b.start)


_SPENT_HEADER = re.compile(r"全年执行数")


def _column_of(cell: Cell) -> str | None:
    t = _BRACKETS.sub("", cell.text)
    return next((name for name, rx in _FUNDS_COLUMNS if rx.fullmatch(t)), None)


def _headed_block(text: str, at: int) -> FundsBlock | None:
    """A funds block whose row labels a PDF moved elsewhere: the header (年初预算数 全年预算数
    全年执行数 分值 执行率 得分) runs straight into the total row's values, the sub-rows' values
    follow, and a rate left out of the row may have landed further down the form."""
    all_cells = cells(text, max(0, at - 200), min(len(text), at + 400))
    k = next((n for n, c in enumerate(all_cells) if c.start >= at), None)
    if k is None:
        return None
    first = k
    while first > 0 and _column_of(all_cells[first - 1]):
        first -= 1
    last = k
    while last + 1 < len(all_cells) and _column_of(all_cells[last + 1]):
        last += 1
    columns = [_column_of(c) for c in all_cells[first : last + 1]]
    if (None in columns or len(columns) != len(set(columns)) or "spent" not in columns
            or not {"budget", "initial"} & set(columns) or last + 1 >= len(all_cells)):
        return None
    values, _ = _row_values(all_cells, last + 1)
    # the sub-rows' values follow with nothing between: the total row is as long as the header,
    # or one shorter when its rate cell is empty
    cells_of = None
    for n in (len(columns), len(columns) - 1):
        if len(values) >= n:
            cells_of = _assign(columns, values[:n], total=True)
            if cells_of is not None:
                break
    if cells_of is None:
        return None
    start, end = all_cells[first].start, values[n - 1].cell.end
    label = Cell("年度资金总额", values[0].cell.start, values[0].cell.start)
    form_end = _FORM_END.search(text, end, end + 800)
    near = text[max(0, at - 300) : form_end.start() if form_end else end + 800]
    unit_m = _UNIT.search(near)
    block = FundsBlock(columns, (unit_m.group(1) or unit_m.group(2)) if unit_m else "",
                       FundsRow(label, cells_of, start, end), start=start, end=end)
    if "rate" in columns and "rate" not in cells_of:
        rate = _moved_rate(text, cells_of, end, form_end.start() if form_end else end + 800)
        if rate is not None:
            cells_of["rate"] = rate
    return block


_FORM_END = re.compile(r"一级指标|三级指标|绩效指标")
_COMPARISON_BEFORE = re.compile(r"[≥≤><=＝]|不低于|不高于|达到|以上|以下")


def _moved_rate(text: str, row: dict[str, Value], start: int, end: int) -> Value | None:
    """The first percentage between the block and the indicator table, when it is within a point
    of 全年执行数 ÷ 全年预算数: the rate cell a PDF moved (a percentage further off is some other
    figure, and a bound such as ≥90% is a target)."""
    budget, spent = row.get("budget") or row.get("initial"), row.get("spent")
    if budget is None or spent is None or not budget.value or spent.value is None:
        return None
    exact = spent.value / budget.value * 100
    for c in cells(text, start, end):
        v = _value(c)
        if v is None or v.kind != "percent":
            continue
        if _COMPARISON_BEFORE.search(text, max(0, c.start - 3), c.start):
            return None
        return v if abs(v.value - exact) <= 1 else None
    return None


def _header(text: str, anchor: int) -> tuple[list[str], str] | None:
    """The columns named between the block's title and its total row, in order, and the unit."""
    lo = max(0, anchor - 400)
    region = text[lo:anchor]
    title = None
    for m in _FUNDS_TITLE.finditer(region):
        title = m
    if title is not None:
        region = region[title.start() :]
    unit_m = _UNIT.search(region)
    unit = (unit_m.group(1) or unit_m.group(2)) if unit_m else ""
    flat = _BRACKETS.sub("", re.sub(r"[\s|]+", "", region))
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name, rx in _FUNDS_COLUMNS:
        for m in rx.finditer(flat):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            found.append((m.start(), name))
            taken.append(m.span())
            break
    columns = [name for _, name in sorted(found)]
    if "spent" not in columns or not {"budget", "initial"} & set(columns):
        return None
    if len(columns) != len(set(columns)):
        return None
    # a weight stated in the header instead of a 分值 column: 得分（20分*执行率）
    weight = _WEIGHT_HINT.search(re.sub(r"[\s|]+", "", region))
    return columns, unit, weight.group(1) if weight else ""


def _row_values(all_cells: list[Cell], j: int) -> tuple[list[Value], int]:
    """The values following cell ``j`` up to the next cell that is not a value."""
    values = []
    while j < len(all_cells):
        v = _value(all_cells[j])
        if v is None:
            break
        values.append(v)
        j += 1
    return values, j


_WEIGHTS = {5.0, 10.0, 15.0, 20.0, 25.0, 30.0}


def _assign(columns: list[str], values: list[Value], total: bool) -> dict[str, Value] | None:
    """The values put in their columns, or None when that takes a guess."""
    if not values:
        return None
    if len(values) == len(columns):
        out = dict(zip(columns, values))
        return out if _consistent(out) else None
    amounts = [c for c in columns if c in ("initial", "budget", "spent")]
    rest = [c for c in columns if c not in amounts]
    percents = [k for k, v in enumerate(values) if v.kind == "percent"]
    if len(percents) > 1:
        return None
    if percents and "rate" in columns:
        if total and "weight" in columns and len(values) < len(columns) - 1:
            return None  # two cells short of the header: which are empty is a guess
        p = percents[0]
        pre, post = values[:p], values[p + 1 :]
        after_rate = columns[columns.index("rate") + 1 :]
        if len(post) > len(after_rate):
            return None
        out = dict(zip(after_rate, post))
        out["rate"] = values[p]
        before = [c for c in columns[: columns.index("rate")] if c not in amounts]  # weight
        if before == ["weight"]:
            score = out.get("score")
            weight_like = pre and pre[-1].value in _WEIGHTS and (
                score is None or score.value is None or score.value <= pre[-1].value)
            if len(pre) == len(amounts) + 1 or (weight_like and len(pre) <= len(amounts)):
                out["weight"] = pre[-1]
                pre = pre[:-1]
        if len(pre) > len(amounts) or (total and before == ["weight"] and "weight" not in out):
            return None  # the total row's 分值 could not be told from its amounts
        # amounts are written from the right: an empty 年初预算数 is the one left out
        out.update(dict(zip(amounts[len(amounts) - len(pre) :], pre)))
        return out if _consistent(out) else None
    if not total:
        # a sub-row carries its amounts only
        if len(values) <= len(amounts) and all(v.kind != "percent" for v in values):
            out = dict(zip(amounts, values))
            return out if _consistent(out) else None
        return None
    if "rate" in columns and len(values) == len(columns) - 1 and rest == ["weight", "rate", "score"]:
        # the rate cell left empty: amounts, 分值, 得分
        w, s = values[-2], values[-1]
        if w.value in _WEIGHTS and s.value is not None and s.value <= w.value and len(values) - 2 == len(amounts):
            out = dict(zip(amounts, values[:-2]))
            out.update(weight=w, score=s)
            return out if _consistent(out) else None
    return None


def _consistent(out: dict[str, Value]) -> bool:
    """Kinds fit their columns: no percent among the amounts, the 分值 a plausible weight."""
    for col, v in out.items():
        if col in ("initial", "budget", "spent") and v.kind == "percent":
            return False
        if col == "rate" and v.kind == "amount":
            return False
        if col == "weight" and v.value is not None and not 0 < v.value <= 100:
            return False
        if col == "score" and v.value is not None and v.kind == "percent":
            return False
    w, s = out.get("weight"), out.get("score")
    if w is not None and s is not None and w.value is not None and s.value is not None and s.value > w.value:
        return False  # a score above its weight: the cells were put in the wrong columns
    return True


def _read_block(text: str, all_cells: list[Cell], i: int) -> FundsBlock | None:
    head = _header(text, all_cells[i].start)
    if head is None:
        return None
    columns, unit, weight = head
    values, j = _row_values(all_cells, i + 1)
    cells_of = _assign(columns, values, total=True)
    if cells_of is None:
        return None
    total = FundsRow(all_cells[i], cells_of, all_cells[i].start, values[-1].cell.end)
    block = FundsBlock(columns, unit, total, start=total.start, end=total.end, weight=weight)
    # the sub-rows: a label (one or more cells: 其中：当年财政 拨款) and its values
    while j < len(all_cells) and len(block.parts) < 8:
        # a label may be cut over cells (其中：当年财政 / 拨款); it ends where it names a source
        k, label = j, ""
        while k < len(all_cells) and _value(all_cells[k]) is None and k - j < 4:
            label += all_cells[k].text
            k += 1
            if _SOURCE.search(label) or _FUNDS_END.search(label) or label.endswith(("：", ":")):
                break
        label_cells = all_cells[j:k]
        if not label_cells or _FUNDS_END.search(label) or _TOTAL.match(label):
            break
        if not _SOURCE.search(label):
            break
        values, nxt = _row_values(all_cells, k)
        if label.endswith(("：", ":")) and len(values) <= 1:
            break  # 按收入性质分：2030.12: a department's breakdown, not a row of the block
        assigned = _assign(columns, values, total=False) if values else {}
        if assigned is None:
            break
        lab = Cell(label, label_cells[0].start, label_cells[-1].end)
        end = values[-1].cell.end if values else lab.end
        block.parts.append(FundsRow(lab, assigned, lab.start, end))
        block.end = end
        j = nxt
    return block


def _one_column_block(text: str, all_cells: list[Cell], i: int) -> FundsBlock | None:
    """A block with no column header: 年度预算资金总额：321.25, then its sources one value each
    (其中：中央补助 166.00 / 市级资金 136.00 / 本级资金 20.25), the amounts of the budget."""
    if _header(text, all_cells[i].start) is not None:
        return None  # a header the values did not fit: not this layout
    values, j = _row_values(all_cells, i + 1)
    if len(values) != 1 or values[0].kind == "percent" or values[0].value is None:
        return None
    total = FundsRow(all_cells[i], {"budget": values[0]}, all_cells[i].start, values[0].cell.end)
    unit_m = _UNIT.search(text, max(0, all_cells[i].start - 80), all_cells[i].start)
    block = FundsBlock(["budget"], (unit_m.group(1) or unit_m.group(2)) if unit_m else "", total,
                       start=total.start, end=total.end)
    while j < len(all_cells) and len(block.parts) < 8:
        k, label = j, ""
        while k < len(all_cells) and _value(all_cells[k]) is None and k - j < 4:
            label += all_cells[k].text
            k += 1
            if _SOURCE.search(label):
                break
        if not _SOURCE.search(label) or _FUNDS_END.search(label):
            break
        row, nxt = _row_values(all_cells, k)
        if len(row) != 1 or row[0].kind == "percent":
            break
        lab = Cell(label, all_cells[j].start, all_cells[k - 1].end)
        block.parts.append(FundsRow(lab, {"budget": row[0]}, lab.start, row[0].cell.end))
        block.end = row[0].cell.end
        j = nxt
    return block if len(block.parts) >= 2 else None


# --- glued rows: a PDF's text layer with a row's cells run together (年度资金总额:21182118100%) ------
# the total row's label and, right after it, a token of digits and points ending at a percent sign
_GLUED_TOTAL = re.compile(r"(?P<label>年度(?:财政|预算)?[ \u3000]?资金总额[）)]?[：:]?)[ \u3000|]*"
                          r"(?P<pre>\d[\d.]{0,40})%(?P<post>\d+(?:\.\d+)?)?")
_GLUED_ROW = re.compile(r"(?P<pre>\d[\d.]{0,40})%")
_GLUED_NUMBER = re.compile(r"(?:0|[1-9]\d*)(?:\.(\d+))?")
_CLEAN_DECIMALS = re.compile(r"(?<![\d.])\d+\.(\d+)(?![\d.%])")
_AMOUNTS = ("initial", "budget", "spent")
_DIGIT = re.compile(r"\d")
_CLAUSE = re.compile(r"[。，；,;]")
_GLUED_PARTS = 8


@dataclass
class Cut:
    """One way of putting a glued row's digits in its columns: column -> (start, end, value,
    decimals), offsets in the text."""
    pieces: dict[str, tuple[int, int, float, int]]

    def value(self, column: str) -> float | None:
        p = self.pieces.get(column)
        return p[2] if p is not None else None

    @property
    def base(self) -> str:
        return "budget" if "budget" in self.pieces else "initial"

    def rate_holds(self) -> bool:
        """The rate is 执行数 ÷ 预算数, rounded or cut to its own decimals; 0% only for nothing
        spent (a 0% beside money spent is digits of the rate taken into the amounts)."""
        budget, spent, rate = self.value(self.base), self.value("spent"), self.pieces.get("rate")
        if not budget or spent is None or rate is None or (rate[2] == 0) != (spent == 0):
            return False
        return rate_fits(rate[2], rate[3], spent / budget * 100)

    def repeats(self) -> bool:
        """Every amount the same number, of at least two digits, written two or three times."""
        amounts = [p for c, p in self.pieces.items() if c in _AMOUNTS]
        return (len(amounts) >= 2 and len({(v, d) for _, _, v, d in amounts}) == 1
                and amounts[0][1] - amounts[0][0] >= 2)

    def score_holds(self, weight: float | None) -> bool:
        """得分 = 分值 × 执行率 (capped at 100%) to the score's own decimals, where both are there."""
        score, weight = self.pieces.get("score"), self.value("weight") or weight
        budget, spent = self.value(self.base), self.value("spent")
        if score is None or not weight or not budget or spent is None:
            return True
        expected = min(spent / budget, 1.0) * weight
        return abs(score[2] - expected) <= 0.5 * 10 ** -score[3] + 1e-9


def _glued_piece(s: str, column: str, decimals: int, weight: float | None, limit: float) -> tuple[float, int] | None:
    """A piece of a glued token as the value of ``column``: a number without a leading zero, an
    amount with at most ``decimals`` decimals and below ``limit`` (a project's, not a country's),
    a 分值 a usual weight, a 得分 at most its 分值."""
    m = _GLUED_NUMBER.fullmatch(s)
    if not m:
        return None
    d = len(m.group(1) or "")
    v = float(s)
    if column in _AMOUNTS and (d > decimals or v >= limit):
        return None
    if column == "weight" and (d or v not in _WEIGHTS):
        return None
    if column in ("rate", "score") and d > 2:
        return None
    if column == "score" and weight is not None and v > weight:
        return None
    return v, d


def _glued_splits(s: str, at: int, columns: list[str], decimals: int, weight: float | None,
                  limit: float) -> list[dict[str, tuple[int, int, float, int]]]:
    """Every way to cut ``s`` (at offset ``at`` in the text) into one piece per column."""
    if not columns:
        return [{}] if not s else []
    out = []
    ends = [len(s)] if len(columns) == 1 else range(1, len(s) - len(columns) + 2)
    for k in ends:
        got = _glued_piece(s[:k], columns[0], decimals, weight, limit)
        if got is None:
            continue
        w = got[0] if columns[0] == "weight" else weight
        for rest in _glued_splits(s[k:], at + k, columns[1:], decimals, w, limit):
            out.append({columns[0]: (at, at + k, *got), **rest})
    return out


def _is_glued(pre: str) -> bool:
    """Digits before a percent sign that are no rate of their own (several points, or a rate of
    a thousand percent and more): cells run together. 100% is a rate, not 1 | 0 | 0%."""
    return not _GLUED_NUMBER.fullmatch(pre) or float(pre) >= 1000


def glued_cuts(columns: list[str], pre: str, post: str, at: int, decimals: int,
               weight: float | None = None, limit: float = 1e10) -> list[Cut]:
    """Every cut of a glued row into ``columns`` (the header's, in order; ``rate`` among them):
    ``pre`` the digits before the percent sign (at offset ``at``), ``post`` those after it. An
    empty 年初预算数 may be left out; a 得分 after the rate is there when ``post`` is."""
    r = columns.index("rate")
    before, after = columns[:r], columns[r + 1 :]
    variants = [before]
    if "initial" in before and "budget" in before:
        variants.append([c for c in before if c != "initial"])
    if post and not after:
        return []
    tail = after if post else []
    rate_end = at + len(pre) + 1
    out = []
    for cols in variants:
        if "spent" not in cols:
            continue
        for head in _glued_splits(pre, at, cols + ["rate"], decimals, weight, limit):
            a, b, v, d = head["rate"]
            head["rate"] = (a, b + 1, v, d)  # the percent sign is the rate's
            w = head["weight"][2] if "weight" in head else weight
            for rest in _glued_splits(post, rate_end, tail, decimals, w, limit):
                cut = Cut({**head, **rest})
                if cut.value(cut.base):
                    out.append(cut)
    return out


def solve_glued(columns: list[str], pre: str, post: str = "", at: int = 0, decimals: int = 2,
                weight: float | None = None, limit: float = 1e10) -> tuple[list[Cut], list[Cut]]:
    """(every cut, the cuts that fit): a cut fits when its rate is 执行数 ÷ 预算数; where several
    do, those whose 得分 is also 分值 × 执行率 (the 得分 is the digits after the percent sign
    whatever the cut: a wrong one is the report's, for the rules to find)."""
    cuts = glued_cuts(columns, pre, post, at, decimals, weight, limit)
    fits = [c for c in cuts if c.rate_holds()]
    if len(fits) > 1:
        fits = [c for c in fits if c.score_holds(weight)]
    return cuts, fits


def _glued_decimals(text: str) -> int:
    """The most decimals an amount may have: as many as the report writes where an amount stands
    alone (a glued run of digits is no such amount), two at least (万元 to two places is the
    forms' habit), four at most. Fewer would not make a reading safer: a cut it forbids may be
    the true one, and another then the only one left."""
    return min(4, max([2, *(len(m.group(1)) for m in _CLEAN_DECIMALS.finditer(text))]))


def _glued_values(cut: Cut, text: str) -> dict[str, Value]:
    return {col: Value(Cell(text[a:b], a, b), v, "percent" if col == "rate" else "number", d)
            for col, (a, b, v, d) in cut.pieces.items()}


def _glued_parts(text: str, at: int, columns: list[str], decimals: int,
                 limit: float) -> list[tuple[Cell, list[Cut]]] | None:
    """The 其中 rows after a glued total row, each glued too: [(label, the cuts that fit)];
    None when a row with values cannot be read at all (the rows read would not add up to the
    total)."""
    part_columns = [c for c in columns if c not in ("weight", "score")]
    parts: list[tuple[Cell, list[Cut]]] = []
    pos = at
    while len(parts) < _GLUED_PARTS:
        digit = _DIGIT.search(text, pos, pos + 60)
        label = text[pos : digit.start() if digit else pos + 60]
        if digit is None or _FUNDS_END.search(label):
            return parts
        m = _GLUED_ROW.match(text, digit.start())
        name = label.strip(" \u3000|")
        bare = re.sub(r"^其中[：:]?", "", name)
        if (m is None or not _is_glued(m.group("pre")) or not bare or len(bare) > 20 or _CLAUSE.search(bare)
                or not _SOURCE.search(bare)):
            return None
        _, fits = solve_glued(part_columns, m.group("pre"), "", m.start(), decimals, None, limit)
        if not fits:
            return None
        start = pos + label.index(name)
        parts.append((Cell(name, start, start + len(name)), fits))
        pos = m.end()
    return parts


def _sums_to(cut: Cut, parts: tuple[Cut, ...]) -> bool:
    """The amounts of ``cut`` are the sums of the same columns of ``parts``."""
    return all(all(col in p.pieces for p in parts) and abs(sum(p.value(col) for p in parts) - cut.value(col)) < 5e-4
               for col in _AMOUNTS if col in cut.pieces)


def _glued_block(text: str, m: re.Match) -> FundsBlock | None:
    """A funds block whose total row (and 其中 rows) a PDF glued into one token each. The total
    is read when one cut only fits (``solve_glued``), or, when none does, when one cut only has
    the amounts its 其中 rows add up to (one way of reading them only); the 其中 rows are kept
    when each is read one way, or one way only of reading them adds up to the total."""
    if not _is_glued(m.group("pre")):
        return None
    head = _header(text, m.start())
    if head is None or "rate" not in head[0]:
        return None
    columns, unit, hint = head
    weight = float(hint) if hint else None
    limit = 1e6 if unit == "万元" else 1e10  # 100亿元: no project's budget
    after = columns[columns.index("rate") + 1 :]
    post = (m.group("post") or "") if after else ""
    end = m.end() if post else m.end("pre") + 1
    decimals = _glued_decimals(text)
    cuts, fits = solve_glued(columns, m.group("pre"), post, m.start("pre"), decimals, weight, limit)
    got = _glued_parts(text, end, columns, decimals, limit)
    combos = list(itertools.islice(itertools.product(*(f for _, f in got)), 65)) if got else []
    if len(combos) > 64:
        combos = []
    if len(fits) == 1:
        cut = fits[0]
        adding = [c for c in combos if _sums_to(cut, c)]
        parts = adding[0] if len(adding) == 1 else combos[0] if len(combos) == 1 else ()
    elif not fits:
        pairs = [(c, p) for c in cuts for p in combos if _sums_to(c, p)]
        # no 其中 rows to confirm a cut: the amounts written the same each time (3555035550355501082.12%:
        # 年初 = 全年 = 执行 35550, as most fully spent projects write them) are the one reading left
        same = [c for c in cuts if c.repeats()] if not combos else []
        if len(pairs) == 1:
            cut, parts = pairs[0]
        elif not pairs and len(same) == 1:
            cut, parts = same[0], ()
        else:
            return None
    else:
        return None
    if any({c for c in p.pieces if c in _AMOUNTS} != {c for c in cut.pieces if c in _AMOUNTS} for p in parts):
        parts = ()  # a 年初预算数 in one row and not another: a blank would be summed as 0
    label = Cell(m.group("label"), m.start("label"), m.end("label"))
    row_end = max(b for _, b, _, _ in cut.pieces.values())
    total = FundsRow(label, _glued_values(cut, text), label.start, row_end)
    block = FundsBlock(columns, unit, total, start=total.start, end=row_end, weight=hint)
    for (lab, _), c in zip(got or [], parts):
        e = max(b for _, b, _, _ in c.pieces.values())
        block.parts.append(FundsRow(lab, _glued_values(c, text), lab.start, e))
        block.end = e
    return block


# --- the indicator table ----------------------------------------------------------------------
_INDICATOR_COLUMNS = [
    ("name", re.compile(r"三级指标|指标名称")),
    ("nature", re.compile(r"指标性质")),
    ("target", re.compile(r"(?:年度|年初)?(?:指标值|目标值)")),
    ("unit", re.compile(r"度量单位|计量单位")),
    ("actual", re.compile(r"(?:全年)?实际完成(?:指标)?值|(?:全年)?实际值|完成值|实际完成情况")),
    ("weight", re.compile(r"分值|权重")),
    ("score", re.compile(r"(?:自评)?得分")),
    ("reason", re.compile(r"(?:偏差|未完成)原因[^|\n]{0,20}|原因分析[^|\n]{0,12}")),
]
_LEVEL1 = re.compile(r"^(?:产出|效益|满意度)指标(?:[（(]\d+分?[)）])?$")
_POINTS = re.compile(r"^[（(]?\d+分?[)）]$")  # (50分) under a 一级指标 cut from its name
_LEVEL2 = re.compile(r"^(?:数量|质量|时效|成本|经济成本|社会成本|生态环境成本|经济效益|社会效益|生态效益"
                     r"|可持续影响|服务对象满意度|满意度)(?:指标)?(?:[（(]\d+分?[)）])?$")
_NOT_A_REASON = re.compile(r"^(?:指标\d*[：:]?|……|…+|\.{2,}|其中.*|指标)$")
_NATURE = re.compile(r"^(?:[≥≤=＝═≧≦<>]|>=|<=|大于等于|小于等于|等于|定性)$")
_EFFECT = re.compile(r"效益|可持续影响")
_SATISFACTION = re.compile(r"满意度")
_TOTAL_ROW = re.compile(r"^(?:总分|合计|总计)$")


@dataclass
class IndicatorRow:
    cells: dict[str, Cell]  # column -> cell
    level1: str  # the last 一级指标 seen (产出指标, 效益指标 …)
    level2: str
    start: int
    end: int

    def text(self, column: str) -> str:
        c = self.cells.get(column)
        return c.text if c is not None else ""

    def number(self, column: str) -> float | None:
        v = _value(self.cells[column]) if column in self.cells else None
        return v.value if v is not None else None

    @property
    def is_effect(self) -> bool:
        """An 效益指标 row (its 二级指标 says which, else its 一级指标)."""
        return bool(_EFFECT.search(self.level2 or self.level1))

    @property
    def is_satisfaction(self) -> bool:
        return bool(_SATISFACTION.search(self.level1 + self.level2 + self.text("name")))


@dataclass
class IndicatorTable:
    columns: list[str]
    rows: list[IndicatorRow]
    total: tuple[Cell, list[Value]] | None  # the 总分 row: its label and numbers
    start: int
    end: int
    complete: bool = True  # every cell between the header and the 总分 row was read into a row


def _indicator_header(all_cells: list[Cell], i: int) -> tuple[list[str], int] | None:
    """The columns named from cell ``i`` (一级指标) on, and the index of the first cell after them.
    A column name may be cut over several cells (年度 / 指标值)."""
    columns: list[str] = []
    j = i
    pending = ""
    while j < len(all_cells) and j - i < 24:
        pending += all_cells[j].text
        flat = _BRACKETS.sub("", pending)
        if (re.fullmatch(r"[一二]级指标", flat)
                or flat in ("一级", "二级", "三级", "指标", "年度", "实际", "全年", "年初", "自评", "名称")):
            if re.fullmatch(r"[一二]级指标", flat):
                pending = ""
            j += 1
            continue
        hit = next((name for name, rx in _INDICATOR_COLUMNS if rx.fullmatch(flat)), None)
        if hit is not None:
            if hit in columns:
                return None
            columns.append(hit)
            pending = ""
            j += 1
            continue
        if len(pending) < 12 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", pending) and j + 1 < len(all_cells):
            # a name cut into pieces: try with the next cell
            nxt = pending + all_cells[j + 1].text
            if any(rx.match(_BRACKETS.sub("", nxt)) for _, rx in _INDICATOR_COLUMNS):
                j += 1
                continue
        break
    if pending and not columns:
        return None
    if "name" in columns and not {"weight", "score"} <= set(columns):
        # a header of two rows read one after the other: "年度指标值 实际完成值 分值 得分 偏差原因…"
        # above 一级指标, with 年度指标值 split below it into 指标性质 / 指标值 / 度量单位
        upper = [next((name for name, rx in _INDICATOR_COLUMNS if rx.fullmatch(_BRACKETS.sub("", c.text))), None)
                 for c in all_cells[max(0, i - 8) : i]]
        tail = [c for c in upper if c in ("actual", "weight", "score", "reason") and c not in columns]
        if "target" in upper and tail == [c for c in ("actual", "weight", "score", "reason") if c in tail]:
            columns += tail
    if "name" not in columns or "score" not in columns:
        return None
    if "weight" not in columns and not {"target", "actual"} <= set(columns):
        return None  # without a 分值 column, a table of 得分 only with its target and actual
    return columns[columns.index("name") :], j


def _level_at(all_cells: list[Cell], j: int) -> tuple[int, str, int] | None:
    """A 一级 (1) or 二级 (2) indicator name, or a bare (50分) or 指标 fragment (0), starting at
    cell ``j`` and possibly cut over two or three cells (经济效 / 益指标): (kind, name, next index)."""
    text = ""
    for k in range(j, min(j + 3, len(all_cells))):
        text += all_cells[k].text
        if _LEVEL1.match(text):
            return 1, text, k + 1
        if _LEVEL2.match(text):
            return 2, text, k + 1
        if k == j and (_POINTS.match(text) or text == "指标"):
            return 0, text, k + 1
        if len(text) > 10:
            break
    return None


def _is_number(cell: Cell) -> bool:
    v = _value(cell)
    return v is not None and v.kind in ("number", "amount") and v.value is not None and "万" not in cell.text


def _match_row(all_cells: list[Cell], k: int, columns: list[str]) -> tuple[dict[str, Cell], int] | None:
    """The row starting at cell ``k`` laid out as ``columns``, and the index after it."""
    name = all_cells[k]
    if (_value(name) is not None or _level_at(all_cells, k) is not None or _TOTAL_ROW.match(name.text)
            or _NOT_A_REASON.match(name.text)):
        return None
    out = {"name": name}
    j = k + 1
    for col in columns[1:]:
        if col == "reason":
            break
        if j >= len(all_cells):
            return None
        c = all_cells[j]
        if col in ("weight", "score") and not _is_number(c):
            return None
        if col == "nature" and not _NATURE.match(c.text):
            return None
        if col in ("target", "actual") and _level_at(all_cells, j) is not None:
            return None
        out[col] = c
        j += 1
    s = _value(out["score"]).value
    w = _value(out["weight"]).value if "weight" in out else 100.0  # no 分值 column: a score of the 100
    if not (0 < w <= 100 and 0 <= s <= w * 1.5):
        return None
    return out, j


def indicator_tables(text: str, skip: list[tuple[int, int]] = ()) -> list[IndicatorTable]:
    """The indicator tables of 自评表 form in ``text`` (analysis text), rows in any layout, but
    those whose header stands in a span of ``skip`` (read otherwise)."""
    out = []
    for anchor in re.finditer(r"一级(?!预算)", text):  # not the 一级预算单位 of a cover page
        if any(a <= anchor.start() < b for a, b in skip) or any(t.start <= anchor.start() < t.end for t in out):
            continue
        # from the cell before the header on: it may state the table's points (绩效指标（90分）)
        window = cells(text, max(0, anchor.start() - 120), min(len(text), anchor.start() + 8000))
        out.extend(t for t in _indicator_tables(text, window) if t.start >= anchor.start())
    if not out and "一级" in text:
        table = _numbered_rows(text, skip)
        if table is not None:
            out.append(table)
    return out


_NUMBERED_NAME = re.compile(r"^指标\d{1,2}[：:]")
_NUMBERED_ANYWHERE = re.compile(r"指标\d{1,2}[：:]")  # three of them at least, or no such table
_DEFAULT_COLUMNS = ["name", "target", "actual", "weight", "score"]


def _numbered_rows(text: str, skip: list[tuple[int, int]]) -> IndicatorTable | None:
    """A table whose header was scrambled by a PDF's extraction, read from its numbered rows alone
    ("指标12：孕产妇7天访视数 214人 203人 2 1.8"): name, target and actual in one measure word,
    分值 and 得分. Three such rows at least, or nothing."""
    start = text.find("指标")
    if start < 0 or sum(1 for _ in zip(range(3), _NUMBERED_ANYWHERE.finditer(text, start))) < 3:
        return None
    all_cells = cells(text, start, min(len(text), start + 12000))
    rows = []
    for k, c in enumerate(all_cells):
        if not _NUMBERED_NAME.match(c.text) or any(a <= c.start < b for a, b in skip):
            continue
        got = _match_row(all_cells, k, _DEFAULT_COLUMNS)
        if got is None:
            continue
        cells_of, _ = got
        target, actual = _value(cells_of["target"]), _value(cells_of["actual"])
        unit = re.sub(r"[\d.,%]", "", cells_of["target"].text)
        if target is None and (unit != re.sub(r"[\d.,%]", "", cells_of["actual"].text) or not unit):
            continue
        if target is not None and actual is None:
            continue
        last = max(cells_of.values(), key=lambda x: x.end)
        rows.append(IndicatorRow(cells_of, "", "", cells_of["name"].start, last.end))
    if len(rows) < 3:
        return None
    return IndicatorTable(_DEFAULT_COLUMNS, rows, None, rows[0].start, rows[-1].end, complete=False)


def _indicator_tables(text: str, all_cells: list[Cell]) -> list[IndicatorTable]:
    out = []
    i = 0
    while i < len(all_cells):
        if not re.fullmatch(r"一级(?:指标)?", all_cells[i].text):
            i += 1
            continue
        head = _indicator_header(all_cells, i)
        if head is None:
            i += 1
            continue
        columns, j = head
        rows: list[IndicatorRow] = []
        level1 = level2 = ""
        total = None
        misses = skipped = 0
        while j < len(all_cells) and misses < 30:
            c = all_cells[j]
            level = _level_at(all_cells, j)
            if level is not None:
                kind, label, j = level
                if kind == 1:
                    level1, level2 = label, ""
                elif kind == 2:
                    level2 = label
                continue
            if _TOTAL_ROW.match(c.text):
                values, _ = _row_values(all_cells, j + 1)
                total = (c, values)
                break
            got = _match_row(all_cells, j, columns)
            if got is None:
                misses += 1
                if not _NOT_A_REASON.match(c.text):  # an empty row's 指标2 / …… is no loss
                    skipped += 1
                j += 1
                continue
            cells_of, nxt = got
            if "reason" in columns and nxt < len(all_cells):
                reason = all_cells[nxt]
                if (_value(reason) is None and _level_at(all_cells, nxt) is None and not _TOTAL_ROW.match(reason.text)
                        and not _NOT_A_REASON.match(reason.text) and _match_row(all_cells, nxt, columns) is None):
                    cells_of["reason"] = reason
                    nxt += 1
            last = max(cells_of.values(), key=lambda x: x.end)
            rows.append(IndicatorRow(cells_of, level1, level2, cells_of["name"].start, last.end))
            misses = 0
            j = nxt
        if rows:
            end = total[1][-1].cell.end if total and total[1] else rows[-1].end
            # "绩效指标（90分）" before the header: the table is a part of the 100 points (the funds
            # block's execution score is the rest), its sums are not the total's
            part = re.search(r"[（(](\d+)分[)）]$", all_cells[i - 1].text) if i else None
            whole = skipped == 0 and not (part and int(part.group(1)) < 100)
            out.append(IndicatorTable(columns, rows, total, all_cells[i].start, end, complete=whole))
        i = max(j, i + 1)
    return out


# --- as tables ------------------------------------------------------------------------------------
_FUNDS_HEADER = {"initial": "年初预算数", "budget": "全年预算数", "spent": "全年执行数", "weight": "分值",
                 "rate": "执行率", "score": "得分"}
_INDICATOR_HEADER = {"name": "三级指标", "nature": "指标性质", "target": "年度指标值", "unit": "度量单位",
                     "actual": "实际完成值", "weight": "分值", "score": "得分", "reason": "偏差原因分析及改进措施"}


def _blank(at: int) -> Cell:
    return Cell("", at, at)


def funds_table(block: FundsBlock) -> Table:
    """A funds block as a table: header 项目资金（unit）| the block's columns; the total row first,
    then its parts."""
    at = block.total.label.start
    header = [Cell(f"项目资金（{block.unit}）" if block.unit else "项目资金", at, at)]
    header += [Cell(_FUNDS_HEADER[c] + (f"（{block.weight}分*执行率）" if c == "score" and block.weight else ""),
                    at, at) for c in block.columns]
    rows = []
    for row in [block.total, *block.parts]:
        rows.append([row.label] + [row.cells[c].cell if c in row.cells else _blank(row.end) for c in block.columns])
    return Table(header=header, rows=rows, start=block.start, end=block.end, layout="form")


def indicator_table(it: IndicatorTable) -> Table:
    """An indicator table as a table: 一级指标 | 二级指标 | its columns from 三级指标 on, one row per
    indicator (its 一级/二级 names repeated), and the 总分 row when there is one."""
    at = it.start
    header = ([Cell("一级指标", at, at), Cell("二级指标", at, at)]
              + [Cell(_INDICATOR_HEADER[c], at, at) for c in it.columns])
    rows = []
    for r in it.rows:
        s = r.cells["name"].start
        rows.append([Cell(r.level1, s, s), Cell(r.level2, s, s)]
                    + [r.cells.get(c) or _blank(r.end) for c in it.columns])
    if it.total is not None:
        label, values = it.total
        numbers = [v for v in values if v.value is not None]
        row = [label, _blank(label.end)] + [_blank(label.end) for _ in it.columns]
        tail = [c for c in ("weight", "score") if c in it.columns]
        if len(numbers) == len(tail):
            for c, v in zip(tail, numbers):
                row[2 + it.columns.index(c)] = v.cell
        elif len(numbers) == 1 and "weight" in it.columns:
            # one number: the weights' total when it is their sum, else the scores'
            weights = sum(_value(r.cells["weight"]).value for r in it.rows)
            column = "weight" if abs(numbers[0].value - weights) < 0.01 else "score"
            row[2 + it.columns.index(column)] = numbers[0].cell
        rows.append(row)
    return Table(header=header, rows=rows, start=it.start, end=it.end, layout="form", complete=it.complete)


def form_tables(text: str, taken: list[tuple[int, int]] = ()) -> list[Table]:
    """The 自评表's funds blocks and indicator tables of ``text`` as tables, those that overlap a
    span of ``taken`` (tables read otherwise) left out."""
    out = []
    found = [*(funds_table(b) for b in funds_blocks(text, taken)),
             *(indicator_table(i) for i in indicator_tables(text, taken))]
    for t in found:
        if not any(a < t.end and t.start < b for a, b in taken):
            out.append(t)
    return sorted(out, key=lambda t: t.start)
