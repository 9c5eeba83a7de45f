"""The analysis view's structure: headings (Chinese numbering, with or without Markdown ``#``,
bold, full/half-width brackets), the section tree with exact keys and offsets on the corpus,
lists that are not sections, and paragraphs joined across page breaks with offsets that map
back to the original text."""

import pytest

from drafter.analysis.view import Analysis
from drafter.documents.load import from_text, load
from drafter.text.normalise import fold
from tests.conftest import SEEDS


def sections_of(text: str) -> list[tuple[str, int, str]]:
    return [(s.key, s.level, s.title) for s in Analysis(from_text(text)).all_sections]


def heading_of_line(line: str) -> tuple[int, str, str] | None:
    secs = Analysis(from_text(line + "\n\n正文内容。\n")).all_sections
    assert len(secs) <= 1
    return (secs[0].level, secs[0].label, secs[0].title) if secs else None


# --- single heading lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("一、基本情况", (1, "一", "基本情况")),
        ("# 一、基本情况", (1, "一", "基本情况")),
        ("## 一、基本情况", (1, "一", "基本情况")),
        ("一．基本情况", (1, "一", "基本情况")),
        ("一. 基本情况", (1, "一", "基本情况")),
        ("十一、其他需说明的问题", (1, "十一", "其他需说明的问题")),
        ("三、改进意见：", (1, "三", "改进意见")),
        ("（一）项目单位基本情况", (2, "（一）", "项目单位基本情况")),
        ("(一)项目单位基本情况", (2, "（一）", "项目单位基本情况")),
        ("(一) 项目单位基本情况", (2, "（一）", "项目单位基本情况")),
        ("（一)项目单位基本情况", (2, "（一）", "项目单位基本情况")),  # mixed brackets
        ("( 一 ) 项目单位基本情况", (2, "（一）", "项目单位基本情况")),
        ("### （一）项目单位基本情况", (2, "（一）", "项目单位基本情况")),
        ("**（二）项目基本情况**", (2, "（二）", "项目基本情况")),
        ("## **(二) 项目基本情况**", (2, "（二）", "项目基本情况")),
        ("__（二）项目基本情况__", (2, "（二）", "项目基本情况")),
        ("**二、自评情况**", (1, "二", "自评情况")),
        ("\u3000\u3000二、自评情况", (1, "二", "自评情况")),  # indented with full-width spaces
        ("\t（一）自评分数  ", (2, "（一）", "自评分数")),
        # the Hubei template's long level-2 headings
        ("（一）项目资金（含财政资金、自筹资金等）安排落实、总投入等情况分析",
         (2, "（一）", "项目资金（含财政资金、自筹资金等）安排落实、总投入等情况分析")),
        ("1.资金支出情况", (3, "1", "资金支出情况")),
        ("1. 资金支出情况。", (3, "1", "资金支出情况")),
        ("1、资金支出情况", (3, "1", "资金支出情况")),
        ("１．资金支出情况", (3, "1", "资金支出情况")),  # full-width digit and dot
        ("#### 1. 资金支出情况。", (3, "1", "资金支出情况")),
        ("**1.资金支出情况。**", (3, "1", "资金支出情况")),
        ("（1）年初预算安排", (4, "（1）", "年初预算安排")),
        ("(1)年初预算安排", (4, "（1）", "年初预算安排")),
        ("(12) 年初预算安排", (4, "（12）", "年初预算安排")),
        # a Markdown heading is a heading whatever its length
        ("### 1. 资金支出情况，包括年初预算、调整预算、支出和结余的情况说明",
         (3, "1", "资金支出情况，包括年初预算、调整预算、支出和结余的情况说明")),
    ],
)
def test_heading_lines(line, expected):
    assert heading_of_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "1.5万元用于设备采购。",  # a decimal number, not "1."
        "2023 年本项目支出 57790 元，结余 41210 元。",
        "一是强化数据资源“一网共享”。",
        "1、组织起草全县政务服务和政务信息化相关政策和规范性文件并组织实施。",  # too long for "1、"
        "1、负责财务管理，兼管人事。",  # a clause break: prose, not a title
        "（一）强化数据资源共享。依托平台开展工作。",  # a sentence
        "**1.全面规范网上办事服务。**依托广东省政务服务网韶关新丰专区，将县镇村三级政务服务事项全部纳入。",  # run-in
        "| 一、基本情况 | 10 |",  # a table row
        "主要职责：",
        "## 财政支出项目绩效自评报告",  # a Markdown heading without a number is a title, not a section
        "(2023 年度)",
    ],
)
def test_not_heading_lines(line):
    assert heading_of_line(line) is None


