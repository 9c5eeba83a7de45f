"""The facts model: loading YAML/JSON, exact one-line errors with line numbers, targets."""

from decimal import Decimal

import pytest

from drafter.errors import InputError
from drafter.facts.model import Facts, Target, load_facts, parse_actual, parse_facts, parse_target

BASE = """\
template: gd-annex5
year: 2023
unit:
  name: 新丰县政务服务数据管理局
project:
  name: 政务系统管理
budget:
  unit: 元
  initial: 110000
  adjusted: 99000
  spent: 57790
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 数据目录挂接数, target: ">=800", actual: 861, unit: 个, weight: 20}
self_score: 100
achievements:
  - 数据资源“一网共享”平台累计挂接数据目录 861 个。
problems: []
improvements:
  - 完善相关功能。
"""


def write(tmp_path, text, name="facts.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problem(tmp_path, text, name="facts.yaml") -> str:
    p = write(tmp_path, text, name)
    with pytest.raises(InputError) as exc:
        load_facts(p)
    err = exc.value
    assert err.path == str(p)
    assert str(err) == f"{p}: {err.problem}"
    assert "\n" not in str(err)
    return err.problem


def test_loads_the_base_facts(tmp_path):
    f = load_facts(write(tmp_path, BASE))
    assert isinstance(f, Facts)
    assert f.template == "gd-annex5" and f.year == 2023
    assert f.unit.name == "新丰县政务服务数据管理局" and f.unit.profile is None
    assert f.project.name == "政务系统管理"
    b = f.budget
    assert (b.unit, b.initial, b.adjusted, b.spent) == ("元", Decimal(110000), Decimal(99000), Decimal(57790))
    assert b.adjusted_value == Decimal(99000)
    [ind] = f.indicators
    assert ind.target == Target(text=">=800", direction="≥", value=Decimal(800), unit="")
    assert ind.target_text == ">=800"
    assert (ind.actual, ind.unit, ind.weight, ind.qualitative) == (Decimal(861), "个", Decimal(20), False)
    assert f.self_score == Decimal(100)
    assert f.achievements == ["数据资源“一网共享”平台累计挂接数据目录 861 个。"]
    assert f.problems == [] and f.improvements == ["完善相关功能。"]


def test_adjusted_defaults_to_initial(tmp_path):
    f = load_facts(write(tmp_path, BASE.replace("  adjusted: 99000\n", "")))
    assert f.budget.adjusted is None
    assert f.budget.adjusted_value == Decimal(110000)


def test_wan_yuan_amounts_keep_their_unit_and_convert_exactly(tmp_path):
    text = BASE.replace("unit: 元", "unit: 万元").replace("initial: 110000", "initial: 32").replace(
        "adjusted: 99000", "adjusted: 2.76").replace("spent: 57790", "spent: 2.7512")
    f = load_facts(write(tmp_path, text))
    assert f.budget.initial == Decimal("32") and f.budget.adjusted == Decimal("2.76")
    assert f.yuan(f.budget.initial) == Decimal(320000)
    assert str(f.yuan(f.budget.adjusted)) == "27600"
    assert f.yuan(f.budget.spent) == Decimal(27512)
    assert f.yuan(Decimal("0.00015")) == Decimal("1.5")
    assert f.yuan(None) is None


def test_yuan_facts_are_unchanged():
    f = parse_facts(BASE)
    assert f.yuan(57790) == Decimal(57790)


def test_json_facts_load_the_same(tmp_path):
    import json

    import yaml

    data = yaml.safe_load(BASE)
    f = load_facts(write(tmp_path, json.dumps(data, ensure_ascii=False, indent=2), "facts.json"))
    assert f == parse_facts(BASE)


# --- bad input: exact one-line messages ---------------------------------------------------------
def test_missing_budget(tmp_path):
    text = BASE.split("budget:")[0] + "self_score: 100\n"
    assert problem(tmp_path, text) == "budget：缺少这一项（必填）"


def test_missing_field_points_at_its_mapping(tmp_path):
    assert problem(tmp_path, BASE.replace("  spent: 57790\n", "")) == "budget.spent（第 7 行）：缺少这一项（必填）"


def test_string_where_a_number_belongs(tmp_path):
    assert problem(tmp_path, BASE.replace("spent: 57790", "spent: 五万")) == (
        'budget.spent（第 11 行）：须为数字，收到 "五万"'
    )
    assert problem(tmp_path, BASE.replace("spent: 57790", 'spent: "57790"')) == (
        'budget.spent（第 11 行）：须为数字，收到 "57790"'
    )
    assert problem(tmp_path, BASE.replace("spent: 57790", "spent:")) == (
        "budget.spent（第 11 行）：须为数字，收到 空值"
    )
    assert problem(tmp_path, BASE.replace("spent: 57790", "spent: true")) == (
        "budget.spent（第 11 行）：须为数字，收到 true"
    )
    assert problem(tmp_path, BASE.replace("weight: 20}", "weight: 二十}")) == (
        'indicators[0].weight（第 13 行）：须为数字，收到 "二十"'
    )


def test_negative_amount(tmp_path):
    assert problem(tmp_path, BASE.replace("initial: 110000", "initial: -110000")) == (
        "budget.initial（第 9 行）：不能为负数，收到 -110000"
    )
    assert problem(tmp_path, BASE.replace("actual: 861", "actual: -3")) == (
        "indicators[0].actual（第 13 行）：不能为负数，收到 -3"
    )


def test_zero_budget(tmp_path):
    text = BASE.replace("adjusted: 99000", "adjusted: 0").replace("spent: 57790", "spent: 0")
    assert problem(tmp_path, text) == (
        "budget.adjusted（第 10 行）：须大于 0（预算执行率 = 执行数 / 调整后预算数）"
    )


def test_spent_over_adjusted_needs_a_reason(tmp_path):
    text = BASE.replace("spent: 57790", "spent: 120000")
    assert problem(tmp_path, text) == (
        "budget.spent（第 11 行）：120000 超过了调整后预算数 99000："
        "请更正，或在 budget.spent_over_reason 中说明原因"
    )
    no_adjustment = text.replace("  adjusted: 99000\n", "")
    assert problem(tmp_path, no_adjustment) == (
        "budget.spent（第 10 行）：120000 超过了预算数 110000："
        "请更正，或在 budget.spent_over_reason 中说明原因"
    )
    ok = text.replace("  spent: 120000\n", "  spent: 120000\n  spent_over_reason: 年底追加资金未及时调整预算\n")
    f = load_facts(write(tmp_path, ok))
    assert f.budget.spent_over_reason == "年底追加资金未及时调整预算"


def test_unknown_template(tmp_path):
    assert problem(tmp_path, BASE.replace("template: gd-annex5", "template: gd-annex9")) == (
        'template（第 1 行）：未知的模板 "gd-annex9"（可用：gd-annex5、hb-yn-selfeval、national-table）'
    )
    assert problem(tmp_path, BASE.replace("template: gd-annex5\n", "")) == "template：缺少这一项（必填）"


def test_unknown_keys(tmp_path):
    assert problem(tmp_path, BASE + "titel: 报告\n") == (
        "titel（第 20 行）：未知的字段（可用：template、year、unit、project、budget、indicators、self_score、uses、"
        "achievements、problems、improvements、evidence）"
    )
    assert problem(tmp_path, BASE.replace("  spent: 57790", "  spent: 57790\n  spnt: 1")) == (
        "budget.spnt（第 12 行）：未知的字段（可用：unit、initial、adjusted、spent、execution_weight、"
        "adjustment_reason、underspend_reason、spent_over_reason、sources）"
    )
    assert problem(tmp_path, BASE.replace("weight: 20}", "weight: 20, wieght: 3}")) == (
        "indicators[0].wieght（第 13 行）：未知的字段（可用：level1、level2、name、target、actual、unit、weight、"
        "score、reason、qualitative）"
    )


def test_key_given_twice(tmp_path):
    assert problem(tmp_path, BASE.replace("  spent: 57790", "  spent: 57790\n  spent: 5779")) == (
        "budget.spent（第 12 行）：重复给出（第一次在第 11 行）"
    )


def test_bad_target(tmp_path):
    assert problem(tmp_path, BASE.replace('target: ">=800"', "target: 约800")) == (
        'indicators[0].target（第 13 行）：无法把 "约800" 读作目标值：请写成 ">=800"、"≤5天" 或 "100%"，'
        "或把这个指标标为 qualitative: true"
    )
    assert problem(tmp_path, BASE.replace('target: ">=800"', "target: 有效提升")) == (
        'indicators[0].target（第 13 行）：无法把 "有效提升" 读作目标值：请写成 ">=800"、"≤5天" 或 "100%"，'
        "或把这个指标标为 qualitative: true"
    )


def test_qualitative_indicator_keeps_text(tmp_path):
    text = BASE.replace('target: ">=800", actual: 861, unit: 个',
                        "target: 有效提升, actual: 明显改善, qualitative: true, score: 18")
    [ind] = load_facts(write(tmp_path, text)).indicators
    assert ind.qualitative and ind.target.text == "有效提升" and not ind.target.quantitative
    assert ind.actual == "明显改善" and ind.score == Decimal(18)


def test_weights_must_be_positive(tmp_path):
    assert problem(tmp_path, BASE.replace("weight: 20}", "weight: 0}")) == (
        "indicators[0].weight（第 13 行）：须大于 0，收到 0"
    )
    assert problem(tmp_path, BASE.replace("weight: 20}", "weight: -5}")) == (
        "indicators[0].weight（第 13 行）：须大于 0，收到 -5"
    )


def test_score_may_not_exceed_weight(tmp_path):
    assert problem(tmp_path, BASE.replace("weight: 20}", "weight: 20, score: 25}")) == (
        "indicators[0].score（第 13 行）：25 超过了分值 20（得分不能超过分值）"
    )


def test_actual_must_be_a_number_for_a_quantitative_indicator(tmp_path):
    assert problem(tmp_path, BASE.replace("actual: 861", "actual: 已完成")) == (
        'indicators[0].actual（第 13 行）：须为数字（后面可带单位，如 861个 或 98%），收到 "已完成"'
    )


def test_units_must_agree(tmp_path):
    assert problem(tmp_path, BASE.replace('target: ">=800"', 'target: "≥800项"')) == (
        'indicators[0].target（第 13 行）：单位 "项" 与指标的单位 "个" 不一致'
    )
    text = BASE.replace('target: ">=800", actual: 861, unit: 个', 'target: ">=95%", actual: 98分')
    assert problem(tmp_path, text) == 'indicators[0].actual（第 13 行）：单位 "分" 与目标值的单位 "%" 不一致'


def test_unit_is_taken_from_target_or_actual(tmp_path):
    [ind] = load_facts(write(tmp_path, BASE.replace('target: ">=800", actual: 861, unit: 个',
                                                    'target: "≤5天", actual: 3'))).indicators
    assert (ind.target.direction, ind.target.value, ind.unit, ind.actual) == ("≤", Decimal(5), "天", Decimal(3))
    [ind] = load_facts(write(tmp_path, BASE.replace('target: ">=800", actual: 861, unit: 个',
                                                    'target: 100%, actual: 98.5%'))).indicators
    assert (ind.target.direction, ind.target.value, ind.unit, ind.actual) == ("≥", Decimal(100), "%", Decimal("98.5"))


def test_second_execution_row(tmp_path):
    row = '  - {level1: 预算执行率, name: 预算执行率, target: "100%", weight: 10}\n'
    assert problem(tmp_path, BASE.replace("self_score: 100\n", row + row + "self_score: 100\n")) == (
        "indicators（第 12 行）：预算执行率行不止一行（indicators [1]、[2]）"
    )


def test_other_field_types(tmp_path):
    assert problem(tmp_path, BASE.replace("year: 2023", "year: 2023年")) == (
        'year（第 2 行）：须为年份，例如 2023，收到 "2023年"'
    )
    assert problem(tmp_path, BASE.replace("unit: 元", "unit: 千元")) == (
        'budget.unit（第 8 行）：须为 元 或 万元，收到 "千元"'
    )
    assert problem(tmp_path, BASE.replace("  name: 政务系统管理", "  name: 2023")) == (
        "project.name（第 6 行）：须为文字，收到 2023"
    )
    assert problem(tmp_path, BASE.replace("self_score: 100", "self_score: 120")) == (
        "self_score（第 14 行）：不能超过 100，收到 120"
    )
    assert problem(tmp_path, BASE.replace("problems: []", "problems: 无")) == (
        "problems（第 17 行）：须为列表（每项一行，以 '- ' 开头），收到 \"无\""
    )
    assert problem(tmp_path, BASE.replace("  - 完善相关功能。", "  - 123")) == (
        "improvements[0]（第 19 行）：须为文字，收到 123"
    )
    assert problem(tmp_path, BASE.replace("unit:\n  name: 新丰县政务服务数据管理局",
                                          "unit: 新丰县政务服务数据管理局")) == (
        'unit（第 3 行）：须为含 name、department、profile 的映射，收到 "新丰县政务服务数据管理局"'
    )


def test_empty_and_invalid_files(tmp_path):
    assert problem(tmp_path, "") == "文件是空的"
    assert problem(tmp_path, "  \n\n") == "文件是空的"
    assert problem(tmp_path, "# only a comment\n") == "文件是空的"
    assert problem(tmp_path, "", "facts.json") == "文件是空的"
    assert problem(tmp_path, "year: 2023\n  budget: [1\n") == (
        "不是有效的 YAML（第 2 行第 9 列）：mapping values are not allowed here"
    )
    assert problem(tmp_path, '{"year": 2023,\n "budget" 1}', "facts.json") == (
        "不是有效的 JSON（第 2 行第 11 列）：Expecting ':' delimiter"
    )
    assert problem(tmp_path, "- 1\n- 2\n") == (
        "须为字段映射（template、year、unit、project、budget……），收到 列表"
    )


def test_json_errors_have_line_numbers_too(tmp_path):
    import json

    import yaml

    data = yaml.safe_load(BASE)
    data["budget"]["spent"] = "五万"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"spent"' in ln)
    assert problem(tmp_path, text, "facts.json") == f'budget.spent（第 {line} 行）：须为数字，收到 "五万"'


def test_file_problems(tmp_path):
    with pytest.raises(InputError) as exc:
        load_facts(tmp_path / "nope.yaml")
    assert exc.value.problem == "找不到这个文件"
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(InputError) as exc:
        load_facts(p)
    assert exc.value.problem == "不是 UTF-8 编码的文本：请另存为 UTF-8"


# --- targets --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        (">=800", ("≥", Decimal(800), "")),
        ("≥800", ("≥", Decimal(800), "")),
        ("<=5", ("≤", Decimal(5), "")),
        ("≤5天", ("≤", Decimal(5), "天")),
        ("800", ("≥", Decimal(800), "")),
        ("100%", ("≥", Decimal(100), "%")),
        (">=95%", ("≥", Decimal(95), "%")),
        ("≥ 95 ％", ("≥", Decimal(95), "%")),
        ("≥800个", ("≥", Decimal(800), "个")),
        ("≥1.36万人次", ("≥", Decimal("1.36"), "万人次")),
        ("不低于95%", ("≥", Decimal(95), "%")),
        ("不超过3个工作日", ("≤", Decimal(3), "个工作日")),
        ("5个工作日内", ("≤", Decimal(5), "个工作日")),
        ("90%以上", ("≥", Decimal(90), "%")),
        ("1,000", ("≥", Decimal(1000), "")),
    ],
)
def test_targets_that_parse(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["约800", "有效提升", "12月底前", "≥", "", "≥800<=900", ">=5以下", "800-900", "5内"])
def test_targets_that_do_not_parse(text):
    assert parse_target(text) is None


def test_actual_values():
    assert parse_actual(861) == (Decimal(861), "")
    assert parse_actual("861个") == (Decimal(861), "个")
    assert parse_actual("98.5%") == (Decimal("98.5"), "%")
    assert parse_actual("已完成") is None
    assert parse_actual(True) is None


def test_model_dump_json_has_numbers():
    f = parse_facts(BASE)
    data = f.model_dump(mode="json")
    assert data["budget"]["spent"] == 57790 and data["indicators"][0]["actual"] == 861
    assert Facts.model_validate(f.model_dump()) == f
