"""Reports laid out the way users export them to PDF (Word/WPS/LibreOffice), for the PDF
reading tests: tables with a heading set directly under them, a running header and page
numbers in the footer, a two-column 自评表 page. ``build_docx`` writes one as .docx;
``python -m tests.pdf_cases`` turns them into the PDFs in tests/fixtures/pdf/ with LibreOffice
(``soffice``), so the tests themselves need no LibreOffice. The texts are made up for these
tests (no real report)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
HEADER = "新丰县政务服务数据管理局 2023年度项目支出绩效自评报告"

FUNDS = [
    ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "11", "9.9", "5.779", "10", "58.37%", "5.84"],
    ["其中：当年财政拨款", "11", "9.9", "5.779", "—", "58.37%", "—"],
    ["上年结转资金", "0", "0", "0", "—", "—", "—"],
]
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "系统运维台数", "≥ 40 台", "42 台", "10", "10"],
    ["产出指标", "质量指标", "系统可用率", "≥ 99%", "99.2%", "10", "10"],
    ["产出指标", "时效指标", "故障响应时间", "≤ 2 小时", "1.5 小时", "10", "10"],
    ["效益指标", "社会效益指标", "群众办事平均时长缩短", "≥ 10%", "12%", "15", "15"],
    ["满意度指标", "服务对象满意度", "办事群众满意度", "≥ 90%", "93.5%", "10", "10"],
]
BODY = ("2023 年度本项目调整后预算 9.9 万元，全年支出 5.779 万元，执行率 58.37%。"
        "未完成部分为第四季度运维合同尾款，已于 2024 年 1 月支付。项目共完成系统运维 42 台次，"
        "系统全年可用率 99.2%，群众办事平均时长较上年缩短 12%。")

# A case is a list of items: ("title"|"h1"|"h2"|"p", text), ("h2-tight", text) (a heading with
# no space above it, so that it touches a table right above), ("table", rows), ("columns", n)
# (the rest of the document set in n columns), ("pagebreak", "").
CASES: dict[str, list[tuple]] = {
    "heading-under-table": [
        ("title", "政务系统管理项目支出绩效自评报告"),
        ("h1", "一、项目基本情况"),
        ("p", "本项目为新丰县政务系统的日常运行维护，主要内容包括服务器、网络和业务系统的运维保障。" * 2),
        ("h1", "二、绩效自评情况"),
        ("h2", "（一）资金投入和使用情况"),
        ("p", BODY),
        ("table", FUNDS),
        ("h2-tight", "（二）资金使用绩效存在的问题"),
        ("p", "一是预算编制不够精细，部分运维费用在年初未能准确测算；二是合同尾款支付进度偏慢。"),
        ("table", INDICATORS),
        ("h2", "（三）资金使用绩效存在的问题的整改措施"),
        ("p", "下一步将细化预算测算依据，按季度跟踪支付进度，确保年底前完成全部合同支付。" * 3),
        ("pagebreak", ""),
        ("h1", "三、下一步改进措施"),
        ("p", "加强项目全过程绩效管理，把绩效目标分解到季度，及时纠正执行中的偏差。" * 4),
        ("table", FUNDS),
        ("p", "注：以上数据来源于单位财务账簿和运维合同。"),
    ],
    "two-column-form": [
        ("title", "项目支出绩效自评表"),
        ("p", "（2023 年度）主管部门：新丰县政务服务数据管理局　实施单位：新丰县政务服务数据管理局"),
        ("columns", 2),
        ("h2", "资金情况（万元）"),
        ("table", [["项目", "金额"], ["年初预算数", "11"], ["全年预算数", "9.9"], ["全年执行数", "5.779"],
                   ["执行率", "58.37%"], ["得分", "5.84"]]),
        ("h2", "年度总体目标"),
        ("p", "保障政务系统全年稳定运行，系统可用率不低于 99%，故障响应不超过 2 小时。" * 2),
        ("h2", "完成情况"),
        ("p", "全年系统可用率 99.2%，平均故障响应 1.5 小时，办事群众满意度 93.5%。" * 2),
        ("table", [["三级指标", "实际完成值"]] + [[r[2], r[4]] for r in INDICATORS[1:]]),
        ("h2", "偏差原因分析"),
        ("p", "执行率偏低的原因是第四季度运维合同尾款跨年支付，已于次年一月付清。" * 4),
        ("h2", "存在问题"),
        ("p", "预算编制不够精细，部分运维费用在年初未能准确测算，合同尾款支付进度偏慢。" * 3),
        ("h2", "改进措施"),
        ("p", "细化预算测算依据，按季度跟踪支付进度，确保年底前完成全部合同支付。" * 3),
        ("table", [["指标", "分值", "得分"], ["产出指标", "50", "50"], ["效益指标", "30", "30"],
                   ["满意度指标", "10", "10"], ["预算执行率", "10", "5.84"], ["合计", "100", "95.84"]]),
        ("h2", "自评结论"),
        ("p", "本项目自评得分 95.84 分，等级为优。"),
    ],
}


def build_docx(path: Path, items: list[tuple], header: str = HEADER) -> Path:
    """``items`` as a Word document with ``header`` at the top of every page and the page
    number (a PAGE field) at the foot."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    document = docx.Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        rpr = document.styles[name].element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "WenQuanYi Micro Hei")
    document.styles["Normal"].font.size = Pt(11)
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        run = foot.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.text = text
            run._r.append(instr)
    text_width = 6.0  # inches: python-docx's Letter page less its margins
    for item in items:
        kind = item[0]
        if kind == "title":
            document.add_heading(item[1], level=0)
        elif kind in ("h1", "h2", "h2-tight"):
            heading = document.add_heading(item[1], level=int(kind[1]))
            if kind == "h2-tight":  # set right under the table above it, as users' templates do
                heading.paragraph_format.space_before = Pt(0)
        elif kind == "p":
            document.add_paragraph(item[1])
        elif kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
                    table.cell(r, c).width = Inches(text_width / len(row))
            for column in table.columns:
                column.width = Inches(text_width / len(rows[0]))
        elif kind == "columns":
            text_width = (6.0 - 0.3) / item[1]
            new = document.add_section(WD_SECTION.CONTINUOUS)
            cols = new._sectPr.find(qn("w:cols"))
            if cols is None:
                cols = OxmlElement("w:cols")
                new._sectPr.append(cols)
            cols.set(qn("w:num"), str(item[1]))
            cols.set(qn("w:space"), "425")
    document.save(str(path))
    return path


