"""Real input as it is pasted: half-width punctuation, traditional characters, pinyin after each
character, and the 自评表 flattened into one line or one cell per line (drafter.text.normalise,
drafter.text.forms). Offsets always point at the original text."""

import re

import pytest

import drafter
from drafter.analysis.view import Analysis
from drafter.documents.report import from_text
from drafter.text.forms import funds_blocks, indicator_tables
from drafter.text.normalise import fold, is_traditional, pinyin_spans


@pytest.mark.parametrize("raw, folded", [
    ("支出1,234.5万元,执行率(B/A):98%;", "支出1,234.5万元，执行率（B/A）：98%；"),
    ("10:30召开,见http://x.cn", "10:30召开，见http://x.cn"),
    ("完成率１００％．", "完成率100%."),
    ("30,40和50", "30，40和50"),
])
def test_half_width_punctuation_is_folded_but_not_inside_numbers(raw, folded):
    assert fold(raw) == folded and len(fold(raw)) == len(raw)


def test_a_traditional_report_is_read_in_simplified_characters_of_the_same_length():
    raw = "本項目資金預算執行率為86%，績效顯著，項目實施後群眾滿意度達到98%。"
    assert is_traditional(raw)
    assert fold(raw) == "本项目资金预算执行率为86%，绩效显著，项目实施后群众满意度达到98%。"
    simplified = "随著项目实施，显著提升了资金使用效益。"  # 著 is simplified here: left alone
    assert not is_traditional(simplified) and fold(simplified) == simplified


def test_pinyin_after_characters_is_dropped_and_offsets_still_point_at_the_original():
    raw = "一、基本情況\n項(xiàng)目資(zī)金執(zhí)行率為(wèi)86%，資金結(jié)余14萬元。\n"
    assert [raw[a:b] for a, b in pinyin_spans(raw)] == ["(xiàng)", "(zī)", "(zhí)", "(wèi)", "(jié)"]
    a = Analysis(from_text(raw, path="t.txt", fmt="txt"))
    assert "项目资金执行率为86%，资金结余14万元。" in a.text
    i = a.text.index("86%")
    assert raw[a.to_orig(i):a.to_orig(i) + 3] == "86%"


FLAT = ("项目支出绩效自评表 (2023年度) 项目名称 村道维修 项目资金 (万元) "
        "年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
        "年度资金总额: 120 118.5 96.2 10 81.18% 8.12 其中:本年财政拨款 100 98.5 80.2 上年结转资金 20 20 16 其他资金 "
        "年度总体目标 预期目标 实际完成情况")
ONE_PER_LINE = ("项目资金\n\n(万元)\n\n年初\n\n预算数\n\n全年\n\n预算数\n\n全年\n\n执行数\n\n分值\n\n执行率\n\n得分\n\n"
                "年度资金总额\n\n56\n\n56\n\n50.4\n\n10\n\n90%\n\n9\n\n"
                "其中:当年财政拨款\n\n56\n\n56\n\n50.4\n\n \n\n上年结转资金\n\n \n\n"
                "年度总体目标\n\n")
PIPES = ("资金投入情况(万元) | 全年预算数(A) | 全年执行数(B) | 预算执行率(B/A×100%) |\n"
         "年度资金总额: | 300万 | 246万 | 82% |\n其中:中央财政资金 | 200万 | 180万 | 90% |\n"
         "地方资金 | 100万 | 66万 | 66% |\n其他资金 | |||\n")


def _block(text):
    (block,) = funds_blocks(fold(text))
    return block


def test_a_flattened_funds_block_is_read_into_its_columns():
    b = _block(FLAT)
    assert b.columns == ["initial", "budget", "spent", "weight", "rate", "score"] and b.unit == "万元"
    assert {k: v.value for k, v in b.total.cells.items()} == {"initial": 120, "budget": 118.5, "spent": 96.2,
                                                               "weight": 10, "rate": 81.18, "score": 8.12}
    assert [(p.label.text, p.get("budget"), p.get("spent")) for p in b.parts] == [
        ("其中：本年财政拨款", 98.5, 80.2), ("上年结转资金", 20, 16), ("其他资金", None, None)]
    assert FLAT[b.total.start:b.total.end] == "年度资金总额: 120 118.5 96.2 10 81.18% 8.12"


def test_a_one_cell_per_line_funds_block_is_read_into_its_columns():
    b = _block(ONE_PER_LINE)
    assert {k: v.value for k, v in b.total.cells.items()} == {"initial": 56, "budget": 56, "spent": 50.4, "weight": 10,
                                                               "rate": 90, "score": 9}
    assert [(p.label.text, p.get("spent")) for p in b.parts] == [("其中：当年财政拨款", 50.4), ("上年结转资金", None)]


def test_a_pipe_funds_block_without_a_weight_column():
    b = _block(PIPES)
    assert b.columns == ["budget", "spent", "rate"]
    assert [(p.label.text, p.get("budget"), p.get("rate")) for p in b.parts] == [
        ("其中：中央财政资金", 200, 90), ("地方资金", 100, 66), ("其他资金", None, None)]


def test_values_that_cannot_be_put_in_columns_without_a_guess_are_left_out():
    # two percents in the total row: which is the rate?
    text = ("项目资金(万元) 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 100 80 10 80% 8% "
            "其中:本年财政拨款 100 80")
    assert funds_blocks(fold(text)) == []
    # no header: no block
    assert funds_blocks(fold("年度资金总额: 100 80 10 80% 8")) == []


INDICATORS = ("一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
              "产出指标(50分) 数量指标 维修村道里程 ≥12公里 12.4公里 20 20 "
              "质量指标 验收合格率 100% 100% 15 15 时效指标 完工及时率 100% 92% 15 13 "
              "雨季施工延误 效益指标(30分) 社会效益 指标 群众出行条件 明显改善 明显改善 30 30 "
              "满意度指标(10分) 服务对象满意度 指标 沿线群众满意度 ≥90% 95% 10 10 总分 100 98")


