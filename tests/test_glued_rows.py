"""A funds-block row whose cells a PDF's text layer glued together (年度资金总额:86.585.3598.67%):
``drafter.text.forms`` cuts it into the header's columns only when one cut fits, and otherwise
leaves it out. Figures and units here are invented."""

import pytest

from drafter.text.forms import funds_blocks, solve_glued
from drafter.text.normalise import fold

THREE = ["budget", "spent", "rate"]
SCORED = ["budget", "spent", "weight", "rate", "score"]
FULL = ["initial", "budget", "spent", "weight", "rate", "score"]


def _readings(columns, pre, post="", decimals=2, weight=None, limit=1e6):
    token = pre + "%" + post
    _, fits = solve_glued(columns, pre, post, 0, decimals, weight, limit)
    return [{col: token[a:b] for col, (a, b, _, _) in cut.pieces.items()} for cut in fits]


@pytest.mark.parametrize("columns, pre, post, cut", [
    (THREE, "86.585.3598.67", "", {"budget": "86.5", "spent": "85.35", "rate": "98.67%"}),
    (THREE, "73007300100", "", {"budget": "7300", "spent": "7300", "rate": "100%"}),
    (THREE, "16000", "", {"budget": "160", "spent": "0", "rate": "0%"}),
    (THREE, "765876.32", "", {"budget": "76", "spent": "58", "rate": "76.32%"}),
    (["initial", "spent", "weight", "rate", "score"], "420.3210.151050", "5",
     {"initial": "420.3", "spent": "210.15", "weight": "10", "rate": "50%", "score": "5"}),
    (SCORED, "303010100.00", "10",
     {"budget": "30", "spent": "30", "weight": "10", "rate": "100.00%", "score": "10"}),
    (FULL, "6060541090", "9",
     {"initial": "60", "budget": "60", "spent": "54", "weight": "10", "rate": "90%", "score": "9"}),
    # the 年初预算数 cell left empty: the amounts are 全年预算数 and 全年执行数
    (FULL, "60541090", "9", {"budget": "60", "spent": "54", "weight": "10", "rate": "90%", "score": "9"}),
    # a 得分 that breaks 分值 × 执行率 is still the digits after the rate: the rules judge it
    (SCORED, "48421087.5", "10", {"budget": "48", "spent": "42", "weight": "10", "rate": "87.5%", "score": "10"}),
])
def test_a_glued_row_is_cut_the_one_way_that_fits(columns, pre, post, cut):
    assert _readings(columns, pre, post) == [cut]


def test_two_cuts_that_fit_are_both_given_and_the_block_reads_neither():
    # 50 | 50 | 100%, or 50501 | 0 | 0%
    assert _readings(THREE, "5050100") == [{"budget": "50", "spent": "50", "rate": "100%"},
                                             {"budget": "50501", "spent": "0", "rate": "0%"}]
    text = "资金情况(万元)全年预算数(A)全年执行数(B)预算执行率(B/A)年度资金总额:5050100%其他资金年度总体目标"
    assert funds_blocks(fold(text)) == []


def test_digits_a_cut_may_not_take():
    # a leading zero, more decimals than allowed, an amount no project has, a weight not a weight
    assert _readings(THREE, "2020") == []  # 20 | 2 | 0%? 2 spent is not 0%; 2 | 02 is no number
    assert _readings(THREE, "12.34512.345100", decimals=2) == []
    assert _readings(THREE, "12.34512.345100", decimals=3) == [{"budget": "12.345", "spent": "12.345",
                                                                 "rate": "100%"}]
    assert _readings(THREE, "73007300100", limit=1e10) == [{"budget": "7300", "spent": "7300", "rate": "100%"},
                                                           {"budget": "730073001", "spent": "0", "rate": "0%"}]
    assert _readings(SCORED, "80721290", "12") == []  # 分值 12 is no weight


def test_a_score_decides_between_cuts_whose_rates_both_fit():
    # 80 | 80 | 10 | 100% | 10, or 80801 | 0 | 10 | 0% | 10: only the first scores 10 = 10 × 100%
    assert _readings(SCORED, "808010100", "10") == [{"budget": "80", "spent": "80", "weight": "10", "rate": "100%",
                                                     "score": "10"}]


