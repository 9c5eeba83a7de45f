"""PDFs as users make them (LibreOffice exports in tests/fixtures/pdf/, made by
``python -m tests.pdf_cases``): nothing of the report is lost, and what cannot be read is said."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from drafter.documents.load import load
from tests import docgen
from tests.pdf_cases import CASES, FIXTURES, HEADER, build_docx, soffice, source_texts, to_pdf, write_open_cell_pdf

LOST = "第 1 页有 9 个字既不在正文也不在表格中，未能读入：“五万七千七百九十元”，请对照原文核对这一页"

_WORD = re.compile(r"[\u4e00-\u9fff]+|[0-9A-Za-z.%≥≤]+")


def words(texts: list[str]) -> set[str]:
    """The words of ``texts``; an ideographic space between Chinese words is a gap the reader
    closes (as it does the gaps of justified text), so it does not split them."""
    return {w for t in texts for w in _WORD.findall(t.replace("\u3000", ""))}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_word_of_the_report_is_read(name):
    report = load(str(FIXTURES / f"{name}.pdf"))
    got = words(report.text.splitlines())
    want = words(source_texts(CASES[name]))
    assert sorted(want - got) == []
    assert report.warnings == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_heading_and_paragraph_is_a_line_of_its_own(name):
    lines = set(load(str(FIXTURES / f"{name}.pdf")).text.splitlines())
    for kind, *rest in CASES[name]:
        if kind in ("title", "h1", "h2", "h2-tight", "p"):
            assert re.sub(r"\s", "", rest[0]) in {re.sub(r"\s", "", line) for line in lines}


def test_heading_right_under_a_table_is_kept():
    text = load(str(FIXTURES / "heading-under-table.pdf")).text.splitlines()
    row = text.index("| 上年结转资金 | 0 | 0 | 0 | — | — | — |")
    assert text[row + 1] == "（二）资金使用绩效存在的问题"
    assert text[-1] == "注：以上数据来源于单位财务账簿和运维合同。"


def test_running_header_and_page_numbers_are_not_text():
    text = load(str(FIXTURES / "heading-under-table.pdf")).text
    assert HEADER not in text
    assert not any(re.fullmatch(r"\d+", line) for line in text.splitlines())


def test_two_column_page_is_read_column_by_column():
    lines = load(str(FIXTURES / "two-column-form.pdf")).text.splitlines()
    order = [lines.index(h) for h in ("资金情况（万元）", "年度总体目标", "完成情况", "偏差原因分析",
                                      "存在问题", "改进措施", "自评结论")]
    assert order == sorted(order)
    assert "| 预算执行率 | 10 | 5.84 |" in lines
    assert ("执行率偏低的原因是第四季度运维合同尾款跨年支付，已于次年一月付清。" * 4) in lines


def test_words_in_a_table_but_in_no_cell_are_reported(tmp_path):
    report = load(str(write_open_cell_pdf(tmp_path / "报告.pdf")))
    assert report.warnings == [LOST]
    assert report.text.splitlines() == ["二、资金使用情况", "本项目调整后预算 99000 元，全年支出 57790 元。",
                                        "| 调整后预算 | 99000 |", "| 全年支出 |  |", "三、存在的问题"]


def test_the_web_page_shows_what_was_not_read(tmp_path):
    from tests.test_web_api import make_client, upload

    pdf = write_open_cell_pdf(tmp_path / "报告.pdf")
    with make_client(tmp_path) as client:
        page = client.post("/review", files=upload(pdf))
    assert page.status_code == 200
    assert f'<p class="note read-warning">读取提示：{LOST}</p>' in page.text
    assert '<span class="pill holes" id="unread">有 1 页文字未读全</span>' in page.text


def test_cli_names_the_file_and_page_of_lost_words(tmp_path):
    pdf = write_open_cell_pdf(tmp_path / "报告.pdf")
    proc = subprocess.run([sys.executable, "-m", "drafter.cli", "review", "--no-index", "--format", "line", str(pdf)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert [line for line in proc.stderr.splitlines() if str(pdf) in line] == [f"drafter: {pdf}：{LOST}"]


def test_scanned_pdf_without_text_layer_is_a_clear_error(tmp_path):
    pdf = docgen.write_blank_pdf(tmp_path / "扫描件.pdf")
    proc = subprocess.run([sys.executable, "-m", "drafter.cli", "review", "--no-index", str(pdf)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"drafter: {pdf}: 这个 PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR）"]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: "
                                              "apt-get install libreoffice-writer-nogui")
def test_fixtures_are_what_libreoffice_makes_of_the_cases(tmp_path):
    """The committed PDFs still come from ``CASES`` (made again here, read the same)."""
    for name, items in CASES.items():
        pdf = to_pdf(build_docx(tmp_path / f"{name}.docx", items), tmp_path)
        fresh = load(str(pdf)).text
        assert fresh == load(str(FIXTURES / f"{name}.pdf")).text
