"""The minimum the reviewer must catch on the seed reports (end of shared/domain.md), as exact
rules and spans, and the identities that hold must stay silent."""

import pytest

from drafter.documents.load import load
from drafter.review.engine import review
from tests.conftest import SEEDS

STOCK_1 = "本着厉行节约，注重效果的"
EXPECTED = {
    "jstg": [
        ("template-instruction", "warning", "主要包括资金评价年度的资金额度、资金分配方式、主要用途和绩效目标等情况"),
        ("forecast-as-result", "warning",
         "预计全年为 400 多家新设企业提供 4 枚印章免费刻制服务，实现一窗受理、半天出证，全流程网上快审快办目标"),
        ("adjustment-unexplained", "warning", "27000 元"),
        ("score-exceeds-execution", "error", "自评 100 分"),
        ("stock-phrases", "warning",
         "“政务服务建设推广”项目本着厉行节约，注重效果的原则，专款专用，"
         "为最大限度提升项目效果，将拨款全部用于政务服务建设和推广运用"),
        ("all-used-vs-balance", "error", "将拨款全部用于政务服务建设和推广运用"),
        ("execution-unexplained", "error", "2023 年本项目支出 22516 元，结余 4484 元"),
        ("stock-phrases", "warning", "按相关资金管理制度规定及时、足额支付资金，及时发挥效益"),
        ("vague-problem", "warning", "主要是我县政务服务能力不足，仍需进一步提升"),
        ("template-instruction", "warning", "针对资金使用绩效存在的问题提出完善意见"),
        ("slogan-improvements", "warning",
         "持续提高我县政务服务能力水平，推动“粤省事”“粤商通”“粤政易”等“粤系列”移动终端应用，"
         "推动政务服务事项“指尖办”，全力提升企业、群众的获得感和幸福感"),
    ],
    "gl": [
        ("template-instruction", "warning", "主要包括资金评价年度的资金额度、资金分配方式、主要用途和绩效目标等情况"),
        ("intensifier-claim", "warning", "节约大量的人力，物力，财力，社会效率明显"),
        ("adjustment-unexplained", "warning", "99000 元"),
        ("score-exceeds-execution", "error", "自评 100 分"),
        ("stock-phrases", "warning",
         "“政务系统管理”项目本着厉行节约，注重效果的精神，专款专用，"
         "为最大限度提升项目效果，将拨款全部用于政务系统管理"),
        ("all-used-vs-balance", "error", "将拨款全部用于政务系统管理"),
        ("execution-unexplained", "error", "2023 年本项目支出 57790 元，结余 41210 元"),
        ("stock-phrases", "warning", "项目资金按相关管理制度规定及时、足额支付资金，及时发挥效益"),
        ("vague-problem", "warning", "政务系统还未能完全满足我县政务服务改革工作需求"),
        ("template-instruction", "warning", "针对资金使用绩效存在的问题提出完善意见"),
        ("slogan-improvements", "warning",
         "根据我县政务系统升级改造需求，加强与市局沟通联系，完善相关功能，确保全县政务系统安全可靠运行"),
    ],
    "ww": [
        ("template-instruction", "warning", "主要包括资金评价年度的资金额度、资金分配方式、主要用途和绩效目标等情况"),
        ("score-exceeds-execution", "info", "自评 100 分"),
        ("stock-phrases", "warning",
         "“电子政务外网网络管理”项目本着厉行节约，注重效果的精神，专款专用，"
         "为最大限度提升项目效果，将拨款全部用于电子政务外网网络管理"),
        ("all-used-vs-balance", "error", "将拨款全部用于电子政务外网网络管理"),
        ("stock-phrases", "warning", "按相关资金管理制度规定及时、足额支付资金，及时发挥效益"),
        ("template-instruction", "warning", "针对资金使用绩效存在的问题提出完善意见"),
    ],
}


@pytest.fixture(scope="module")
def results():
    return {k: (load(p), review(p)) for k, p in SEEDS.items()}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_findings_are_exactly_these(results, seed):
    report, result = results[seed]
    got = [(f.rule, f.level.value, f.quote) for f in result.findings]
    assert got == EXPECTED[seed]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_every_span_slices_back_to_its_quote(results, seed):
    report, result = results[seed]
    for f in result.findings:
        assert report.text[f.start : f.end] == f.quote
        line_start = report.text.rfind("\n", 0, f.start) + 1
        assert (f.line, f.col) == (report.text.count("\n", 0, f.start) + 1, f.start - line_start + 1)


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_identities_that_hold_are_not_flagged(results, seed):
    # 27000 − 22516 = 4484, 99000 − 57790 = 41210, 320000 − 318472 = 1528, 580 = 380 + 150 + 50
    _, result = results[seed]
    assert [f for f in result.findings if f.category == "figures"] == []


def test_inflated_scores_show_their_arithmetic(results):
    ev = {k: next(f.evidence for f in results[k][1].findings if f.rule == "score-exceeds-execution") for k in EXPECTED}
    assert ev["jstg"].startswith("执行率 22516 / 27000 = 83.39%")
    assert "总分最多 100 − 10 + 8.34 = 98.34 分 < 自评 100 分" in ev["jstg"]
    assert ev["gl"].startswith("执行率 57790 / 99000 = 58.37%")
    assert "= 95.84 分" in ev["gl"]
    # 32 万元 normalised to 320000 元: 99.52% execution leaves a 0.05-point gap, reported as info only
    assert ev["ww"].startswith("执行率 318472 / 320000 = 99.52%")


def test_all_used_shows_the_balance(results):
    ev = [f.evidence for f in results["gl"][1].findings if f.rule == "all-used-vs-balance"]
    assert ev == ["结余 41210 元 > 0（99000 − 57790 = 41210）"]


def test_budget_figures_are_recognised_and_normalised_to_yuan(results):
    from drafter.analysis.view import Analysis

    values = {}
    for k, (report, _) in results.items():
        b = Analysis(report).budget
        values[k] = {role: [f.value for f in items] for role, items in b.found.items()}
    assert values["jstg"] == {"initial": [30000], "adjusted": [27000], "spent": [22516], "balance": [4484],
                              "self_score": [100]}
    # "指标调减后" and "金额为 99000 元" are split by a page break in the source
    assert values["gl"] == {"initial": [110000], "adjusted": [99000], "spent": [57790], "balance": [41210],
                            "self_score": [100]}
    assert values["ww"] == {"initial": [320000], "spent": [318472], "balance": [1528], "self_score": [100]}
