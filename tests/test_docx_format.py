"""Word files drafter writes (drafts, and commented copies of .md/.txt/.pdf reports) are in the
党政机关公文格式 (GB/T 9704): read back, every setting is checked by value."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

import drafter
from drafter.documents.docx_comments import write_commented_docx
from drafter.documents.docx_write import comparisons, markdown_to_docx
from drafter.documents.load import load
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

DRAFT = """---
unit: 新丰县政务服务数据管理局
---
# 政务系统管理项目支出绩效自评报告

## 一、基本情况

### （一）项目概况

本项目年初预算 110000 元，调整后预算 99000 元，全年支出 57790 元。

| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
|---|---|---|---|---|---|---|
| 产出指标 | 数量指标 | 系统运维台数 | >=40处 | 42 处 | 10 | 10 |
| 产出指标 | 时效指标 | 故障响应时间 | <=2小时 | 1.5 小时 | 10 | 10 |

## 二、存在问题

【待补充：存在的问题】
"""

# (style, East-Asian font, size in points, bold)
STYLES = [
    ("Normal", "仿宋_GB2312", 16, False),
    ("Title", "方正小标宋简体", 22, False),
    ("Heading 1", "黑体", 16, False),
    ("Heading 2", "楷体_GB2312", 16, False),
    ("Heading 3", "仿宋_GB2312", 16, True),
    ("表格文字", "仿宋_GB2312", 12, False),
]


def check_gongwen(path: Path) -> docx.document.Document:
    """Every 公文 setting of the file at ``path``; the document, for more checks."""
    document = docx.Document(str(path))
    section = document.sections[0]
    def mm(length) -> float:
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] \
        == [37, 35, 28, 26]
    for name, font, size, bold in STYLES:
        style = document.styles[name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert (name, fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))) == (name, font, font)
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
        assert (name, style.font.size, bool(style.font.bold)) == (name, Pt(size), bold)
        assert (name, str(style.font.color.rgb), style.font.color.theme_color) == (name, "000000", None)
        assert style.element.pPr is None or style.element.pPr.find(qn("w:pBdr")) is None
    body = document.styles["Normal"].paragraph_format
    assert (body.line_spacing_rule, body.line_spacing, body.first_line_indent) == (
        WD_LINE_SPACING.EXACTLY, Pt(28), Pt(32))
    assert document.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # no colour but black anywhere, in the text or the styles
    xml = document.element.xml + document.styles.element.xml
    assert set(re.findall(r'w:color w:val="([0-9A-Fa-f]{6}|auto)"', xml)) <= {"000000", "auto"}
    assert "w:themeColor" not in document.styles.element.xml.split("<w:latentStyles")[0]
    # “— 1 —” in the footer: a PAGE field between em dashes
    footer = section.footer.paragraphs[0]
    assert footer.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert footer.text == "— 1 —"
    assert " PAGE " in [t.text for t in footer._p.iter(f"{W}instrText")]
    # tables: 小四 text, a header row (bold, repeated), widths after their content, as wide as the text
    for table in document.tables:
        widths = [mm(c.width) for c in table.columns]
        assert abs(sum(widths) - 156) < 1
        assert min(widths) >= 15
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r.bold for c in header.cells for p in c.paragraphs for r in p.runs)
        assert {p.style.name for row in table.rows for c in row.cells for p in c.paragraphs} == {"表格文字"}
    return document


def test_draft_docx_is_in_gongwen_format(tmp_path):
    out = tmp_path / "草稿.docx"
    markdown_to_docx(DRAFT, out)
    document = check_gongwen(out)
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs == [
        ("Title", "政务系统管理项目支出绩效自评报告"),
        ("Heading 1", "一、基本情况"),
        ("Heading 2", "（一）项目概况"),
        ("Normal", "本项目年初预算 110000 元，调整后预算 99000 元，全年支出 57790 元。"),
        ("Heading 1", "二、存在问题"),
        ("Normal", "【待补充：存在的问题】"),
    ]
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells][3] == "≥ 40 处"
    assert [c.text for c in table.rows[2].cells][3] == "≤ 2 小时"
    widths = [c.width for c in table.columns]
    assert widths[2] > widths[5]  # 三级指标 is wider than 分值


def test_commented_md_report_is_in_gongwen_format(tmp_path):
    report = load(SEEDS["gl"])
    result = drafter.review(report)
    out = tmp_path / "审核.docx"
    write_commented_docx(report, result, out)
    document = check_gongwen(out)
    assert [(p.style.name, p.text) for p in document.paragraphs[:2]] == [
        ("Normal", "附件 5"), ("Title", "财政支出项目绩效自评报告")]
    assert result.findings


def test_commented_md_report_with_a_table_is_in_gongwen_format(tmp_path):
    md = tmp_path / "报告.md"
    md.write_text(DRAFT, encoding="utf-8")
    report = load(md)
    out = tmp_path / "审核.docx"
    write_commented_docx(report, drafter.review(report), out)
    document = check_gongwen(out)
    table = document.tables[0]
    # a commented copy keeps the report's own characters (offsets point into them)
    assert [c.text for c in table.rows[1].cells][3] == ">=40处"
    assert [p.text for p in table.rows[0].cells[0].paragraphs] == ["一级指标"]


@pytest.mark.parametrize("text, want", [
    (">=40处", "≥ 40 处"),
    ("<=2小时", "≤ 2 小时"),
    ("满意度>=90%的", "满意度≥ 90% 的"),
    ("≥ 40 处", "≥ 40 处"),
    ("a >= b", "a >= b"),
])
def test_comparisons_are_written_with_signs(text, want):
    assert comparisons(text) == want


def test_draft_command_writes_gongwen_docx(tmp_path):
    from click.testing import CliRunner

    from drafter.cli import main

    out = tmp_path / "草稿.docx"
    result = CliRunner().invoke(main, ["draft", str(ROOT / "examples" / "facts-zwxt.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    check_gongwen(out)


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                            "apt-get install libreoffice-writer-nogui (.ci/run does)")
def test_libreoffice_renders_a4_pages_with_page_numbers(tmp_path):
    """LibreOffice lays the draft out on A4 with “— n —” at the foot; page 1 goes to
    tests/artifacts/draft-docx-page1.png (docs/draft-docx-page1.png shows the same page)."""
    import pdfplumber

    out = tmp_path / "draft.docx"
    markdown_to_docx(DRAFT + ("\n本项目按季度跟踪绩效目标的完成情况，及时纠正执行中的偏差。\n" * 20), out)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    with pdfplumber.open(tmp_path / "draft.pdf") as pdf:
        assert len(pdf.pages) >= 2
        assert [round(pdf.pages[0].width), round(pdf.pages[0].height)] == [595, 842]
        for n, page in enumerate(pdf.pages):
            assert page.extract_text().splitlines()[-1] == f"— {n + 1} —"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf.pages[0].to_image(resolution=86).save(ARTIFACTS / "draft-docx-page1.png")
