"""Derived figures: computed in code from the facts, exact to 2 decimals."""

from decimal import Decimal
from pathlib import Path

import pytest

from drafter.facts.derive import DerivedFigure, derive, grade_of, pct2
from drafter.facts.model import Facts, load_facts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def facts(budget: dict, indicators: list | None = None, self_score=None, **extra) -> Facts:
    return Facts.model_validate({
        "template": "gd-annex5",
        "year": 2023,
        "unit": {"name": "新丰县政务服务数据管理局"},
        "project": {"name": "政务系统管理"},
        "budget": {"unit": "元", **budget},
        "indicators": indicators or [],
        "self_score": self_score,
        **extra,
    })


def D(x) -> Decimal:
    return Decimal(str(x))


@pytest.mark.parametrize("num, den, expected", [(22516, 27000, "83.39"), (57790, 99000, "58.37"),
                                                (318472, 320000, "99.52"), (1, 8, "12.50"), (1, 3, "33.33"),
                                                (2, 3, "66.67"), (99000, 99000, "100.00")])
def test_percent_is_exact_half_up(num, den, expected):
    assert str(pct2(Decimal(num), Decimal(den))) == expected


@pytest.mark.parametrize("score, grade", [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"),
                                          (59.99, "差"), (0, "差"), (None, None)])
def test_grade_bands(score, grade):
    assert grade_of(score) == grade


@pytest.mark.parametrize(
    "name, initial, adjusted, spent, balance, rate, exec_score, ceiling, gap",
    [
        ("jstg", 30000, 27000, 22516, 4484, "83.39%", "8.34", "98.34", "1.66"),
        ("zwxt", 110000, 99000, 57790, 41210, "58.37%", "5.84", "95.84", "4.16"),
        ("dzzw", 320000, None, 318472, 1528, "99.52%", "9.95", "99.95", "0.05"),
    ],
)
def test_seed_arithmetic(name, initial, adjusted, spent, balance, rate, exec_score, ceiling, gap):
    b = {"initial": initial, "spent": spent}
    if adjusted is not None:
        b["adjusted"] = adjusted
    d = derive(facts(b, self_score=100))
    assert d.initial == initial and d.adjusted == (adjusted or initial) and d.spent == spent
    assert d.balance == balance
    assert d.execution_rate == spent / (adjusted or initial)
    assert d.execution_rate_text == rate and str(d.execution_percent) == rate[:-1]
    assert d.execution_weight == 10 and d.execution_weight_source == "default"
    assert str(d.execution_score) == exec_score and str(d.ceiling) == ceiling
    assert d.total is None and d.grade is None and d.weights_total is None and d.weights_ok is None
    assert d.self_score_basis == "ceiling" and str(d.self_score_gap) == gap
    assert d.needs_underspend_reason is (spent / (adjusted or initial) < 0.9)
    assert d.needs_adjustment_reason is (adjusted is not None and adjusted != initial)


def test_zwxt_messages():
    d = derive(facts({"initial": 110000, "adjusted": 99000, "spent": 57790}, self_score=100))
    assert d.adjustment == -11000 and d.adjustment_word == "调减"
    assert d.execution_formula == "57790 / 99000 = 58.37%；10 分 × 58.37% = 5.84 分"
    assert d.self_score_message == (
        "自评 100 分，比按执行率计算的最高分 95.84 分高 4.16 分：执行率 57790 / 99000 = 58.37%，"
        "预算执行率 10 分 × 58.37% = 5.84 分，总分最多 100 − 10 + 5.84 = 95.84 分。"
    )
    assert d.warnings == [
        "预算执行率 58.37% 低于 90%，须说明原因（budget.underspend_reason）。",
        "年中预算调减 11000 元（110000 → 99000），须说明原因（budget.adjustment_reason）。",
        d.self_score_message,
    ]


def test_reasons_given_silence_warnings():
    d = derive(facts({"initial": 110000, "adjusted": 99000, "spent": 57790, "adjustment_reason": "年中指标调减",
                      "underspend_reason": "部分系统升级改造项目延至次年实施"}, self_score=95))
    assert d.needs_underspend_reason and d.needs_adjustment_reason
    assert d.warnings == []
    assert d.self_score_gap == D("-0.84")
    assert d.self_score_message == "自评 95 分，不超过按执行率计算的最高分 95.84 分。"


def test_no_self_score():
    d = derive(facts({"initial": 100, "spent": 95}))
    assert d.self_score_gap is None
    assert d.self_score_message == "未给出自评分数；按执行率计算，总分最多 99.5 分。"


