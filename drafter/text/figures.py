"""Every figure in a text, with its span: amounts (元/万元/亿元), percentages, counts with
measure words, scores, and the same written in Chinese numerals."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from drafter.text.numerals import parse as parse_chinese

Kind = Literal["amount", "percent", "count", "score"]

AMOUNT_SCALE = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
# Longest first: the alternation takes the first unit that matches.
COUNT_UNITS = (
    "个百分点 人次 户次 平方公里 平方米 公里 千米 万人 万户 万亩 亩 个 项 次 台 家 人 件 套 所 户 名 场 期 批 条 处 座 "
    "吨 册 份 辆 张 篇 枚 本 间 株 头 只 宗 类 种 部 門 村 镇 栋 幢 块 米 小时 天 "
    "课时 学时 床 例 位 支 棵 组 道 口 个月 卷 盒 盘 粒"
).split()
_UNIT_MULT = {"万人": ("人", 1e4), "万户": ("户", 1e4), "万亩": ("亩", 1e4)}
_AMOUNT = r"亿元|万元|千元|元"
_PERCENT = r"%|％|‰"
_COUNT = "|".join(sorted(COUNT_UNITS, key=len, reverse=True))
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGIT = "零〇一二两三四五六七八九十百千万亿"
_CHINESE = rf"[{_CN_DIGIT}]+(?:点[零〇一二三四五六七八九]+)?"
# Linear on any run: a match starts at its number (or the word before it), never in the blanks
# before one, so a run of blanks is not re-read from each of its characters; the blanks after
# the number are one run with 多/余 optional inside; a Chinese numeral starts a run of numerals
# (or its second character, when the run is glued to a digit or a letter, which the first
# lookbehind refuses): the matches are those of the plain pattern, which took quadratic time.
_CN_START = rf"(?:(?<![{_CN_DIGIT}])|(?<=[\d.,A-Za-z][{_CN_DIGIT}]))"

FIGURE_RE = re.compile(
    rf"(?<![\d.,A-Za-z])(?:(?P<pre>约|近|超过|逾|共计|合计)\s*)?"
    rf"(?:(?P<num>{_ARABIC})|(?P<cn>{_CN_START}{_CHINESE}))"
    rf"\s*(?:(?P<approx>多|余)\s*)?"
    rf"(?:(?P<amount>{_AMOUNT})|(?P<percent>{_PERCENT})|(?P<score>分)(?![钟之别类布局项管支担散享工批期级数辨])|(?P<count>{_COUNT}))"
)
_PERCENT_CN = re.compile(rf"百分之(?P<cn>{_CHINESE})")
# Words that begin with a Chinese numeral but are not quantities.
_CN_FALSE = re.compile(r"^(?:一[^十百千万亿]|十分|万一|百分)")


@dataclass(frozen=True)
class Figure:
    kind: Kind
    value: float  # in the stated unit (万元 figures keep 32.0 here)
    unit: str
    text: str
    start: int
    end: int
    decimals: int = 0
    approx: bool = False
    chinese: bool = False

    @property
    def yuan(self) -> float | None:
        if self.kind != "amount":
            return None
        return round(self.value * AMOUNT_SCALE[self.unit], 6)

    @property
    def tolerance(self) -> float:
        """Half a unit of the last stated digit, in the figure's base unit (元 for amounts)."""
        step = 0.5 * 10 ** (-self.decimals)
        return step * AMOUNT_SCALE[self.unit] if self.kind == "amount" else step

    @property
    def base(self) -> float:
        """The value in base units: 元 for amounts, the count itself otherwise."""
        return self.yuan if self.kind == "amount" else self.value


def parse_number(text: str) -> tuple[float, int]:
    """(value, decimals) of an Arabic number such as '30,000' or '2.76'."""
    clean = text.replace(",", "")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), decimals


