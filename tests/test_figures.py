import pytest

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