def test_exactly_90_percent_needs_no_reason():
    d = derive(facts({"initial": 100000, "spent": 90000}))
    assert d.execution_rate_text == "90.00%" and d.needs_underspend_reason is False


def test_wan_yuan_budget_in_yuan():
    d = derive(facts({"unit": "万元", "initial": 32, "adjusted": 2.76, "spent": 2.7512}))
    assert (d.amount_unit, d.initial, d.adjusted, d.spent, d.balance) == ("万元", 320000, 27600, 27512, 88)
    assert d.adjustment == -292400
    assert d.execution_rate_text == "99.68%"


def test_overspend_with_reason():
    d = derive(facts({"initial": 1000, "spent": 1200, "spent_over_reason": "追加资金"}))
    assert d.balance == -200 and d.execution_rate_text == "120.00%"
    assert d.execution_score == 10 and d.ceiling == 100
    assert d.execution_formula == "1200 / 1000 = 120.00%（按 100% 计）；10 分 × 100% = 10 分"
    keys = {f.key: f for f in d.figures()}
    assert "budget.balance" not in keys and keys["budget.overspend"].value == 200


# --- indicators ------------------------------------------------------------------------------------
ROWS = [
    {"level1": "产出指标", "level2": "数量指标", "name": "数据目录挂接数", "target": ">=800", "actual": 861,
     "unit": "个", "weight": 20},
    {"level1": "产出指标", "level2": "数量指标", "name": "视频点位汇聚数", "target": "≥3000个", "actual": 2269,
     "weight": 15, "reason": "部分镇街点位未完成对接"},
    {"level1": "产出指标", "level2": "时效指标", "name": "故障响应时间", "target": "≤2小时", "actual": "3小时",
     "weight": 15, "reason": "个别故障需厂家远程处理"},
    {"level1": "效益指标", "level2": "社会效益指标", "name": "政务系统稳定运行", "target": "稳定运行",
     "actual": "全年无重大安全事件", "weight": 30, "score": 27, "qualitative": True},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "使用单位满意度", "target": ">=95%",
     "actual": "90%", "weight": 10},
]


def test_indicator_scores_and_total():
    d = derive(facts({"initial": 110000, "adjusted": 99000, "spent": 57790}, ROWS, self_score=100))
    s = d.indicator_scores
    assert [x.score for x in s] == [D(20), D("11.35"), D(10), None, D("9.47")]
    assert [x.counted for x in s] == [D(20), D("11.35"), D(10), D(27), D("9.47")]
    assert [x.met for x in s] == [True, False, False, None, False]
    assert [x.direction for x in s] == ["≥", "≥", "≤", None, "≥"]
    assert s[0].formula == "861 / 800 × 20 = 21.53，超过分值，按 20 分计"
    assert s[1].formula == "2269 / 3000 × 15 = 11.35"
    assert s[2].formula == "2 / 3 × 15 = 10"
    assert s[3].reason == "为定性指标，按 80–100%、60–80%、0–60% 档次评分，不能按公式计算"
    assert s[4].formula == "90 / 95 × 10 = 9.47"
    # 预算执行率 is not an indicator: its 10 points come from the funds block
    assert d.execution_in_indicators is False
    assert d.total == D("83.66")  # 20 + 11.35 + 10 + 27 + 9.47 + 5.84
    assert d.total_formula == "20 + 11.35 + 10 + 27 + 9.47 + 5.84（预算执行率） = 83.66 分"
    assert d.grade == "良"
    assert d.weights_total == 100 and d.weights_ok is True
    assert d.self_score_basis == "total" and d.self_score_gap == D("16.34")
    assert d.self_score_message == "自评 100 分，比逐项计算的总分 83.66 分高 16.34 分。"
    assert d.warnings == [
        "预算执行率 58.37% 低于 90%，须说明原因（budget.underspend_reason）。",
        "年中预算调减 11000 元（110000 → 99000），须说明原因（budget.adjustment_reason）。",
        "“使用单位满意度”未达目标（实际 90%，目标 ≥95%），须说明偏差原因（indicators[4].reason）。",
        "自评 100 分，比逐项计算的总分 83.66 分高 16.34 分。",
    ]


