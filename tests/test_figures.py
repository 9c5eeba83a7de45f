import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drafter.text import figures
from drafter.text.figures import extract, fmt

CASES = [
    ("年初预算 32 万元", [("amount", 320000.0, "32 万元")]),
    ("租赁费用2.76万元", [("amount", 27600.0, "2.76万元")]),
    ("合同金额30,000元", [("amount", 30000.0, "30,000元")]),
    ("下达资金三十二万元", [("amount", 320000.0, "三十二万元")]),
    ("共1.2亿元", [("amount", 120000000.0, "1.2亿元")]),
    ("执行率为 83.39%", [("percent", 83.39, "83.39%")]),
    ("覆盖率达百分之九十五", [("percent", 95.0, "百分之九十五")]),
    ("培训 120 人，检查 3 次，采购 15 台",
     [("count", 120.0, "120 人"), ("count", 3.0, "3 次"), ("count", 15.0, "15 台")]),
    ("服务企业 400 多家", [("count", 400.0, "400 多家")]),
    ("自评 100 分", [("score", 100.0, "100 分")]),
    ("惠及群众2.5万人", [("count", 25000.0, "2.5万人")]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_figures_with_units_are_extracted_and_normalised(text, expected):
    got = [(f.kind, f.yuan if f.kind == "amount" else f.value, f.text) for f in extract(text)]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023 年 11 月 13 日",  # dates are not quantities
        "联系电话：0751-2265111",
        "IPv4 地址不足，5G 网络",
        "一是强化数据共享，实现一窗受理",  # Chinese numerals as words
        "十分重要",
        "24 分钟",
    ],
)
def test_words_and_dates_are_not_figures(text):
    assert [f.text for f in extract(text) if f.kind != "count" or f.unit != "小时"] == []


def test_decimals_give_the_rounding_tolerance():
    (f,) = extract("2.76万元")
    assert f.decimals == 2 and f.tolerance == pytest.approx(50.0)
    (g,) = extract("4484 元")
    assert g.tolerance == pytest.approx(0.5)


def test_fmt_drops_trailing_zeros():
    assert [fmt(320000.0), fmt(83.3926), fmt(2.5)] == ["320000", "83.39", "2.5"]


# --- issue 13, item 2: the figure pattern is linear, and finds what the plain one found ---------
# The pattern as it was: blanks before the number inside the optional part, and "\s*多?\s*"
# after it, re-read a run of blanks from each of its characters (11 s on 20,000 spaces).
_PLAIN_FIGURE_RE = re.compile(
    rf"(?<![\d.,A-Za-z])(?P<pre>约|近|超过|逾|共计|合计)?\s*"
    rf"(?:(?P<num>{figures._ARABIC})|(?P<cn>{figures._CHINESE}))"
    rf"\s*(?P<approx>多|余)?\s*"
    rf"(?:(?P<amount>{figures._AMOUNT})|(?P<percent>{figures._PERCENT})|(?P<score>分)"
    rf"(?![钟之别类布局项管支担散享工批期级数辨])|(?P<count>{figures._COUNT}))"
)
_FIGURE_CHARS = st.sampled_from(list("0123456789.,  \u3000\t\n约近超过逾共计合计多余元万亿千%‰分钟个项人米百分点"
                                     "零〇一二两三四五六七八九十aZ、，。"))


def _groups(rx, text):
    return [(m.end(), [m.span(g) for g in ("pre", "num", "cn", "approx", "amount", "percent", "score", "count")])
            for m in rx.finditer(text)]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_FIGURE_CHARS, max_size=60))
def test_the_figure_pattern_matches_what_the_plain_pattern_matched(text):
    assert _groups(figures.FIGURE_RE, text) == _groups(_PLAIN_FIGURE_RE, text)


@pytest.mark.parametrize("unit", [" ", "\u3000", "一", "1 ", "一 ", "约 ", "1" + " " * 999])
def test_the_figure_pattern_is_linear_on_long_runs(unit):
    """Run in a child with a time limit: 200,000 characters in well under 10 s (the plain pattern
    took 11 s on 20,000 blanks, and grows with the square)."""
    code = ("import sys; from drafter.text.figures import extract; "
            f"extract(({unit!r} * 200_000)[:200_000])")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=10)