def test_flattened_indicator_rows_are_read_with_their_levels_and_reason():
    (t,) = indicator_tables(fold(INDICATORS))
    assert t.columns == ["name", "target", "actual", "weight", "score", "reason"]
    got = [(r.level2, r.text("name"), r.text("target"), r.text("actual"), r.number("weight"), r.number("score"),
            r.text("reason"))
           for r in t.rows]
    assert got == [
        ("数量指标", "维修村道里程", "≥12公里", "12.4公里", 20, 20, ""),
        ("质量指标", "验收合格率", "100%", "100%", 15, 15, ""),
        ("时效指标", "完工及时率", "100%", "92%", 15, 13, "雨季施工延误"),
        ("社会效益", "群众出行条件", "明显改善", "明显改善", 30, 30, ""),
        ("服务对象满意度", "沿线群众满意度", "≥90%", "95%", 10, 10, ""),
    ]
    assert [r.is_effect for r in t.rows] == [False, False, False, True, False]
    assert t.total[0].text == "总分" and [v.value for v in t.total[1]] == [100, 98]


def test_the_analysis_reads_flattened_tables_as_tables():
    a = Analysis(from_text(FLAT + " " + INDICATORS, path="t.txt", fmt="txt"))
    assert [t.layout for t in a.tables] == ["form", "form"]
    funds, indicators = a.tables
    assert [c.text for c in funds.header] == ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值",
                                              "执行率", "得分"]
    assert [c.text for c in funds.rows[0]] == ["年度资金总额：", "120", "118.5", "96.2", "10", "81.18%", "8.12"]
    assert [c.text for c in indicators.rows[-1]] == ["总分", "", "", "", "", "100", "98", ""]


# a PDF that put the row labels of the funds block after their values: the header runs straight
# into the total row's values, the sub-row's values follow, and the rate lands further down
SCRAMBLED = ("财政项目支出绩效自评表 (2022 年度) 场馆委托运营 结算费用 项目名称 主管部门 区体育局 "
             "年初预算数 全年预算数 全年执行数 分值 执行率 得分 360000.00 360000.00 311,058.4 10 8.64 "
             "360000.00 360000.00 311058.4 — 上年结转资金 0 0 — 其他资金 0 0 — 年度资金总额 项目资金 (元) "
             "区体育事业中心 实施单位 其中:当年财政拨款 预期目标 年度 总体 目标 {rate} 实际完成情况 "
             "已完成结算。 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分")


def test_a_funds_block_whose_labels_a_pdf_moved_is_read_from_its_header():
    text = SCRAMBLED.format(rate="86.41%")
    b = _block(text)
    assert b.unit == "元"
    assert {k: v.value for k, v in b.total.cells.items()} == {"initial": 360000, "budget": 360000, "spent": 311058.4,
                                                               "weight": 10, "rate": 86.41, "score": 8.64}
    # the rate is taken where it landed
    rate = b.total.cells["rate"].cell
    assert text[rate.start:rate.end] == "86.41%"


def test_a_moved_rate_is_taken_only_when_it_is_near_the_rate_of_the_amounts():
    # 95% is not 311058.4 / 360000 = 86.41% give or take a point: some other figure, left alone
    b = _block(SCRAMBLED.format(rate="95%"))
    assert "rate" not in b.total.cells and b.total.get("score") == 8.64


def test_a_moved_rate_written_wrong_is_flagged():
    text = SCRAMBLED.format(rate="86.42%")
    got = [(f.rule, f.quote) for f in drafter.review(text=text).findings if f.category == "figures"]
    assert got == [("funds-rate", "86.42%")]


ONE_COLUMN = ("家庭特别扶助制度补助资金(万元)\n年度预算资金总额: 318.40 \n其中:中央补助 160.00 \n"
              "市级资金 132.00 \n本级资金(包括结转结余) 26.40 \n其中:\n资金下达 资金发放及时性")


def test_a_funds_block_without_column_headers_is_read_as_the_budget_and_its_sources():
    b = _block(ONE_COLUMN)
    assert b.columns == ["budget"] and b.unit == "万元" and b.total.get("budget") == 318.4
    assert [(p.label.text, p.get("budget")) for p in b.parts] == [
        ("其中：中央补助", 160), ("市级资金", 132), ("本级资金（包括结转结余）", 26.4)]


def test_a_lone_total_with_no_sources_is_not_a_block():
    assert funds_blocks(fold("年度预算资金总额: 318.40 \n资金下达 资金发放及时性")) == []


@pytest.mark.parametrize("text, role", [
    ("全年执行数 80 万元，执行率为 96%", "rate"),
    ("资金执行率为 96%", "rate"),
    ("项目执行率 96%", "rate"),
    ("政府采购管理执行率 100%", None),  # another indicator's rate, not the money's
    ("计划执行率 100%", None),
    ("2021年公共文化服务专项资金共支 182.564 万元", "spent"),
    ("发放补助资金 141.8 万元", "spent"),
    ("卫生健康人才培养项目预算支出 1.62 万元", "initial"),
    ("一般公共预算支出 1.62 万元", "spent"),  # a department's spending of its general budget
    ("比年初预算增加 758.97 万元", None),  # a difference
    ("资金规模共计 2535.4 万元", "initial"),
])
def test_the_role_of_a_figure_is_read_from_the_words_before_it(text, role):
    from drafter.analysis.budget import role_of

    figure = list(re.finditer(r"\d[\d.]*\s*(?:万元|%)", text))[-1]  # the last amount or rate, not a year
    assert role_of(text, figure.start()) == role
