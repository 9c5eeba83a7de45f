"""Facts from a 自评表 (.xlsx) and from last year's report; YAML round trip."""

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from drafter.errors import InputError
from drafter.facts.derive import derive
from drafter.facts.io import dump_facts, extract_data, extract_facts, facts_to_data, import_table
from drafter.facts.model import Budget, Facts, FundSource, Indicator, Project, Target, Unit, load_facts

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EXAMPLES = ROOT / "examples"

GOAL = "完成政府网站、OA办公系统及政务系统的规范建设和定期维护，确保各网站运行顺畅、安全、高效。"
RESULT = "1.数据资源“一网共享”平台累计挂接数据目录 861 个；\n2.政府门户网站全年未出现信息网络安全事件"


def make_table(path, *, unit_header="项目资金（万元）", amounts=(11, 9.9, 5.779), sources=True, indicators=True,
               total_score=88.84, title_year="（2023年度）", offset=0):
    """A national-format 项目支出绩效自评表 like the ones units fill in, merged cells included.
    ``offset`` shifts the whole table down and right (header cells are found by text)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    o = offset

    def put(cell_row, cell_col, value, merge_to=None, fmt=None):
        r, c = cell_row + o, cell_col + o
        ws.cell(r, c, value)
        if fmt:
            ws.cell(r, c).number_format = fmt
        if merge_to:
            ws.merge_cells(start_row=r, start_column=c, end_row=merge_to[0] + o, end_column=merge_to[1] + o)

    put(1, 1, "项目支出绩效自评表", (1, 10))
    put(2, 1, title_year, (2, 10))
    put(3, 1, "项目名称", (3, 2))
    put(3, 3, "政务系统管理", (3, 10))
    put(4, 1, "主管部门", (4, 2))
    put(4, 3, "新丰县政务服务数据管理局", (4, 5))
    put(4, 6, "实施单位", (4, 7))
    put(4, 8, "新丰县行政服务中心", (4, 10))
    put(5, 1, unit_header, (9, 2))
    for col, head in zip(range(4, 10), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        put(5, col, head)
    put(6, 3, "年度资金总额")
    initial, adjusted, spent = amounts
    put(6, 4, initial)
    put(6, 5, adjusted)
    put(6, 6, spent)
    put(6, 7, 10)
    put(6, 8, 0.5837, fmt="0.00%")
    put(6, 9, 5.84)
    put(7, 3, "其中：当年财政拨款")
    if sources:
        put(7, 4, initial)
        put(7, 5, adjusted)
        put(7, 6, spent)
    for col in (7, 8, 9):
        put(7, col, "—")
    put(8, 3, "上年结转资金")
    for col in (4, 5, 6):
        put(8, col, 0)
    put(9, 3, "其他资金")
    put(10, 1, "年度总体目标", (11, 1))
    put(10, 2, "预期目标", (10, 6))
    put(10, 7, "实际完成情况", (10, 10))
    put(11, 2, GOAL, (11, 6))
    put(11, 7, RESULT, (11, 10))
    if not indicators:
        wb.save(path)
        return path
    put(12, 1, "绩效指标", (19, 1))
    for col, head in zip(range(2, 10), ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                        "偏差原因分析及改进措施")):
        put(12, col, head, (12, 10) if col == 9 else None)
    rows = [
        # row, level1 (merge to), level2 (merge to), name, target, actual, weight, score, reason
        (13, ("产出指标", 15), ("数量指标", 14), "数据目录挂接数", "≥800个", "861个", 20, 20, None),
        (14, None, None, "视频点位汇聚数", ">=2000", 2269, 15, 15, None),
        (15, None, ("时效指标", 15), "故障响应时间", "≤2小时", "3小时", 15, 10,
         "个别故障需厂家远程处理，响应超时；将与运维单位明确响应时限"),
        (16, ("效益指标", 17), ("社会效益指标", 16), "政务系统稳定运行", "稳定运行", "全年无重大安全事件",
         20, 18, None),
        (17, None, ("可持续影响指标", 17), "系统安全等级保护测评", "100%", 1, 10, 10, None),
        (18, ("满意度指标", 18), ("服务对象满意度指标", 18), "使用单位满意度", "≥90%", "95%", 10, 10, None),
    ]
    for r, l1, l2, name, target, actual, weight, score, reason in rows:
        if l1:
            put(r, 2, l1[0], (l1[1], 2) if l1[1] != r else None)
        if l2:
            put(r, 3, l2[0], (l2[1], 3) if l2[1] != r else None)
        put(r, 4, name)
        put(r, 5, target)
        put(r, 6, actual, fmt="0%" if actual == 1 else None)
        put(r, 7, weight)
        put(r, 8, score)
        put(r, 9, reason, (r, 10))
    put(19, 2, "总分", (19, 6))
    put(19, 7, 100)
    put(19, 8, total_score)
    put(20, 1, "评价等级", (20, 2))
    put(20, 3, "良", (20, 10))
    wb.save(path)
    return path


EXPECTED_INDICATORS = [
    Indicator(level1="产出指标", level2="数量指标", name="数据目录挂接数",
              target=Target(text="≥800个", direction="≥", value=Decimal(800), unit="个"), actual=Decimal(861),
              unit="个", weight=Decimal(20), score=Decimal(20)),
    Indicator(level1="产出指标", level2="数量指标", name="视频点位汇聚数",
              target=Target(text=">=2000", direction="≥", value=Decimal(2000), unit=""), actual=Decimal(2269),
              unit=None, weight=Decimal(15), score=Decimal(15)),
    Indicator(level1="产出指标", level2="时效指标", name="故障响应时间",
              target=Target(text="≤2小时", direction="≤", value=Decimal(2), unit="小时"), actual=Decimal(3),
              unit="小时", weight=Decimal(15), score=Decimal(10),
              reason="个别故障需厂家远程处理，响应超时；将与运维单位明确响应时限"),
    Indicator(level1="效益指标", level2="社会效益指标", name="政务系统稳定运行", target=Target(text="稳定运行"),
              actual="全年无重大安全事件", weight=Decimal(20), score=Decimal(18), qualitative=True),
    Indicator(level1="效益指标", level2="可持续影响指标", name="系统安全等级保护测评",
              target=Target(text="100%", direction="≥", value=Decimal(100), unit="%"), actual=Decimal(100), unit="%",
              weight=Decimal(10), score=Decimal(10)),
    Indicator(level1="满意度指标", level2="服务对象满意度指标", name="使用单位满意度",
              target=Target(text="≥90%", direction="≥", value=Decimal(90), unit="%"), actual=Decimal(95), unit="%",
              weight=Decimal(10), score=Decimal(10)),
]


def test_import_table_reads_the_exact_facts(tmp_path):
    f = import_table(make_table(tmp_path / "自评表.xlsx"))
    expected = Facts(
        template="national-table",
        year=2023,
        unit=Unit(name="新丰县行政服务中心", department="新丰县政务服务数据管理局"),
        project=Project(name="政务系统管理", goal=GOAL),
        budget=Budget(unit="万元", initial=Decimal(11), adjusted=Decimal("9.9"), spent=Decimal("5.779"),
                      execution_weight=Decimal(10),
                      sources=[FundSource(name="当年财政拨款", initial=Decimal(11), adjusted=Decimal("9.9"),
                                          spent=Decimal("5.779"))]),
        indicators=EXPECTED_INDICATORS,
        self_score=Decimal("88.84"),
        achievements=["数据资源“一网共享”平台累计挂接数据目录 861 个。", "政府门户网站全年未出现信息网络安全事件。"],
    )
    assert f == expected
    d = derive(f)
    assert (d.initial, d.adjusted, d.spent, d.balance) == (110000, 99000, 57790, 41210)
    assert d.execution_rate_text == "58.37%" and d.execution_weight_source == "budget"
    assert [s.counted for s in d.indicator_scores] == [20, 15, 10, 18, 10, 10]
    assert str(d.total) == "88.84" and d.grade == "良" and d.weights_total == 100 and d.self_score_gap == 0


def test_import_table_finds_headers_anywhere(tmp_path):
    a = import_table(make_table(tmp_path / "a.xlsx"))
    b = import_table(make_table(tmp_path / "b.xlsx", offset=3))
    assert a == b


def test_import_table_in_yuan_without_sources_or_indicators(tmp_path):
    path = make_table(tmp_path / "t.xlsx", unit_header="项目资金（元）", amounts=(30000, 27000, 22516), sources=False,
                      indicators=False)
    f = import_table(path)
    assert f.budget == Budget(unit="元", initial=Decimal(30000), adjusted=Decimal(27000), spent=Decimal(22516),
                              execution_weight=Decimal(10))
    assert f.indicators == [] and f.self_score is None
    assert derive(f).balance == 4484


def test_import_table_sums_the_sources_when_the_total_row_is_empty(tmp_path):
    path = make_table(tmp_path / "t.xlsx", indicators=False)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for col in (4, 5, 6):
        ws.cell(6, col).value = None
    wb.save(path)
    f = import_table(path)
    assert (f.budget.initial, f.budget.adjusted, f.budget.spent) == (Decimal(11), Decimal("9.9"), Decimal("5.779"))


def test_import_table_errors(tmp_path):
    with pytest.raises(InputError) as exc:
        import_table(tmp_path / "missing.xlsx")
    assert exc.value.problem == "找不到这个文件"

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a workbook")
    with pytest.raises(InputError) as exc:
        import_table(bad)
    assert str(exc.value) == f"{bad}: 无法作为 .xlsx 工作簿读取（BadZipFile）：请把表格另存为 .xlsx"

    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    with pytest.raises(InputError) as exc:
        import_table(old)
    assert exc.value.problem == "这是旧版工作簿：请用 Excel 或 WPS 另存为 .xlsx"

    fake = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError) as exc:
        import_table(fake)
    assert exc.value.path == str(fake) and exc.value.problem.startswith("无法作为 .xlsx 工作簿读取（")

    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "人员名单"
    wb.save(other)
    with pytest.raises(InputError) as exc:
        import_table(other)
    assert exc.value.problem == "工作簿里没有项目支出绩效自评表：没有哪张工作表有“全年执行数”或“三级指标”表头"

    no_year = make_table(tmp_path / "noyear.xlsx", title_year="")
    with pytest.raises(InputError) as exc:
        import_table(no_year)
    assert exc.value.problem == "工作表“自评表”：没有年度（标题应如“项目支出绩效自评表（2023年度）”）"

    over = make_table(tmp_path / "over.xlsx", amounts=(11, 9.9, 12))
    with pytest.raises(InputError) as exc:
        import_table(over)
    assert exc.value.problem == (
        "工作表“自评表”第 6 行：全年执行数 12 超过了全年预算数 9.9：请更正表格，"
        "或手工编写事实文件并填写 budget.spent_over_reason"
    )


def test_import_table_score_over_weight_names_the_row(tmp_path):
    path = make_table(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(14, 8).value = 18
    wb.save(path)
    with pytest.raises(InputError) as exc:
        import_table(path)
    assert exc.value.problem == (
        "工作表“自评表”第 14 行（视频点位汇聚数）：score：18 超过了分值 15（得分不能超过分值）"
    )


# --- last year's report ----------------------------------------------------------------------------
def test_extract_facts_from_the_zwxt_report():
    f = extract_facts(CORPUS / "gd-2023-zwxt-gl.md")
    assert f.template == "gd-annex5" and f.year == 2023
    assert f.unit.name == "新丰县政务服务数据管理局"
    assert f.unit.profile.startswith("县政务服务数据管理局是县政府工作部门，为正科级。")
    assert f.unit.profile.endswith("11、完成县委、县政府和市政务服务数据管理局交办的其他任务。")
    assert f.unit.profile.count("\n") == 12
    assert f.project.name == "政务系统管理"
    assert f.project.goal.startswith("新丰县人民政府公众信息网站、OA办公系统")
    assert f.budget == Budget(unit="元", initial=Decimal(110000), adjusted=Decimal(99000), spent=Decimal(57790))
    assert f.self_score == Decimal(100)
    assert f.indicators == []
    assert len(f.achievements) == 5
    assert f.achievements[0].startswith("我单位承担全县电子政务网站建设管理")
    assert f.achievements[1].startswith("一是强化数据资源“一网共享”。")
    assert "累计挂接数据目录 861 个" in f.achievements[1]
    assert "580 个视频点位到市级雪亮平台" in f.achievements[2]  # the paragraph cut by a page break is whole
    assert f.achievements[4] == (
        "四是严格执行政府门户网站信息发布审核制度、内容巡查值班制；在重要时期，政府门户网站实行全天 24 小时值守巡查。"
        "政府门户网站运行以来，未出现过信息网络安全事件。"
    )
    assert not any("预算" in a for a in f.achievements)  # the budget sentences stay in the budget block
    assert f.problems == ["政务系统还未能完全满足我县政务服务改革工作需求。"]
    assert f.improvements == [
        "根据我县政务系统升级改造需求，加强与市局沟通联系，完善相关功能，确保全县政务系统安全可靠运行。"
    ]
    d = derive(f)
    assert d.balance == 41210 and d.execution_rate_text == "58.37%"


def test_extract_facts_from_the_other_reports():
    jstg = extract_facts(CORPUS / "gd-2023-zwfw-jstg.md")
    assert jstg.project.name == "政务服务建设推广"
    assert jstg.budget == Budget(unit="元", initial=Decimal(30000), adjusted=Decimal(27000), spent=Decimal(22516))
    assert jstg.achievements[1].startswith("全面规范网上办事服务。依托广东省政务服务网")  # "1." numbering dropped
    assert len(jstg.achievements) == 9
    assert jstg.problems == ["主要是我县政务服务能力不足，仍需进一步提升。"]
    assert jstg.improvements == [
        "持续提高我县政务服务能力水平，推动“粤省事”“粤商通”“粤政易”等“粤系列”移动终端应用，"
        "推动政务服务事项“指尖办”，全力提升企业、群众的获得感和幸福感。"
    ]
    dzzw = extract_facts(CORPUS / "gd-2023-dzzw-ww.md")
    assert dzzw.budget == Budget(unit="元", initial=Decimal(320000), spent=Decimal(318472))
    assert dzzw.project.goal.startswith("对县电子政务外网网络系统建设、升级")
    assert derive(dzzw).balance == 1528


def test_extract_facts_skips_template_instructions(tmp_path):
    text = (CORPUS / "gd-2023-zwxt-gl.md").read_text(encoding="utf-8")
    assert "针对资金使用绩效存在的问题提出完善意见。" in text
    f = extract_facts(CORPUS / "gd-2023-zwxt-gl.md")
    assert not any("提出完善意见" in x for x in f.improvements + f.achievements + f.problems)
    # an instruction sharing a paragraph with the text is cut out of it
    p = tmp_path / "r.md"
    p.write_text(text.replace("针对资金使用绩效存在的问题提出完善意见。\n\n根据",
                              "针对资金使用绩效存在的问题提出完善意见。根据"), encoding="utf-8")
    assert extract_facts(p).improvements == f.improvements


def test_extract_facts_without_a_budget(tmp_path):
    p = tmp_path / "r.md"
    p.write_text("# 财政支出项目绩效自评报告\n\n（2023 年度）\n\n项目名称：测试项目\n\n"
                 "## 一、基本情况\n\n本项目用于测试。\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        extract_facts(p)
    assert exc.value.problem == (
        "报告中没有找到：项目单位（项目单位 / 实施单位）、预算（年初预算或调整后预算）、全年支出（支出 / 执行数）；"
        "请用 --unit/--project/--year 给出，或手工填写 facts 文件")
    data, missing = extract_data(p, unit="测试局")
    assert missing == ["预算（年初预算或调整后预算）", "全年支出（支出 / 执行数）"]
    assert data["budget"] == {"unit": "元", "initial": "【待补充】", "spent": "【待补充】"}
    assert (data["year"], data["unit"]["name"], data["project"]["name"]) == (2023, "测试局", "测试项目")
    with pytest.raises(InputError) as exc:
        extract_facts(tmp_path / "missing.md")
    assert exc.value.path == str(tmp_path / "missing.md")


# --- writing ---------------------------------------------------------------------------------------
def full_facts() -> Facts:
    return Facts.model_validate({
        "template": "gd-annex5",
        "year": 2024,
        "unit": {"name": "新丰县政务服务数据管理局", "department": "新丰县人民政府",
                 "profile": "县政务服务数据管理局是县政府工作部门。\n主要职责：\n1、统筹推进。"},
        "project": {"name": "政务系统管理", "description": "系统运维。", "goal": "系统稳定运行。"},
        "budget": {"unit": "万元", "initial": 11, "adjusted": 9.9, "spent": 5.779, "execution_weight": 10,
                   "adjustment_reason": "年中指标调减", "underspend_reason": "部分项目延至次年实施",
                   "sources": [{"name": "当年财政拨款", "initial": 11, "adjusted": 9.9, "spent": 5.779}]},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "数据目录挂接数", "target": ">=800", "actual": "861个",
             "weight": 20, "score": 20},
            {"level1": "产出指标", "name": "故障响应时间", "target": "≤2小时", "actual": 3.5, "weight": 30,
             "reason": "厂家远程处理"},
            {"level1": "效益指标", "name": "运行稳定", "target": "稳定运行", "actual": "良好", "weight": 30,
             "score": 27, "qualitative": True},
            {"level1": "满意度指标", "name": "满意度", "target": "≥90%", "actual": "95.5%", "weight": 10},
            {"level1": "预算执行率", "name": "预算执行率", "target": "100%", "weight": 10},
        ],
        "self_score": 88.5,
        "achievements": ["累计挂接数据目录 861 个。", "“一网共享”平台: 运行正常 # 无中断"],
        "problems": ["- 以短横开头的问题"],
        "improvements": ["加强沟通。"],
    })


@pytest.mark.parametrize("name", ["facts.yaml", "facts.json"])
def test_dump_round_trip(tmp_path, name):
    f = full_facts()
    dump_facts(f, tmp_path / name)
    assert load_facts(tmp_path / name) == f


def test_dump_yaml_keys_in_order_and_readable(tmp_path):
    dump_facts(full_facts(), tmp_path / "f.yaml")
    text = (tmp_path / "f.yaml").read_text(encoding="utf-8")
    tops = [ln.split(":")[0] for ln in text.splitlines() if ln and not ln.startswith((" ", "-"))]
    assert tops == ["template", "year", "unit", "project", "budget", "indicators", "self_score", "achievements",
                    "problems", "improvements"]
    assert "name: 新丰县政务服务数据管理局" in text  # allow_unicode
    assert "  profile: |-\n    县政务服务数据管理局是县政府工作部门。\n    主要职责：\n" in text
    assert "  initial: 11\n  adjusted: 9.9\n  spent: 5.779\n" in text
    assert "target: '>=800'" in text and "actual: 861\n" in text and "unit: 个" in text
    assert list(facts_to_data(full_facts())["budget"]) == [
        "unit", "initial", "adjusted", "spent", "execution_weight", "adjustment_reason", "underspend_reason", "sources",
    ]  # spent_over_reason is not given


def test_model_dump_json_loads_back(tmp_path):
    import json

    f = full_facts()
    (tmp_path / "run.json").write_text(json.dumps(f.model_dump(mode="json"), ensure_ascii=False), encoding="utf-8")
    assert load_facts(tmp_path / "run.json") == f


@pytest.mark.parametrize("source", ["examples", "extracted", "imported"])
def test_round_trip_of_real_facts(tmp_path, source):
    if source == "examples":
        items = [load_facts(p) for p in sorted(EXAMPLES.glob("facts-*.yaml"))]
        assert len(items) == 4  # the three seed facts and the complete example
    elif source == "extracted":
        items = [extract_facts(p) for p in sorted(CORPUS.glob("*.md"))]
    else:
        items = [import_table(make_table(tmp_path / "t.xlsx"))]
    for i, f in enumerate(items):
        out = tmp_path / f"out{i}.yaml"
        dump_facts(f, out)
        assert load_facts(out) == f