# --- the tree ------------------------------------------------------------------------------

MIXED = """# 财政支出项目绩效自评报告

## 一、基本情况

### （一）项目单位基本情况

主要职责：

1、负责财务管理。

2、负责人事。

3、完成交办任务。

**(二) 项目基本情况**

正文。

二、自评情况

(一)自评分数

自评 90 分。

#### （二）资金使用绩效

1.资金支出情况

（1）年初预算

预算 100 元。

（2）调整预算

调整为 90 元。

### 2. 资金完成绩效目标情况。

完成。

（三）资金使用绩效存在的问题

1、资金执行慢。

2、宣传不足。

### 三、改进意见

加强管理。
"""


def test_mixed_depths_build_one_tree_by_numbering_not_by_hashes():
    assert sections_of(MIXED) == [
        ("一", 1, "基本情况"),
        ("一/（一）", 2, "项目单位基本情况"),  # the duties 1、2、3、 are a list, not sections
        ("一/（二）", 2, "项目基本情况"),
        ("二", 1, "自评情况"),
        ("二/（一）", 2, "自评分数"),
        ("二/（二）", 2, "资金使用绩效"),
        ("二/（二）/1", 3, "资金支出情况"),
        ("二/（二）/1/（1）", 4, "年初预算"),
        ("二/（二）/1/（2）", 4, "调整预算"),
        ("二/（二）/2", 3, "资金完成绩效目标情况"),
        ("二/（三）", 2, "资金使用绩效存在的问题"),  # its "1、…。2、…。" items are its text
        ("三", 1, "改进意见"),
    ]


def test_section_spans_parents_and_lookup():
    a = Analysis(from_text(MIXED))
    by_key = {s.key: s for s in a.all_sections}
    two, funds, spend = by_key["二"], by_key["二/（二）"], by_key["二/（二）/1"]
    assert a.text[two.heading_start : two.heading_end] == "二、自评情况"
    assert a.text[funds.heading_start : funds.heading_end] == "#### （二）资金使用绩效"
    assert two.end == by_key["三"].heading_start
    assert funds.end == by_key["二/（三）"].heading_start
    assert by_key["三"].end == len(a.text)
    assert spend.parent is funds and funds.parent is two and two.parent is None
    assert [c.key for c in spend.children] == ["二/（二）/1/（1）", "二/（二）/1/（2）"]
    assert spend.titles() == ["资金支出情况", "资金使用绩效", "自评情况"]
    pos = a.text.index("调整为 90 元")
    assert a.section_at(pos).key == "二/（二）/1/（2）"
    assert a.section_at(a.text.index("宣传不足")).key == "二/（三）"
    assert a.section_at(0) is None  # the title line comes before any section
    # heading lines are not sentences
    assert not any("资金支出情况" == s.text for s in a.sentences)
    assert [s.text for s in a.sentences_in(by_key["二/（三）"].body_start, by_key["二/（三）"].end)] == [
        "1、资金执行慢", "2、宣传不足"]


def test_skipped_levels_and_orphans_nest_under_what_is_open():
    assert sections_of("1.资金支出情况\n\n正文。\n\n一、基本情况\n\n1.单位情况\n\n（1）人员\n\n正文。\n") == [
        ("1", 3, "资金支出情况"),
        ("一", 1, "基本情况"),
        ("一/1", 3, "单位情况"),
        ("一/1/（1）", 4, "人员"),
    ]


