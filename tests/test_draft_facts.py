"""Drafting end to end for the people who write reports (issue 15): a 自评表 import drafts at
once, extraction leaves 【待补充】 where a report is silent, every fact of the facts file is in
the draft, every section of every template has content, and the suite's drafts pass their own
reviewer."""

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from drafter.analysis.templates import load_templates
from drafter.draft.pipeline import draft, section_templates
from drafter.errors import InputError
from drafter.facts.derive import derive
from drafter.facts.io import extract_data, extract_facts, import_table
from drafter.facts.model import facts_json_schema, load_facts, parse_facts
from tests.conftest import ROOT
from tests.docgen import seed_items, seed_pdf_pages, write_docx, write_pdf
from tests.test_facts_io import full_facts, make_table

DRAFTER = [str(Path(sys.executable).parent / "drafter")]
FIXTURE = ROOT / "tests" / "fixtures" / "facts" / "yinshui-weixiu.yaml"
SUITE = sorted([*(ROOT / "examples").glob("facts-*.yaml"), *(ROOT / "evals" / "references").glob("*.facts.yaml"),
                *(ROOT / "tests" / "fixtures" / "facts").glob("*.yaml")])
MINIMAL = """template: gd-annex5
year: 2024
unit: {name: 测试局}
project: {name: 测试项目}
budget: {unit: 万元, initial: 10, spent: 9.5}
"""


