"""Findings state amounts in the unit the report uses for the figure they quote (issue 14): a
report in 万元 reads `应为 13.64 万元，报告写 14.64 万元`, never `应为 136400 元`; a report in 元 keeps
元. The evidence may give 元 beside it. Exact messages, for a 万元 and a 元 report of each rule
whose message states an amount."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.review.engine import review
from drafter.text.figures import in_unit, in_unit_both

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.mark.parametrize(
    ("yuan", "unit", "shown", "both"),
    [
        (136400.0, "万元", "13.64 万元", "13.64 万元（136400 元）"),
        (136400.0, "元", "136400 元", "136400 元"),
        (146399.99999999997, "万元", "14.64 万元", "14.64 万元（146400 元）"),  # float noise
        (0.1 + 0.2, "元", "0.3 元", "0.3 元"),
        (344250.0, "万元", "34.425 万元", "34.425 万元（344250 元）"),  # no rounding to 2 places
        (-45000.0, "万元", "-4.5 万元", "-4.5 万元（-45000 元）"),
        (125000000.0, "亿元", "1.25 亿元", "1.25 亿元（125000000 元）"),
    ],
)
def test_in_unit(yuan: float, unit: str, shown: str, both: str) -> None:
    assert in_unit(yuan, unit) == shown
    assert in_unit_both(yuan, unit) == both


def _messages(path: Path, rule: str) -> list[tuple[str, str]]:
    return [(f.message, f.evidence) for f in review(path).findings if f.rule == rule]


def _case(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "report.md"
    path.write_text(f"## 二、自评情况\n\n### （二）资金使用绩效\n\n#### 1. 资金支出情况\n\n{body}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message", "evidence"),
    [
        ("项目调整后预算 150 万元，实际支出 136.36 万元，结余 14.64 万元。",
         "结余与预算、支出对不上：调整后预算减支出应为 13.64 万元，报告写 14.64 万元。",
         "调整后预算 150 万元 − 支出 136.36 万元 = 13.64 万元（136400 元）（报告写结余 14.64 万元）"),
        ("项目调整后预算 1500000 元，实际支出 1363600 元，结余 146400 元。",
         "结余与预算、支出对不上：调整后预算减支出应为 136400 元，报告写 146400 元。",
         "调整后预算 1500000 元 − 支出 1363600 元 = 136400 元（报告写结余 146400 元）"),
    ],
    ids=["wanyuan", "yuan"],
)
def test_budget_identity_in_the_reports_unit(tmp_path: Path, body: str, message: str, evidence: str) -> None:
    assert _messages(_case(tmp_path, body), "budget-identity") == [(message, evidence)]


# (fixture folder, rule, the message): a 万元 and a 元 report for each rule whose message states an
# amount it computed (the unit-slip rules state the other unit by design: that is their point)
CASES = [
    ("figures/budget-identity__flag__hospital-wanyuan", "budget-identity",
     "结余与预算、支出对不上：调整后预算减支出应为 4.45 万元，报告写 3.45 万元。"),
    ("figures/budget-identity__flag__school-nutrition", "budget-identity",
     "结余与预算、支出对不上：年初预算减支出应为 47600 元，报告写 37600 元。"),
    ("figures/part-identity__flag__sub-project-balance", "part-identity",
     "分项的结余与其预算、支出对不上：应为 13.5 万元，报告写 15.5 万元。"),
    ("figures/part-identity__flag__after-a-breakdown-intro", "part-identity",
     "分项的结余与其预算、支出对不上：应为 61550 元，报告写 61500 元。"),
    ("figures/parts-sum__flag__hospital-equipment-amount", "parts-sum",
     "分项之和与总数不符：各分项合计 37.6 万元，总数写 38.6 万元。"),
    ("figures/parts-sum__flag__listed-then-total", "parts-sum",
     "分项之和与总数不符：各分项合计 49.4 万元，总数写 52.6 万元。"),
    ("figures/parts-sum__flag__fenbie-list-short-of-total", "parts-sum",
     "分项之和与总数不符：各分项合计 1470000 元，总数写 1850000元。"),
    ("figures/product-total__flag__training-arithmetic", "product-total",
     "数量乘单价与合计不符：合计应为 1.29 万元，报告写 1.2 万元。"),
    ("figures/product-total__flag__three-factors-wrong", "product-total",
     "数量乘单价与合计不符：合计应为 825600 元，报告写 852600 元。"),
    ("figures/standards-total__flag__counts-times-standards-short-of-spending", "standards-total",
     "按各类人数和补助标准计算应为 34.425 万元，与报告写的 35.6万元 不符。"),
    ("score/adjustment-unexplained__flag__sports-cut", "adjustment-unexplained",
     "预算调减 15 万元，报告没有说明调整原因。"),
    ("score/adjustment-unexplained__flag__forestry-top-up-no-reason", "adjustment-unexplained",
     "预算调增 12000 元，报告没有说明调整原因。"),
    ("figures/overspent__flag__funds-block-spent-above-budget", "overspent",
     "支出 338.31 万元 超过调整后预算 329.77 万元，报告没有说明超出部分的来源。"),
    ("figures/overspent__flag__spent-in-yuan-above-budget-in-wan", "overspent",
     "支出 23980元 超过年初预算 2.35万元，报告没有说明超出部分的来源。"),
    ("figures/stated-twice__flag__total-restated-with-sources", "stated-twice",
     "同一个数前后不一致：支出先写 498.6 万元，此处写 489.6 万元。"),
    ("figures/stated-twice__flag__spent-text-vs-table", "stated-twice",
     "同一个数前后不一致：支出先写 44000 元，此处写 43000 元。"),
    ("figures/unit-slip__flag__spent-missing-wan", "unit-slip",
     "疑似 元/万元 写错：4.32 元 应为 4.32 万元。"),
    ("figures/unit-slip-tiny-budget__flag__budget-only", "unit-slip-tiny-budget",
     "疑似 元/万元 写错：项目预算 85元，应为 85 万元？"),
]


@pytest.mark.parametrize(("case", "rule", "message"), CASES, ids=[c[0].split("/")[1] for c in CASES])
def test_message_in_the_reports_unit(case: str, rule: str, message: str) -> None:
    # the finding on the amount (a case may hold another on a rate, as the 执行率 of a table)
    assert [m for m, _ in _messages(FIXTURES / case / "input.md", rule) if "%" not in m] == [message]