def test_execution_row_among_indicators_sets_the_weight():
    rows = [
        {"level1": "产出指标", "name": "数据目录挂接数", "target": ">=800", "actual": 861, "weight": 50},
        {"level1": "效益指标", "name": "系统可用率", "target": ">=99%", "actual": "99.5%", "weight": 20},
        {"level1": "满意度指标", "name": "使用单位满意度", "target": ">=90%", "actual": "95%", "weight": 10},
        {"level1": "预算执行率", "name": "预算执行率", "target": "100%", "weight": 20},
    ]
    d = derive(facts({"initial": 27000, "spent": 22516}, rows, self_score=96.68))
    assert d.execution_weight == 20 and d.execution_weight_source == "indicator" and d.execution_in_indicators
    assert str(d.execution_score) == "16.68"  # 83.39% × 20 = 16.678
    ex = d.indicator_scores[3]
    assert ex.execution and ex.score == D("16.68") and ex.met is False
    assert ex.formula == "预算执行率 83.39% × 20 分 = 16.68 分"
    assert d.total == D("96.68") and d.total_formula == "50 + 20 + 10 + 16.68 = 96.68 分"
    assert d.weights_total == 100 and d.grade == "优"
    assert d.self_score_gap == 0 and d.self_score_message == "自评 96.68 分，与逐项计算的总分一致。"
    assert d.ceiling == D("96.68")


def test_budget_execution_weight_and_weights_not_100():
    rows = [{"level1": "产出指标", "name": "数据目录挂接数", "target": ">=800", "actual": 800, "weight": 90}]
    d = derive(facts({"initial": 27000, "spent": 22516, "execution_weight": 20}, rows))
    assert d.execution_weight == 20 and d.execution_weight_source == "budget"
    assert d.weights_total == 110 and d.weights_ok is False
    assert d.total == D("106.68")
    assert "指标分值合计 90 + 20（预算执行率） = 110 分，应为 100 分。" in d.warnings


def test_qualitative_without_score_leaves_total_unknown():
    rows = [
        {"level1": "产出指标", "name": "数据目录挂接数", "target": ">=800", "actual": 861, "weight": 60},
        {"level1": "效益指标", "name": "服务水平", "target": "有效提升", "weight": 30, "qualitative": True},
    ]
    d = derive(facts({"initial": 99000, "spent": 99000}, rows, self_score=100))
    assert d.indicator_scores[1].score is None and d.indicator_scores[1].counted is None
    assert d.total is None and d.grade is None
    assert d.total_note == (
        "无法逐项计算总分：“服务水平”为定性指标，按 80–100%、60–80%、0–60% 档次评分，不能按公式计算，且未给出得分"
    )
    assert d.self_score_basis == "ceiling" and d.self_score_gap == 0


def test_missing_actual_and_zero_targets():
    rows = [
        {"level1": "产出指标", "name": "培训场次", "target": ">=4", "weight": 30},
        {"level1": "效益指标", "name": "安全事件", "target": "<=0", "actual": 0, "weight": 30},
        {"level1": "效益指标", "name": "投诉", "target": "≥0", "actual": 3, "weight": 30},
    ]
    d = derive(facts({"initial": 100, "spent": 100}, rows))
    s = d.indicator_scores
    assert s[0].score is None and s[0].reason == "未给出实际完成值"
    assert s[1].score == 30 and s[1].formula == "实际为 0，按 30 分计" and s[1].met is True
    assert s[2].score == 30 and s[2].formula == "目标为 0，按 30 分计"
    assert d.total is None and d.total_note == "无法逐项计算总分：“培训场次”未给出实际完成值"


def test_stated_score_above_formula_is_warned():
    rows = [{"level1": "产出指标", "name": "视频点位汇聚数", "target": ">=3000", "actual": 2269, "weight": 90,
             "score": 90, "reason": "部分点位未对接"}]
    d = derive(facts({"initial": 100, "spent": 100}, rows))
    assert "“视频点位汇聚数”得分 90 分高于按公式计算的 68.07 分（2269 / 3000 × 90 = 68.07）。" in d.warnings


# --- the figure list -------------------------------------------------------------------------------
def test_figures_of_a_budget_only_facts():
    d = derive(facts({"initial": 30000, "adjusted": 27000, "spent": 22516}, self_score=100))
    got = [(f.key, f.label, f.kind, f.value, f.unit, f.text, f.exact) for f in d.figures()]
    assert got == [
        ("budget.initial", "年初预算", "amount", 30000.0, "元", "30000 元", None),
        ("budget.adjusted", "调整后预算", "amount", 27000.0, "元", "27000 元", None),
        ("budget.spent", "全年支出", "amount", 22516.0, "元", "22516 元", None),
        ("budget.balance", "结余", "amount", 4484.0, "元", "4484 元", None),
        ("budget.adjustment", "预算调减额", "amount", 3000.0, "元", "3000 元", None),
        ("execution.rate", "预算执行率", "percent", 83.39, "%", "83.39%", 22516 / 27000 * 100),
        ("execution.threshold", "预算执行率要求", "percent", 90.0, "%", "90%", None),
        ("execution.weight", "预算执行率分值", "score", 10.0, "分", "10 分", None),
        ("execution.score", "预算执行率得分", "score", 8.34, "分", "8.34 分",
         float(Decimal(22516) / Decimal(27000) * 10)),
        ("execution.deduction", "预算执行率扣分", "score", 1.66, "分", "1.66 分", None),
        ("ceiling", "按执行率可得最高分", "score", 98.34, "分", "98.34 分", None),
        ("full_marks", "满分", "score", 100.0, "分", "100 分", None),
        ("self_score", "自评分数", "score", 100.0, "分", "100 分", None),
        ("self_score_gap", "自评分数与计算分数之差", "score", 1.66, "分", "1.66 分", None),
    ]
    assert all(isinstance(f, DerivedFigure) for f in d.figures())


