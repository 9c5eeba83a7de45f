"""The web page shows the report as a document (drafter/web/render.py): the metadata header as
a small line, headings as headings, pipe tables as HTML tables, the highlights on the same
characters as the findings; a draft's placeholders counted; a click on a finding's card
scrolls to its text; error pages in Chinese. Browser tests use the server and Chromium of
tests/test_web_browser.py (and skip, saying why, without it)."""

from __future__ import annotations

import re

import drafter
from drafter.documents.load import from_text
from drafter.web import render
from drafter.web.service import segments
from tests.conftest import ROOT
from tests.test_web_browser import ARTIFACTS, FACTS, browser, page, review_file, server, upload_refused  # noqa: F401

REPORT = """---
unit: 新丰县政务服务数据管理局
project: 政务系统管理
year: 2023
---
# 政务系统管理项目支出绩效自评报告

## **一、基本情况**

本项目调整后预算 99000 元，全年支出 57790 元，执行率 58.37%，本项目自评 100 分。

## 二、绩效目标完成情况

| 指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
|---|---|---|---|---|
| 预算执行率 | 100% | 58.37% | 10 | 10 |
| 系统可用率 | ≥ 99% | 效果明显 | 10 | 10 |

### （一）存在的问题

无。
"""


def reviewed(text: str):
    report = from_text(text, path="报告.md")
    result = drafter.review(report)
    return report, result, render.document(segments(report.text, result.findings), result.findings)


def test_document_html_structure():
    _, result, html = reviewed(REPORT)
    assert re.findall(r"<(h\d) class=\"doc-h doc-h\d\">(?:<strong>)?([^<]*)<", html) == [
        ("h2", "政务系统管理项目支出绩效自评报告"), ("h3", "一、基本情况"), ("h3", "二、绩效目标完成情况"),
        ("h4", "（一）存在的问题")]
    assert '<p class="meta" id="report-meta">' in html
    assert re.sub(r"<[^>]+>", "", html.split("</p>")[0]) == "单位 新丰县政务服务数据管理局项目 政务系统管理年度 2023"
    assert html.count("<th>") == 5 and html.count("<tr>") == 3
    assert "---" not in html and "| " not in html and "#" not in html and "**" not in html
    # one anchor per finding, and each finding's highlighted characters are its quote
    assert sorted(int(i) for i in re.findall(r'id="q(\d+)"', html)) == list(range(len(result.findings)))
    for i, f in enumerate(result.findings):
        marked = "".join(m for m in re.findall(rf'<mark [^>]*data-f="(?:\d+ )*{i}(?: \d+)*"[^>]*>([^<]*)</mark>',
                                               html))
        assert re.sub(r"\s+", "", marked) == re.sub(r"[\s|#]+", "", f.quote) or f.start == f.end, f.rule


def test_document_html_escapes_the_report():
    _, _, html = reviewed("# 报告<script>x</script>\n\n| a<b | <img src=x> |\n|---|---|\n| 1 | 2 |\n")
    assert "<script>" not in html and "<img" not in html
    assert "报告&lt;script&gt;x&lt;/script&gt;" in html


def test_placeholders_are_counted():
    report = from_text("【待补充：原因】与【待核实：金额】，【其他】。")
    assert render.placeholders(segments(report.text, [])) == 2


# --- in Chromium ---------------------------------------------------------------------------


def test_review_page_shows_a_document_with_highlights_inside(page, server, tmp_path):  # noqa: F811
    base, _ = server
    md = tmp_path / "报告.md"
    md.write_text(REPORT, encoding="utf-8")
    findings = drafter.review(md).findings
    review_file(page, base, md)
    assert page.inner_text("#report-meta").split() == ["单位", "新丰县政务服务数据管理局", "项目", "政务系统管理",
                                                      "年度", "2023"]
    assert page.locator("#report-text h2").inner_text() == "政务系统管理项目支出绩效自评报告"
    assert page.locator("#report-text h3").all_inner_texts() == ["一、基本情况", "二、绩效目标完成情况"]
    assert page.locator("#report-text h4").all_inner_texts() == ["（一）存在的问题"]
    assert page.locator("#report-text table th").all_inner_texts() == [
        "指标", "年度指标值", "实际完成值", "分值", "得分"]
    text = page.inner_text("#report-text")
    assert "---" not in text and "|" not in text and "#" not in text
    in_table = page.eval_on_selector_all("#report-text table mark.hl", "ms => ms.map(m => m.dataset.rules)")
    in_body = page.eval_on_selector_all("#report-text p mark.hl", "ms => ms.map(m => m.dataset.rules)")
    assert in_table and in_body
    rules = {r for rs in in_table + in_body for r in rs.split()} | set(
        r for rs in page.eval_on_selector_all("#report-text h3 mark.hl, #report-text h4 mark.hl",
                                              "ms => ms.map(m => m.dataset.rules)") for r in rs.split())
    assert rules == {f.rule for f in findings if f.end > f.start}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-document.png"), full_page=True)