def extract(text: str) -> list[Figure]:
    """All figures in ``text`` in order. Never raises on any input."""
    out: list[Figure] = []
    for m in FIGURE_RE.finditer(text):
        fig = _figure(m)
        if fig is not None:
            out.append(fig)
    for m in _PERCENT_CN.finditer(text):
        v = parse_chinese(m.group("cn"))
        if v is not None:
            out.append(Figure("percent", v, "%", m.group(0), m.start(), m.end(), chinese=True))
    if "万" in text:
        for m in _BARE_WAN.finditer(text):
            if _MONEY_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                value, decimals = parse_number(m.group(1))
                out.append(Figure("amount", value, "万元", m.group(0), m.start(), m.end(), decimals))
    out.sort(key=lambda f: f.start)
    return out


# "安排资金 19204.096 万，其中……": 万 with no 元 after a word of money is an amount in 万元; after
# other words it may count people (受益群众 2.3 万)
_BARE_WAN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*万(?![\u4e00-\u9fff\dA-Za-z%‰])")
_MONEY_BEFORE = re.compile(r"资金|经费|预算|拨款|补助|补贴|支出|支付|拨付|安排|"
                           r"下达|投入|到位|总额|合计|共计|金额|费用?")


def _figure(m: re.Match) -> Figure | None:
    if m.group("num"):
        value, decimals = parse_number(m.group("num"))
        chinese = False
        start = m.start("num")
    else:
        cn = m.group("cn")
        if _CN_FALSE.match(cn + m.string[m.end("cn") : m.end("cn") + 1]) and len(cn) == 1:
            return None
        if m.group("score") or (len(cn) < 2 and not m.group("amount")):
            return None
        if cn.startswith("万") or cn.startswith("亿") or cn.endswith("点"):
            return None
        v = parse_chinese(cn)
        if v is None:
            return None
        value, decimals, chinese = v, 0, True
        start = m.start("cn")
    approx = bool(m.group("approx")) or m.group("pre") in {"约", "近", "超过", "逾"}
    end = m.end()
    if m.group("amount"):
        kind, unit = "amount", m.group("amount")
    elif m.group("percent"):
        kind, unit = "percent", "%"
        if m.group("percent") == "‰":
            value, decimals = value / 10, decimals + 1
    elif m.group("score"):
        kind, unit = "score", "分"
    else:
        kind, unit = "count", m.group("count")
        if unit in _UNIT_MULT:
            unit, mult = _UNIT_MULT[unit]
            value *= mult
    if kind != "amount" and m.group("pre") in {"约", "近", "超过", "逾"}:
        pass
    return Figure(kind, value, unit, m.string[start:end], start, end, decimals, approx, chinese)


def rate_fits(stated: float, decimals: int, exact: float) -> bool:
    """A stated percentage is the exact one rounded or cut to its decimals (within float noise).
    Spending above the budget written as 100% is not: it hides the overspending; only a score is
    capped."""
    unit = 10 ** -decimals
    return (abs(stated - exact) <= unit / 2 + 1e-9
            or (0 <= exact - stated < unit + 1e-9 and abs(stated - math.floor(exact / unit + 1e-9) * unit) < 1e-9))


def fmt(value: float, decimals: int = 2) -> str:
    """A figure for messages: no trailing zeros, no scientific notation."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def in_unit(yuan: float, unit: str = "元") -> str:
    """An amount held in 元, stated in ``unit`` as a report in that unit would write it, to the
    分 and without float noise: 136400.0 → "13.64 万元" (万元), "136400 元" (元)."""
    scale = AMOUNT_SCALE[unit]
    return f"{fmt(yuan / scale, 2 + len(str(int(scale))) - 1)} {unit}"


def in_unit_both(yuan: float, unit: str = "元") -> str:
    """As ``in_unit``, with the amount in 元 beside it when the unit is another: "13.64 万元（136400 元）"."""
    shown = in_unit(yuan, unit)
    return shown if unit == "元" else f"{shown}（{in_unit(yuan)}）"