@pytest.mark.parametrize("item", ["{n}、", "{n}.", "（{n}）", "({n})"])
def test_duty_lists_are_not_sections(item):
    duties = "\n\n".join(item.format(n=n) + text
                         for n, text in enumerate(["负责财务管理。", "负责人事。", "完成交办任务"], 1))
    text = f"一、基本情况\n\n（一）项目单位基本情况\n\n主要职责：\n\n{duties}\n\n（二）项目基本情况\n\n正文。\n"
    assert [k for k, _, _ in sections_of(text)] == ["一", "一/（一）", "一/（二）"]


def test_chinese_numbered_duties_after_a_lead_in_are_not_sections():
    text = ("一、基本情况\n\n（一）项目单位基本情况\n\n主要职责：\n\n（一）负责财务。\n\n（二）负责人事。\n\n"
            "（二）项目基本情况\n\n正文。\n")
    assert [k for k, _, _ in sections_of(text)] == ["一", "一/（一）", "一/（二）"]


def test_numbered_markdown_headings_in_a_row_stay_headings():
    text = ("## （二）资金使用绩效\n\n### 1. 资金支出情况。\n\n### 2. 资金完成绩效目标情况。\n\n"
            "### 3. 资金分用途使用绩效。\n")
    assert [k for k, _, _ in sections_of(text)] == ["（二）", "（二）/1", "（二）/2", "（二）/3"]


def test_headings_separated_by_text_are_headings_even_in_sequence():
    text = "（二）资金使用绩效\n\n1.资金支出情况\n\n支出 100 元。\n\n2.资金完成绩效目标情况\n\n完成。\n"
    assert [k for k, _, _ in sections_of(text)] == ["（二）", "（二）/1", "（二）/2"]


def test_a_heading_number_on_a_line_of_its_own_numbers_the_title_below_it():
    # a PDF's text layer: "(三)" then "存在问题。"; the line before a bare number is not joined to it
    text = ("二、自评结论\n得分95分,评价等级为优,绩效目标完成较好\n(三)\n存在问题。\n资金下达较晚。\n"
            "(四)\n改进建议。\n加快下达。\n")
    assert [(k, t) for k, _, t in sections_of(text)] == [("二", "自评结论"), ("二/（三）", "存在问题"),
                                                         ("二/（四）", "改进建议")]


def test_a_bare_number_before_a_long_line_is_no_heading():
    text = "一、基本情况\n1.\n贯彻执行城市管理和综合执法工作的方针政策和法律法规,深化城市管理综合行政执法体制改革。\n"
    assert [k for k, _, _ in sections_of(text)] == ["一"]


# --- the corpus: exact keys and offsets -----------------------------------------------------