BLOCK = ("资金投入情况(万元)全年预算数(A)全年执行数(B)预算执行率(B/A×100%)"
         "年度资金总额:2365824.00%其中:中央财政资金16000%地方资金765876.32%其他资金资金管理情况情况说明")


def test_a_total_no_cut_fits_is_read_from_the_sources_it_adds_up_to():
    (block,) = funds_blocks(fold(BLOCK))
    assert block.columns == THREE and block.unit == "万元"
    assert {k: v.cell.text for k, v in block.total.cells.items()} == {"budget": "236", "spent": "58", "rate": "24.00%"}
    assert [(p.label.text, {k: v.cell.text for k, v in p.cells.items()}) for p in block.parts] == [
        ("其中：中央财政资金", {"budget": "160", "spent": "0", "rate": "0%"}),
        ("地方资金", {"budget": "76", "spent": "58", "rate": "76.32%"})]
    for row in (block.total, *block.parts):
        assert all(BLOCK[v.cell.start:v.cell.end] == v.cell.text for v in row.cells.values())


def test_a_total_that_neither_fits_nor_adds_up_is_left_out():
    text = BLOCK.replace("765876.32%", "765976.32%")  # 58 of 76 is 76.32%; 59 of 76 is not
    assert funds_blocks(fold(text)) == []
    text = BLOCK.replace("地方资金765876.32%", "地方资金7658")  # a source without its rate: cannot be cut
    assert funds_blocks(fold(text)) == []


def test_sources_of_a_total_that_fits_are_kept_when_each_reads_one_way():
    text = ("资金情况(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额:12090.575.42%"
            "其中:市级资金10080.580.5%县级资金201050%其他资金年度总体目标")
    (block,) = funds_blocks(fold(text))
    assert {k: v.value for k, v in block.total.cells.items()} == {"budget": 120, "spent": 90.5, "rate": 75.42}
    assert [(p.get("budget"), p.get("spent")) for p in block.parts] == [(100, 80.5), (20, 10)]


def test_the_weight_a_header_states_bounds_the_score():
    text = ("预算执行情况(万元)(20分)预算数(A)执行数(B)执行率(B/A)得分(20分*执行率)"
            "年度财政资金总额6455.6686.97%17.39年度绩效目标")
    (block,) = funds_blocks(fold(text))
    assert block.weight == "20"
    assert {k: v.cell.text for k, v in block.total.cells.items()} == {"budget": "64", "spent": "55.66",
                                                                       "rate": "86.97%", "score": "17.39"}


def test_a_rate_standing_alone_after_the_label_is_not_a_glued_row():
    # 年度资金总额 with its amounts left blank and 100% in the rate cell: not 1 | 0 | 0%
    text = ("资金情况(万元) | 全年预算数(A) | 全年执行数(B) | 执行率(B/A) |\n"
            "年度资金总额: | | | 100% |\n其他资金 | | | |\n")
    assert all(b.total.get("budget") != 1 for b in funds_blocks(fold(text)))
    text = "资金情况(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额:100%其他资金年度总体目标"
    assert funds_blocks(fold(text)) == []


def test_with_no_cut_that_fits_and_no_parts_the_amounts_written_alike_are_read():
    # 年初 = 全年 = 执行 = 4260, 分值 10, a rate and a score that do not follow from them: the
    # repeated amounts are the one reading, and the rules then find the wrong rate
    text = ("项目资金(万元)年初预算数全年预算数全年执行数分值执行率得分"
            "年度资金总额4260426042601072.5%7.3其他资金")
    block = funds_blocks(fold(text))[0]
    assert {c: v.cell.text for c, v in block.total.cells.items()} == {
        "initial": "4260", "budget": "4260", "spent": "4260", "weight": "10", "rate": "72.5%", "score": "7.3"}
    # a run that is not the same amount written again stays unread
    assert funds_blocks(fold(text.replace("426042604260", "426042614260"))) == []