def run(*args, cwd):
    return subprocess.run([*DRAFTER, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


# --- facts import → draft --------------------------------------------------------------------------
def test_facts_import_then_draft_from_the_command_line(tmp_path):
    make_table(tmp_path / "自评表.xlsx")
    imported = run("facts", "import", "自评表.xlsx", "-o", "facts.yaml", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    proc = run("draft", "facts.yaml", "-o", "draft.md", "--runs", "runs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ("facts 的模板 national-table 是自评表（表格），报告按 gd-annex5 起草；"
                           "可用 --template 选择 gd-annex5、hb-yn-selfeval\n")
    text = (tmp_path / "draft.md").read_text(encoding="utf-8")
    assert "template: gd-annex5" in text and "## 一、基本情况" in text
    assert "| 产出指标 | 数量指标 | 数据目录挂接数 | ≥800个 | 861个 | 20 | 20 | — |" in text
    assert ("| 产出指标 | 时效指标 | 故障响应时间 | ≤2小时 | 3小时 | 15 | 10 "
            "| 个别故障需厂家远程处理，响应超时；将与运维单位明确响应时限 |") in text
    assert "| 当年财政拨款 | 11 万元 | 9.9 万元 | 57790 元 |" in text  # 5.779 万元 is exact in 元
    assert "待补充" in proc.stdout
    chosen = run("draft", "facts.yaml", "--template", "hb-yn-selfeval", "-o", "hb.md", "--runs", "runs", cwd=tmp_path)
    assert chosen.returncode == 0 and chosen.stderr == ""
    assert "## 六、佐证材料" in (tmp_path / "hb.md").read_text(encoding="utf-8")
    table = run("draft", "facts.yaml", "--template", "national-table", cwd=tmp_path)
    assert table.returncode == 2 and "Traceback" not in table.stderr
    assert table.stderr.strip() == ("drafter: 模板 national-table 是自评表（表格）：起草只写分节的报告"
                                    "（用 --template 选择 gd-annex5、hb-yn-selfeval）")


# --- every fact in the draft -----------------------------------------------------------------------
def test_sources_uses_reasons_scores_and_evidence_all_appear(tmp_path):
    facts = load_facts(FIXTURE)
    gd = draft(facts).markdown
    hb = draft(facts, template_id="hb-yn-selfeval").markdown
    for text in (gd, hb):
        assert "项目单位：清远县水利局\n\n主管部门：清远县人民政府\n" in text
        for row in ("| 当年财政拨款 | 100 万元 | 90 万元 | 86.5 万元 |",
                    "| 上年结转资金 | 20 万元 | 20 万元 | 18 万元 |",
                    "| 产出指标 | 时效指标 | 故障修复时间 | ≤48小时 | 50小时 | 15 | 14.4 "
                    "| 两处山区工程交通不便，配件运输延误；已与供货商签订就近储备协议 |",
                    "| 效益指标 | 社会效益指标 | 受益人口 | >=5万人 | 4.8万人 | 30 | 28.8 "
                    "| 一处工程因水源改线推迟至次年完工；已列入 2025 年第一季度计划 |",
                    "| 满意度指标 | 服务对象满意度指标 | 受益群众满意度 | >=90% | 92.5% | 10 | 10 | — |"):
            assert row in text, row
        assert ("| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 "
                "| 偏差原因分析及改进措施 |") in text
    # the uses have their own section; the indicators stand where the template puts them
    uses = _section(gd, "3. 资金分用途使用绩效")
    assert uses == ("| 用途 | 预算 | 支出 | 主要产出 |\n|---|---|---|---|\n"
                    "| 管网维修 | 70 万元 | 66.5 万元 | 更换老化管网 12.6 公里 |\n"
                    "| 水泵及消毒设备更换 | 40 万元 | 38 万元 | 更换水泵 24 台、消毒设备 18 套 |")
    assert "一级指标" in _section(gd, "2. 资金完成绩效目标情况") and "一级指标" not in uses
    # a template without a 资金分用途 section has the uses beside the spending
    assert _section(hb, "一、项目基本情况").endswith("\n\n" + uses)
    assert _section(hb, "六、佐证材料") == (
        "一是工程维修验收单 30 份。\n\n二是资金支付凭证。\n\n三是满意度调查问卷汇总表。")


def test_the_self_score_is_written_as_given_with_the_computed_total_beside_it():
    facts = load_facts(FIXTURE)
    result = draft(facts)
    assert _section(result.markdown, "（一）自评分数") == (
        "自评 98 分，评价等级为“优”。\n\n"
        "各项指标得分合计：20 + 15 + 14.4 + 28.8 + 10 + 9.5（预算执行率） = 97.7 分，自评分数比合计高 0.3 分。"
        "【待补充：请核对自评分数与各项指标得分】")
    assert [f.rule for f in result.review.findings] == []  # not read as a second self-score
    same = facts.model_copy(update={"self_score": Decimal("97.7")})
    assert _section(draft(same).markdown, "（一）自评分数") == (
        "自评 97.7 分，评价等级为“优”。\n\n"
        "各项指标得分合计：20 + 15 + 14.4 + 28.8 + 10 + 9.5（预算执行率） = 97.7 分。")


def test_a_stated_indicator_score_differing_from_the_formula_shows_both():
    facts = load_facts(FIXTURE)
    rows = [r.model_copy(update={"score": Decimal(14)}) if r.name == "故障修复时间" else r for r in facts.indicators]
    text = draft(facts.model_copy(update={"indicators": rows}), review_draft=False).markdown
    assert "| 15 | 14（按公式计算 14.4） |" in text


def _section(markdown: str, heading: str) -> str:
    m = re.search(rf"^#+ {re.escape(heading)}\n\n(.*?)(?=\n\n#|\Z)", markdown, re.S | re.M)
    assert m, heading
    return m.group(1).strip()


@pytest.mark.parametrize("template", section_templates())
@pytest.mark.parametrize("source", ["fixture", "minimal"])
def test_every_section_of_every_template_has_content(template, source):
    facts = load_facts(FIXTURE) if source == "fixture" else parse_facts(MINIMAL, "minimal.yaml")
    result = draft(facts, template_id=template, review_draft=False)
    leaves = [s for s in result.sections if not s.plan.has_children]
    assert leaves and all(s.text.strip() for s in leaves), [s.plan.heading for s in leaves if not s.text.strip()]
    if source == "minimal":
        # missing information is a placeholder naming what belongs there, never nothing
        assert result.placeholders == sum(s.text.count("【待补充") for s in result.sections) >= 4


def test_section_templates_are_every_template_but_the_table():
    assert section_templates() == sorted(t for t, v in load_templates().items() if v.form == "sections")
    assert "national-table" not in section_templates()


# --- a draft its own reviewer accepts --------------------------------------------------------------
@pytest.mark.parametrize("template", [None, *section_templates()])
def test_no_draft_of_the_suite_has_an_error_level_finding(template, tmp_path):
    make_table(tmp_path / "t.xlsx")
    for facts in [*(load_facts(p) for p in SUITE), import_table(tmp_path / "t.xlsx"), full_facts()]:
        result = draft(facts, template_id=template)
        errors = [(f.rule, f.quote) for f in result.review.findings if f.level.value == "error"]
        assert errors == [], (facts.project.name, errors)


def test_placeholders_are_counted_in_findings_json_and_by_the_cli(tmp_path):
    (tmp_path / "facts.yaml").write_text(MINIMAL, encoding="utf-8")
    result = draft(parse_facts(MINIMAL), runs_dir=tmp_path / "runs")
    findings = json.loads((tmp_path / "runs" / result.run_id / "findings.json").read_text(encoding="utf-8"))
    assert findings["placeholders"] == result.placeholders == result.markdown.count("【待补充")
    proc = run("draft", "facts.yaml", "-o", "d.md", "--runs", "runs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(f"待补充 {result.placeholders} 处")


# --- facts errors, all at once; the schema ---------------------------------------------------------
def test_every_facts_error_is_shown_at_once(tmp_path):
    bad = MINIMAL.replace("initial: 10", "initial: 十万").replace("year: 2024", "year: 【待补充】") + (
        "indicators:\n  - {level1: 产出指标, name: 数量, target: '>=5', weight: 0}\n"
        "  - {level1: 产出指标, name: 质量}\n")
    (tmp_path / "facts.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_facts(tmp_path / "facts.yaml")
    path = str(tmp_path / "facts.yaml")
    assert str(exc.value).split("\n") == [
        f"{path}: year（第 2 行）：仍是【待补充】：请填写年度，例如 2023",
        f'{path}: budget.initial（第 5 行）：须为数字，收到 "十万"',
        f"{path}: indicators[0].weight（第 7 行）：须大于 0，收到 0",
        f"{path}: indicators[1].target（第 8 行）：缺少这一项（必填）",
        f"{path}: indicators[1].weight（第 8 行）：缺少这一项（必填）",
    ]
    proc = run("draft", "facts.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 5 and "Traceback" not in proc.stderr


def test_facts_schema_is_printed_and_describes_every_facts_file(tmp_path):
    import jsonschema

    proc = run("facts", "schema", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema == json.loads(json.dumps(facts_json_schema()))
    validator = jsonschema.Draft202012Validator(schema)
    import yaml

    for p in [*SUITE, ROOT / "examples" / "facts-complete.yaml"]:
        errors = list(validator.iter_errors(yaml.safe_load(p.read_text(encoding="utf-8"))))
        assert errors == [], (p.name, errors[:1])
    wrong = yaml.safe_load(MINIMAL + "titel: 报告\n")
    assert not validator.is_valid(wrong)
    assert not validator.is_valid({**yaml.safe_load(MINIMAL), "budget": {"unit": "千元", "initial": 1, "spent": 1}})


def test_the_complete_example_documents_every_field():
    """examples/facts-complete.yaml uses every key of the facts model, and drafts."""
    text = (ROOT / "examples" / "facts-complete.yaml").read_text(encoding="utf-8")
    schema = facts_json_schema()
    keys = set(schema["properties"])
    for d in schema["$defs"].values():
        keys |= set(d.get("properties", {}))
    for key in keys:
        assert re.search(rf"^\s*(?:- |# )?{key}:", text, re.M), key
    assert draft(load_facts(ROOT / "examples" / "facts-complete.yaml"), review_draft=False).markdown


# --- facts extract -----------------------------------------------------------------------------------
SEED_FIGURES = {  # initial, adjusted, spent, 结余, self-score: from the seed reports
    "jstg": (30000, 27000, 22516, 4484, 100),
    "gl": (110000, 99000, 57790, 41210, 100),
    "ww": (320000, None, 318472, 1528, 100),
}
SEED_PROJECTS = {"jstg": "政务服务建设推广", "gl": "政务系统管理", "ww": "电子政务外网网络管理"}


@pytest.mark.parametrize("kind", ["docx", "pdf"])
@pytest.mark.parametrize("key", sorted(SEED_FIGURES))
def test_extract_from_the_seed_reports_as_docx_and_pdf(key, kind, tmp_path):
    path = tmp_path / f"report.{kind}"
    write_docx(path, seed_items(key)) if kind == "docx" else write_pdf(path, seed_pdf_pages(key))
    data, missing = extract_data(path)
    # the seal's place (项目单位：(公章)) names no unit: left to the user
    assert missing == ["项目单位（项目单位 / 实施单位）"]
    assert data["unit"]["name"] == "【待补充：项目单位】"
    facts = extract_facts(path, unit="新丰县政务服务数据管理局")
    initial, adjusted, spent, balance, score = SEED_FIGURES[key]
    assert (facts.budget.initial, facts.budget.adjusted, facts.budget.spent) == (initial, adjusted, spent)
    assert derive(facts).balance == balance
    assert facts.self_score == score and facts.indicators == []
    assert (facts.year, facts.project.name, facts.template) == (2023, SEED_PROJECTS[key], "gd-annex5")


SEALED = """# 财政支出项目绩效自评报告

（2023 年度）

项目名称：农村饮水安全维修

项目单位：（公章）

## 一、基本情况

### （二）项目基本情况

年初预算 80 万元，全年支出 76 万元，结余 4 万元。

## 二、自评情况

### （一）自评分数

自评 96 分。

### （二）资金使用绩效

#### 2. 资金完成绩效目标情况

| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
|---|---|---|---|---|---|---|---|
| 产出指标 | 数量指标 | 维修工程数量 | ≥20处 | 20处 | 50 | 50 | |
| 效益指标 | 社会效益指标 | 受益人口 | ≥2万人 | 1.8万人 | 30 | 27 | 一处工程推迟完工 |
| 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90% | 95% | 10 | 10 | |
| 总分 | | | | | 90 | 87 | |
"""


def test_extract_leaves_what_it_cannot_find_to_the_user(tmp_path):
    (tmp_path / "report.md").write_text(SEALED, encoding="utf-8")
    proc = run("facts", "extract", "report.md", "-o", "facts.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ("report.md: 待补充 1 处（报告中没有找到：项目单位（项目单位 / 实施单位）），"
                           "请在 facts 文件中填写，或用 --unit/--project/--year 给出\n")
    written = (tmp_path / "facts.yaml").read_text(encoding="utf-8")
    assert "name: 【待补充：项目单位】" in written
    facts = load_facts(tmp_path / "facts.yaml")
    assert (facts.budget.unit, facts.budget.initial, facts.budget.spent, facts.self_score) == ("元", 800000, 760000, 96)
    assert [(i.name, i.target.text, str(i.actual), i.weight, i.score, i.reason) for i in facts.indicators] == [
        ("维修工程数量", "≥20处", "20", 50, 50, None),
        ("受益人口", "≥2万人", "1.8", 30, 27, "一处工程推迟完工"),
        ("群众满意度", "≥90%", "95", 10, 10, None),
    ]
    assert [(i.level1, i.level2) for i in facts.indicators] == [
        ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]
    given = run("facts", "extract", "report.md", "--unit", "清远县水利局", "--year", "2024", "-o", "f2.yaml",
                cwd=tmp_path)
    assert given.returncode == 0 and given.stderr == ""
    supplied = load_facts(tmp_path / "f2.yaml")
    assert (supplied.unit.name, supplied.year) == ("清远县水利局", 2024)


def test_extract_without_the_budget_writes_placeholders_that_name_themselves(tmp_path):
    (tmp_path / "report.md").write_text("# 财政支出项目绩效自评报告\n\n（2023 年度）\n\n项目名称：测试项目\n\n"
                                        "项目单位：测试局\n\n## 一、基本情况\n\n本项目用于测试。\n", encoding="utf-8")
    proc = run("facts", "extract", "report.md", "-o", "facts.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "initial: 【待补充】" in (tmp_path / "facts.yaml").read_text(encoding="utf-8")
    drafted = run("draft", "facts.yaml", cwd=tmp_path)
    assert drafted.returncode == 2
    assert drafted.stderr.splitlines() == [
        "drafter: facts.yaml: budget.initial（第 9 行）：仍是【待补充】：请填写数字",
        "facts.yaml: budget.spent（第 10 行）：仍是【待补充】：请填写数字",
    ]


@pytest.mark.parametrize("sentence", [
    "项目资金总预算为 2455.5 万元，其中部门预算项目支出 87.5 万元。",  # a budget line, not spending
    "年初预算 83 万元。今年支付了 68 万元的线路租费。",  # one purpose's payment
])
def test_extract_takes_no_spending_it_cannot_be_sure_of(sentence, tmp_path):
    (tmp_path / "r.md").write_text(f"# 财政支出项目绩效自评报告\n\n（2023 年度）\n\n项目名称：测试项目\n\n"
                                   f"项目单位：测试局\n\n## 一、基本情况\n\n{sentence}\n", encoding="utf-8")
    data, missing = extract_data(tmp_path / "r.md")
    assert data["budget"]["spent"] == "【待补充】" and missing == ["全年支出（支出 / 执行数）"]


def test_extract_never_calls_an_adjusted_budget_the_initial_one(tmp_path):
    (tmp_path / "r.md").write_text("# 财政支出项目绩效自评报告\n\n（2023 年度）\n\n项目名称：测试项目\n\n"
                                   "项目单位：测试局\n\n## 一、基本情况\n\n调整后预算为 50 万元，全年支出 45 万元。\n",
                                   encoding="utf-8")
    data, missing = extract_data(tmp_path / "r.md")
    assert data["budget"] == {"unit": "元", "initial": "【待补充】", "adjusted": 500000, "spent": 450000}
    assert missing == ["年初预算（调整后预算已找到）"]


def test_a_model_writes_the_prose_and_the_tables_stand_as_composed(tmp_path):
    from tests.test_draft import Scripted

    facts = load_facts(FIXTURE)
    prose = "全年完成 30 处供水工程维修养护，更换老化管网 12.6 公里。"
    model = Scripted([prose])
    (section,) = draft(facts, model=model, backend="fake", section="二/（二）/2", runs_dir=tmp_path, jobs=1).sections
    assert section.source == "model"
    assert "一级指标" not in model.sent[0]  # the model is given the prose, not the table
    assert section.text.startswith(prose + "\n\n| 一级指标 | 二级指标 |")
    assert section.text.endswith(
        "预算执行率 95.00%，得分 9.5 分（1045000 / 1100000 = 95.00%；10 分 × 95.00% = 9.5 分）。")
    (uses,) = draft(facts, model=Scripted([]), backend="fake", section="二/（二）/3", runs_dir=tmp_path,
                    jobs=1).sections
    assert uses.source == "offline" and uses.text.startswith("| 用途 | 预算 | 支出 | 主要产出 |")


def test_extract_reads_the_indicator_table_of_a_word_report(tmp_path):
    """The seed report with a 绩效指标 table of its own figures (861 个 data catalogues) added."""
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "数据目录挂接数", "≥800个", "861个", "40", "40", ""],
            ["效益指标", "社会效益指标", "信息网络安全事件", "≤0起", "0起", "40", "40", ""],
            ["满意度指标", "服务对象满意度指标", "使用单位满意度", "≥90%", "95%", "10", "10", ""],
            ["总分", "", "", "", "", "90", "90", ""]]
    write_docx(tmp_path / "r.docx", [*seed_items("gl"), ("table", rows)])
    facts = extract_facts(tmp_path / "r.docx", unit="新丰县政务服务数据管理局")
    assert [(i.level1, i.level2, i.name, i.target.text, i.actual, i.unit, i.weight, i.score)
            for i in facts.indicators] == [
        ("产出指标", "数量指标", "数据目录挂接数", "≥800个", 861, "个", 40, 40),
        ("效益指标", "社会效益指标", "信息网络安全事件", "≤0起", 0, "起", 40, 40),
        ("满意度指标", "服务对象满意度指标", "使用单位满意度", "≥90%", 95, "%", 10, 10),
    ]
    assert facts.self_score == 100  # the text's 自评 100 分 comes before the table's 总分