# (key, title, heading_start, heading_end, end) in analysis offsets, then the heading's start
# in the report text and its line number there.
CORPUS_SECTIONS = {
    "ww": [
        ("一", "基本情况", 114, 123, 1131, 248, 27),
        ("一/（一）", "项目单位基本情况", 161, 176, 791, 297, 31),
        ("一/（二）", "项目基本情况", 791, 804, 1131, 941, 59),
        ("二", "自评情况", 1131, 1140, 2096, 1292, 71),
        ("二/（一）", "自评分数", 1141, 1152, 1163, 1303, 73),
        ("二/（二）", "资金使用绩效", 1163, 1176, 1943, 1327, 77),
        ("二/（二）/1", "资金支出情况", 1177, 1191, 1288, 1342, 79),
        ("二/（二）/2", "资金完成绩效目标情况", 1288, 1306, 1881, 1455, 83),
        ("二/（二）/3", "资金分用途使用绩效", 1881, 1898, 1943, 2053, 91),
        ("二/（三）", "资金使用绩效存在的问题", 1943, 1962, 2096, 2117, 95),
        ("三", "改进意见", 2096, 2106, 2185, 2272, 99),
    ],
    "jstg": [
        ("一", "基本情况", 112, 121, 2305, 244, 27),
        ("一/（一）", "项目单位基本情况", 159, 175, 791, 293, 31),
        ("一/（二）", "项目基本情况", 791, 804, 2305, 939, 59),
        ("二", "自评情况", 2305, 2314, 2687, 2499, 83),
        ("二/（一）", "自评分数", 2315, 2326, 2337, 2510, 85),
        ("二/（二）", "资金使用绩效", 2337, 2349, 2646, 2534, 89),
        ("二/（二）/1", "资金支出情况", 2350, 2364, 2459, 2548, 91),
        ("二/（二）/2", "资金完成绩效目标情况", 2459, 2477, 2574, 2659, 95),
        ("二/（二）/3", "资金分用途使用绩效", 2574, 2591, 2646, 2776, 99),
        ("二/（三）", "资金使用绩效存在的问题", 2646, 2663, 2687, 2850, 103),
        ("三", "改进意见", 2687, 2696, 2796, 2893, 107),
    ],
    "gl": [
        ("一", "基本情况", 110, 119, 1117, 240, 27),
        ("一/（一）", "项目单位基本情况", 157, 172, 787, 289, 31),
        ("一/（二）", "项目基本情况", 787, 799, 1117, 933, 59),
        ("二", "自评情况", 1117, 1126, 2512, 1273, 69),
        ("二/（一）", "自评分数", 1127, 1138, 1149, 1284, 71),
        ("二/（二）", "资金使用绩效", 1149, 1162, 2467, 1308, 75),
        ("二/（二）/1", "资金支出情况", 1163, 1178, 1267, 1323, 77),
        ("二/（二）/2", "资金完成绩效目标情况", 1267, 1286, 2407, 1429, 81),
        ("二/（二）/3", "资金分用途使用绩效", 2407, 2423, 2467, 2578, 95),
        ("二/（三）", "资金使用绩效存在的问题", 2467, 2486, 2512, 2640, 99),
        ("三", "改进意见", 2512, 2522, 2592, 2687, 103),
    ],
}


@pytest.fixture(scope="module")
def corpus():
    return {k: Analysis(load(p)) for k, p in SEEDS.items()}


@pytest.mark.parametrize("seed", sorted(CORPUS_SECTIONS))
def test_corpus_sections_exact(corpus, seed):
    a = corpus[seed]
    got = []
    for s in a.all_sections:
        o_start, o_end = a.orig_span(s.heading_start, s.heading_end)
        got.append((s.key, s.title, s.heading_start, s.heading_end, s.end, o_start, a.line_col(o_start)[0]))
        original_line = a.report.text[o_start:].split("\n", 1)[0]
        assert a.report.text[o_start:o_end] in original_line
        assert original_line.startswith("#") and s.title in original_line.replace(" ", "")
    assert got == CORPUS_SECTIONS[seed]


def test_corpus_mixed_heading_depths(corpus):
    # "### 3." beside "#### 1./2.", "#### （三）" beside "### （二）", "### 三、": the numbering decides
    ww = {s.key: s for s in corpus["ww"].all_sections}
    assert corpus["ww"].text[ww["二/（二）/3"].heading_start :].startswith("### 3. 资金分用途使用绩效。")
    assert corpus["ww"].text[ww["二/（三）"].heading_start :].startswith("#### （三）")
    assert corpus["ww"].text[ww["三"].heading_start :].startswith("### 三、改进意见")


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_corpus_duty_lists_are_not_sections(corpus, seed):
    a = corpus[seed]
    unit = next(s for s in a.all_sections if s.key == "一/（一）")
    assert unit.children == []
    body = a.text[unit.body_start : unit.end]
    assert "1、组织起草全县政务服务" in body and "11、完成县委、县政府" in body


# --- page-break joins and offsets -----------------------------------------------------------