def test_a_click_on_a_card_body_scrolls_to_the_highlight(page, server):  # noqa: F811
    base, _ = server
    seed = ROOT / "corpus" / "gd-2023-zwxt-gl.md"
    findings = drafter.review(seed).findings
    review_file(page, base, seed)
    n = next(i for i, f in enumerate(findings) if f.rule == "score-exceeds-execution")
    mark = f"#q{n} + mark.hl"
    page.evaluate("window.scrollTo(0, 0)")
    page.click(f"#f{n} .msg")
    page.wait_for_function(f"""() => {{ const r = document.querySelector("{mark}").getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }}""", timeout=5000)
    assert "current" in page.get_attribute(mark, "class")
    assert "active" in page.get_attribute(f"#f{n}", "class")
    page.screenshot(path=str(ARTIFACTS / "review-card-clicked.png"))


def test_narrow_page_shows_the_findings_before_the_report(page, server):  # noqa: F811
    base, _ = server
    page.set_viewport_size({"width": 800, "height": 900})
    review_file(page, base, ROOT / "corpus" / "gd-2023-zwxt-gl.md")
    side = page.eval_on_selector("#side", "el => el.getBoundingClientRect().top")
    report = page.eval_on_selector("#report-text", "el => el.getBoundingClientRect().top")
    assert side < report < 900


def test_draft_page_counts_its_placeholders(page, server):  # noqa: F811
    base, _ = server
    page.goto(base + "/draft")
    page.set_input_files("#facts-file", str(FACTS))
    with page.expect_navigation():
        page.click("#draft-file-submit")
    holes = len(re.findall(r"【待补充[^】]*】", page.inner_text("#report-text")))
    assert holes == 3
    assert page.inner_text("#placeholder-count") == f"待补充 {holes} 处"
    assert page.locator(".pill.ok").count() == 0 and page.locator("#no-findings").count() == 0
    assert page.locator("#report-text h2").inner_text() == "财政支出项目绩效自评报告"
    page.screenshot(path=str(ARTIFACTS / "draft-document.png"))


def test_a_bad_upload_gets_a_chinese_error_page(page, server, tmp_path):  # noqa: F811
    base, _ = server
    bad = tmp_path / "报告.rtf"
    bad.write_text("{\\rtf1 报告}", encoding="utf-8")
    assert upload_refused(page, base, bad) == 415
    assert page.inner_text("h1").startswith("不支持的文件类型")
    assert page.inner_text("#error-message") == (
        "报告.rtf: 不支持的文件类型 .rtf：报告支持 .docx、.pdf、.md、.txt（请另存为 .docx）")


def test_screenshots_for_docs(page, server):  # noqa: F811
    """docs/web-review.png and docs/web-draft.png are copies of these."""
    base, _ = server
    review_file(page, base, ROOT / "corpus" / "gd-2023-zwxt-gl.md")
    n = page.eval_on_selector("li.finding[data-rule=score-exceeds-execution]", "el => el.dataset.f")
    page.click(f"#f{n} .msg")
    page.wait_for_timeout(800)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-review.png"))
    page.goto(base + "/draft")
    page.set_input_files("#facts-file", str(FACTS))
    with page.expect_navigation():
        page.click("#draft-file-submit")
    page.screenshot(path=str(ARTIFACTS / "web-draft.png"))
    assert (ARTIFACTS / "web-review.png").stat().st_size > 10_000
