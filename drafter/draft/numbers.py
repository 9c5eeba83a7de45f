"""Every number of a text with its role, for the figure guard: a quantity (with the unit or
measure word written after it, "" for a bare number), a year, a date (month, day), or an
ordinal (list and section numbering: 一、 （二） (3) 1. 一是 第四, levels such as 三级, quarters,
the text's own parts: 两个方面). Arabic and
Chinese numerals alike; full-width digits read as ASCII. The guard admits a quantity only when
the facts hold it, a year or date only when the facts name it; ordinals count places, not things.

Chinese numerals are numbers where they count something: a run with 十/百/千/万/亿 or 点
(二十, 三点五), or a single digit before a measure word (三倍, 五个). 一 alone (一体化, 一次办)
and numerals inside quotation marks or titles (“两个确保”, 《十四五规划》) are words."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

from drafter.text.figures import COUNT_UNITS
from drafter.text.numerals import parse as parse_chinese

Role = Literal["quantity", "year", "date", "ordinal"]

_FULL = str.maketrans("０１２３４５６７８９．", "0123456789.")

# measure words and units a number may carry besides the figure module's (amounts, percents,
# scores and its counts are judged there); the longest first
_UNITS = sorted({*COUNT_UNITS, "倍", "秒", "毫秒", "分钟", "核", "年", "月", "日", "号", "周", "季度", "岁", "届",
                 "轮", "版", "级", "类", "等", "档", "星", "成", "笔", "位数", "兆", "亿", "万", "千", "百", "元"},
                key=len, reverse=True)
_UNIT = re.compile("|".join(map(re.escape, _UNITS)))
_LEVEL = {"级", "类", "等", "档", "星"}  # 三级指标, 一类事业单位, 二等奖: places, not quantities
_CN_DIGIT = "零〇一二两三四五六七八九"
_TOKEN = re.compile(
    r"(?P<ar>(?<![A-Za-z\d.,])\d+(?:,\d{3})*(?:\.\d+)?)"
    rf"|(?P<cn>[{_CN_DIGIT}十][{_CN_DIGIT}十百千万亿]*(?:点[{_CN_DIGIT}]+)?)"
)
# 2023-12-31, 2023/12, 2023.12.31
_NUMERIC_DATE = re.compile(r"(?<![\d.])((?:19|20)\d{2})([-/.])(\d{1,2})(?:\2(\d{1,2}))?(?![\d.])")
# matched where a number ends ("(?<!\s)": a search over a run of blanks starts at the run's start)
_RANGE = re.compile(r"(?<!\s)\s*(?:-|—|–|~|～|至|到)\s*")
_LIST_BEFORE = re.compile(r"(?:^|[\n：:；;。，,！？!?])[ \t#]*$")
_LINE_START = re.compile(r"(?:^|\n)[ \t#]*$")
# characters after a number that are not its measure word: 3200 以上, 99.99，同比
_NOT_UNIT = set("以上下内外余多左右及和与或至到的了在是为把被将从对于并且而同比较后前间中共约近超达占")
# the text's own parts: 两个方面, 三个部分 count the writing, not the project
_STRUCTURE = re.compile(r"(?<![ \t])[ \t]*(?:方面|部分|层面|环节|步骤)")  # matched after a unit
_OPENER = re.compile("[“《「]")
_CLOSER = {"“": "”", "《": "》", "「": "」"}


@dataclass(frozen=True)
class Number:
    value: float
    unit: str  # the measure word after it ("倍", "秒", "核"); "" for a bare number
    role: Role
    text: str  # the number and its unit as written
    start: int
    end: int
    month: int = 0  # a date's month and day (0: not given)
    day: int = 0


def _quoted(t: str) -> list[tuple[int, int, bool]]:
    """(start, end, a 《title》?) of each quotation of one line, “…”, 《…》 or 「…」: what
    ``re.finditer("“[^”\\n]*”|《[^》\\n]*》|「[^」\\n]*」", t)`` finds, in linear time. The pattern
    read a line of openers without their closer again from each opener (issue 13); here the next
    closer of each kind is looked for once, and a kind whose closer is not on the line is not
    looked for again before the line ends."""
    out: list[tuple[int, int, bool]] = []
    closer_at: dict[str, int] = {}  # the next closer of each kind after the openers read so far
    no_closer_before: dict[str, int] = {}  # no closer of the kind on the line before this offset
    pos = 0
    while m := _OPENER.search(t, pos):
        p = m.start()
        close = _CLOSER[t[p]]
        pos = p + 1
        if p < no_closer_before.get(close, -1):
            continue
        q = closer_at.get(close, -1)
        if q <= p:
            q = t.find(close, p + 1)
            closer_at[close] = q = len(t) if q < 0 else q
        line_end = t.find("\n", p + 1, q)
        if line_end >= 0 or q == len(t):
            no_closer_before[close] = line_end if line_end >= 0 else len(t)
            continue
        out.append((p, q + 1, t[p] == "《"))
        pos = q + 1
    return out


def numbers(text: str, skip: list[tuple[int, int]] = ()) -> list[Number]:
    """Every number of ``text`` in order, except those overlapping the spans of ``skip``
    (the figures another reader has judged)."""
    t = text.translate(_FULL)
    taken = sorted(skip)
    out: list[Number] = []
    for m in _NUMERIC_DATE.finditer(t):
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4) or 0)
        if 1 <= month <= 12 and day <= 31 and not _overlaps(taken, m.start(), m.end()):
            out.append(Number(year, "年", "year", m.group(0), m.start(), m.end(), month, day))
            taken.append((m.start(), m.end()))
    quoted = _quoted(t)  # in order, apart
    starts = [s for s, _, _ in quoted]
    raw = []  # (match, value, judged here): a skipped figure still ends a range (3-5 个)
    for m in _TOKEN.finditer(t):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and m.end() < quoted[i][1] and (m.group("cn") or quoted[i][2]):
            continue  # a name: “两个确保”, 《2023 年工作要点》
        value = _value(m)
        if value is not None:
            raw.append((m, value, not _overlaps(taken, m.start(), m.end())))
    last = None
    for i, (m, value, mine) in enumerate(raw):
        if not mine:
            continue
        n = _classify(t, m, value, raw[i + 1] if i + 1 < len(raw) else None, last)
        if n is not None:
            out.append(n)
            last = n
    out.sort(key=lambda n: n.start)
    return out


def _overlaps(spans, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _value(m: re.Match) -> float | None:
    if m.group("ar"):
        return float(m.group("ar").replace(",", ""))
    cn = m.group("cn")
    return parse_chinese(cn)


def _unit_after(t: str, end: int) -> tuple[str, int]:
    """The unit written after a number (spaces allowed between), and where it ends."""
    i = end
    while i < len(t) and t[i] in " \t":
        i += 1
    u = _UNIT.match(t, i)
    if u:
        return u.group(0), u.end()
    if i < len(t) and "\u4e00" <= t[i] <= "\u9fff" and t[i] not in _NOT_UNIT:
        return t[i], i + 1  # a measure word of its own: 64 核, 3 台次
    return "", end


def _classify(t: str, m: re.Match, value: float, nxt, prev: Number | None) -> Number | None:
    start, end = m.start(), m.end()
    word = m.group(0)
    chinese = m.group("cn") is not None
    before = t[max(0, start - 1) : start]
    after = t[end : end + 1]
    # ordinals: 一、 （二） (3) 1. 1.2 一是 其二 第四
    if re.search(r"[第其][ \t]*$", t[max(0, start - 3) : start]):
        return Number(value, "", "ordinal", word, start, end)
    if chinese and after == "是":
        return Number(value, "", "ordinal", word, start, end)
    if before in "（(" and before and after in "）)" and after:
        return Number(value, "", "ordinal", word, start, end)
    if after in ("、", "）", ")", ".") and after and _LIST_BEFORE.search(t, max(0, start - 40), start):
        return Number(value, "", "ordinal", word, start, end)
    if "." in word and not chinese and _LINE_START.search(t, max(0, start - 40), start) and t[end : end + 1].isspace():
        return Number(value, "", "ordinal", word, start, end)  # a section number: 2.1 资金
    unit, unit_end = _unit_after(t, end)
    # a range takes the unit of its second number: 3-5 个, 2023—2025 年, 1-12 月
    if not unit and nxt is not None:
        gap = _RANGE.fullmatch(t, end, nxt[0].start())
        if gap:
            unit, _ = _unit_after(t, nxt[0].end())
            unit_end = end
    if chinese:
        # 一体化, 统一, 三农, 十分, 十全十美: words; 三倍, 二十, 三点五: numbers
        positional = any(c in word for c in "十百千万亿点")
        if word in ("一", "〇", "零") or (unit and unit not in _UNITS) or (not positional and not unit):
            return None
    shown = t[start:unit_end] if unit and unit_end > end else word
    text = shown.strip()
    if unit in _LEVEL or (unit == "个" and value <= 10 and _STRUCTURE.match(t, unit_end)):
        return Number(value, unit, "ordinal", text, start, unit_end)
    if unit == "季度" and value <= 4:
        return Number(value, unit, "ordinal", text, start, unit_end)  # 二季度: a quarter of the year
    if unit in ("年",) and 1000 <= value <= 2999 and value == int(value) and (chinese or len(word) == 4):
        return Number(value, unit, "year", text, start, max(unit_end, end))
    if unit == "月" and 1 <= value <= 12 and value == int(value):
        return Number(value, unit, "date", text, start, max(unit_end, end), month=int(value))
    if (unit in ("日", "号") and prev is not None and prev.role == "date" and prev.month and not prev.day
            and re.fullmatch(r"\s*(?:[-—–~至到]\s*)?", t[prev.end : start]) is not None and 1 <= value <= 31):
        return Number(value, unit, "date", text, start, max(unit_end, end), month=prev.month, day=int(value))
    if not chinese and after.isascii() and after.isalpha():
        return None  # a name or code: 5G, 4K
    return Number(value, unit, "quantity", text, start, max(unit_end, end))