JOINS = {
    "gl": [("指标调减后", "金额为 99000 元"), ("划分", "了教育、旅游"), ("智能化监管平", "台、县环保")],
    "ww": [("年初县级财政", "预算资金预算为 32 万元"), ("2023 年以来网信、", "公安、政数等部门")],
    "jstg": [("推动线上线", "下深融合"), ("等平台应用，", "大力拓展")],
}


@pytest.mark.parametrize("seed", sorted(JOINS))
def test_corpus_paragraphs_broken_by_page_breaks_are_joined(corpus, seed):
    a = corpus[seed]
    for before, after in JOINS[seed]:
        joined = before + after
        pos = a.text.index(joined)
        assert "\n" not in joined
        start, end = a.orig_span(pos, pos + len(joined))
        original = a.report.text[start:end]
        assert original == before + "\n\n" + after  # the report's own line break is kept
        assert a.line_col(start)[0] + 2 == a.line_col(end - 1)[0]


def test_the_adjusted_budget_sentence_reads_whole(corpus):
    a = corpus["gl"]
    sentence = next(s for s in a.sentences if "指标调减后" in s.text)
    assert sentence.text == "年初县级财政预算资金预算为110000元，指标调减后金额为 99000 元"
    start, end = a.orig_span(sentence.start, sentence.end)
    assert a.report.text[start:end] == "年初县级财政预算资金预算为110000元，指标调减后\n\n金额为 99000 元"
    # the budget reader sees the adjusted figure in the joined clause
    assert a.budget.first("adjusted").value == 99000


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_analysis_character_maps_back_to_the_same_character(corpus, seed):
    a = corpus[seed]
    # the analysis reads the original made uniform character for character (drafter.text.normalise)
    folded = fold(a.report.text, a.report.body_start)
    assert len(folded) == len(a.report.text)
    for i, ch in enumerate(a.text):
        o = a.to_orig(i)
        if ch == "\n":
            assert a.report.text[o] == "\n"
        else:
            assert folded[o] == ch, (i, ch)


def test_offsets_map_back_through_dropped_emphasis():
    report = from_text("## **（二）项目基本情况**\n\n**1.全面规范网上办事服务。**依托平台，发布实施清单 20104 项。\n")
    a = Analysis(report)
    pos = a.text.index("20104")
    start, end = a.orig_span(pos, pos + 5)
    assert report.text[start:end] == "20104"
    pos = a.text.index("服务。依托")
    start, end = a.orig_span(pos, pos + 5)
    assert report.text[start:end] == "服务。**依托"


@pytest.mark.parametrize(
    "before, after, joined",
    [
        ("年初县级财政预算资金预算为110000元，指标调减后", "金额为 99000 元。", True),
        ("推进“数字政府”改革成果推广应用，持续推广“粤省事”", "等平台应用。", True),  # prose after a closing quote
        # a finished sentence
        ("年初县级财政预算资金预算为110000元，指标调减为 99000 元。", "本年支出 57790 元。", False),
        ("项目单位：新丰县政务服务数据管理局（公章）", "（一级预算单位）", False),  # cover page lines
        ("填报人姓名：黄涛弟", "联系电话：0751-2265111", False),
        ("年初县级财政预算资金预算为110000元，指标调减后", "二、自评情况", False),  # a heading follows
        ("年初县级财政预算资金预算为110000元，指标调减后", "| 年度资金总额 | 11 |", False),  # a table follows
        ("短行", "金额为 99000 元。", False),
        # blanks around
        ("年初县级财政预算资金预算为110000元，指标调减后\u3000  ", "\u3000\u3000金额为 99000 元。", True),
    ],
)
def test_page_break_join_rules(before, after, joined):
    a = Analysis(from_text(f"{before}\n\n{after}\n"))
    assert ((before.strip() + after.strip()) in a.text) is joined


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_sentence_figures_are_the_figures_inside_each_sentence(corpus, seed):
    a = corpus[seed]
    pairs = a.sentence_figures
    assert [s for s, _ in pairs] == a.sentences
    assert all(figs == a.figures_in(s.start, s.end) for s, figs in pairs)
    assert sum(len(figs) for _, figs in pairs) >= 10