def test_figures_include_indicators_sources_and_the_facts_text():
    d = derive(facts(
        {"unit": "万元", "initial": 11, "adjusted": 9.9, "spent": 5.779,
         "sources": [{"name": "当年财政拨款", "initial": 11, "spent": 5.779}]},
        ROWS[:1] + [{"level1": "满意度指标", "name": "使用单位满意度", "target": ">=95%", "actual": "96%",
                     "weight": 10}],
        achievements=["累计挂接数据目录 861 个，支付运维费 2.76 万元，网办率达 81.48%。"],
    ))
    got = {(f.key, f.label, f.kind, f.value, f.unit, f.text) for f in d.figures()}
    assert {
        ("budget.initial", "年初预算", "amount", 110000.0, "元", "110000 元"),
        ("budget.balance", "结余", "amount", 41210.0, "元", "41210 元"),
        ("budget.sources[0].initial", "当年财政拨款年初预算", "amount", 110000.0, "元", "110000 元"),
        ("budget.sources[0].spent", "当年财政拨款支出", "amount", 57790.0, "元", "57790 元"),
        ("indicators[0].weight", "数据目录挂接数分值", "score", 20.0, "分", "20 分"),
        ("indicators[0].target", "数据目录挂接数目标值", "count", 800.0, "个", "800 个"),
        ("indicators[0].actual", "数据目录挂接数实际完成值", "count", 861.0, "个", "861 个"),
        ("indicators[0].score", "数据目录挂接数得分", "score", 20.0, "分", "20 分"),
        ("indicators[1].target", "使用单位满意度目标值", "percent", 95.0, "%", "95%"),
        ("indicators[1].actual", "使用单位满意度实际完成值", "percent", 96.0, "%", "96%"),
        ("indicators[1].score", "使用单位满意度得分", "score", 10.0, "分", "10 分"),
        ("total", "总分", "score", 35.84, "分", "35.84 分"),
        ("weights_total", "分值合计", "score", 40.0, "分", "40 分"),
        ("achievements[0]", "成效1：861 个", "count", 861.0, "个", "861 个"),
        ("achievements[0]", "成效1：2.76 万元", "amount", 27600.0, "元", "27600 元"),
        ("achievements[0]", "成效1：81.48%", "percent", 81.48, "%", "81.48%"),
    } <= got


# --- the examples ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, project, initial, adjusted, spent, balance, rate",
    [
        ("jstg", "政务服务建设推广", 30000, 27000, 22516, 4484, "83.39%"),
        ("zwxt", "政务系统管理", 110000, 99000, 57790, 41210, "58.37%"),
        ("dzzw", "电子政务外网网络管理", 320000, 320000, 318472, 1528, "99.52%"),
    ],
)
def test_examples_load_and_derive_the_seed_arithmetic(name, project, initial, adjusted, spent, balance, rate):
    f = load_facts(EXAMPLES / f"facts-{name}.yaml")
    assert f.project.name == project and f.year == 2023 and f.template == "gd-annex5"
    assert f.unit.name == "新丰县政务服务数据管理局" and f.budget.unit == "元"
    assert f.achievements and f.problems and f.improvements
    d = derive(f)
    assert (d.initial, d.adjusted, d.spent, d.balance) == (initial, adjusted, spent, balance)
    assert d.adjusted - d.spent == balance
    assert d.execution_rate_text == rate
    # every figure the example's own text carries is in the list the draft guard uses
    values = {(x.kind, x.value) for x in d.figures()}
    from drafter.text.figures import extract

    for text in [*f.achievements, *f.problems, *f.improvements]:
        for fig in extract(text):
            assert (fig.kind, fig.yuan if fig.kind == "amount" else fig.value) in values