def source_texts(items: list[tuple]) -> list[str]:
    """Every heading, paragraph and table cell of a case, in order."""
    out = []
    for item in items:
        if item[0] == "table":
            out.extend(c for row in item[1] for c in row)
        elif item[0] in ("title", "h1", "h2", "h2-tight", "p"):
            out.append(item[1])
    return out


def write_open_cell_pdf(path: Path) -> Path:
    """A page with a table whose bottom-right cell has no borders (an L-shaped grid, as tables
    drawn with some borders hidden come out): the words in that corner are inside the table's
    box but in none of its cells. Made with reportlab (its built-in CID font, no file)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "二、资金使用情况")
    c.drawString(72, 740, "本项目调整后预算 99000 元，全年支出 57790 元。")
    for x0, y0, x1, y1 in [(100, 700, 500, 700), (100, 680, 500, 680), (100, 660, 300, 660), (100, 700, 100, 660),
                           (300, 700, 300, 660), (500, 700, 500, 680)]:
        c.line(x0, y0, x1, y1)
    c.drawString(110, 686, "调整后预算")
    c.drawString(310, 686, "99000")
    c.drawString(110, 666, "全年支出")
    c.drawString(310, 666, "五万七千七百九十元")
    c.drawString(72, 620, "三、存在的问题")
    c.save()
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_path: Path, out_dir: Path) -> Path:
    """``docx_path`` converted to PDF by LibreOffice into ``out_dir``."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out_dir), str(docx_path)], check=True, capture_output=True, timeout=180)
    return out_dir / (docx_path.stem + ".pdf")


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, items in CASES.items():
            pdf = to_pdf(build_docx(Path(tmp) / f"{name}.docx", items), FIXTURES)
            print(pdf, pdf.stat().st_size, file=sys.stderr)


if __name__ == "__main__":
    main()
