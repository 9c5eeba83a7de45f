"""Test-data generators: every .txt/.docx/.pdf a test needs is written into its tmp_path here,
so nothing binary is committed. Only python-docx and reportlab (with its built-in CID font
STSong-Light, which needs no font file) are used."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.conftest import SEEDS

PDF_FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN = 72.0
FONT_SIZE = 12.0
LEADING = 20.0


def seed_text(key: str = "gl") -> str:
    """One of the corpus reports, as text."""
    return SEEDS[key].read_text(encoding="utf-8")


# --- .docx ---------------------------------------------------------------------------------

FUNDS_HEADER = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
FUNDS_ROWS = [
    FUNDS_HEADER,
    ["年度资金总额", "11", "9.9", "5.779", "10", "58.37%", "5.84"],
    ["其中：当年财政拨款", "11", "9.9", "5.779", "—", "58.37%", "—"],
    ["上年结转资金", "0", "0", "0", "—", "—", "—"],
    ["其他资金", "0", "0", "0", "—", "—", "—"],
]


def write_docx(path: Path, items: list[tuple]) -> Path:
    """A Word document from ``items``, in order:

    ("title", text) · ("h1", text) · ("h2", text) · ("h3", text) — styled headings;
    ("p", text) — a body paragraph; ("p_pagebreak", text) — a body paragraph ending in a page
    break; ("table", rows) — a table with one paragraph per cell; ("outline1", text) /
    ("outline2", text) — a paragraph in a custom style ("一级标题", "二级标题") that is a heading
    only by its outline level, as Chinese templates define them.
    """
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    for n, name in enumerate(["一级标题", "二级标题"]):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{n}"/>'))
    for item in items:
        kind = item[0]
        if kind in ("outline1", "outline2"):
            document.add_paragraph(item[1], style="一级标题" if kind == "outline1" else "二级标题")
        elif kind == "title":
            document.add_heading(item[1], level=0)
        elif kind in ("h1", "h2", "h3"):
            document.add_heading(item[1], level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(item[1])
        elif kind == "p_pagebreak":
            document.add_paragraph(item[1]).add_run().add_break(WD_BREAK.PAGE)
        elif kind == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            raise ValueError(kind)
    document.save(str(path))
    return path


def docx_with_numbered_headings(path: Path) -> Path:
    """Headings numbered by Word's automatic numbering (一、 / （一） drawn by Word, not typed):
    the numbering definition is added to the numbering part, as Word and WPS write it."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:multiLevelType w:val="multilevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="（%2）"/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, ilvl: int, style: str) -> None:
        p = document.add_paragraph(text, style=style)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>')
        )

    numbered("基本情况", 0, "Heading 1")
    numbered("项目单位基本情况", 1, "Heading 2")
    document.add_paragraph("县政务服务数据管理局是县政府工作部门。")
    numbered("项目基本情况", 1, "Heading 2")
    document.add_paragraph("年初预算为 30000 元，调整后预算为 27000 元。")
    numbered("自评情况", 0, "Heading 1")
    numbered("自评分数", 1, "Heading 2")
    document.add_paragraph("自评 100 分。")
    numbered("资金使用绩效", 1, "Heading 2")
    numbered("资金支出情况", 2, "Normal")
    document.add_paragraph("2023 年本项目支出 22516 元，结余 4484 元。")
    document.save(str(path))
    return path


def docx_with_odd_markup(path: Path) -> Path:
    """Content python-docx's own iterators miss or mangle: a paragraph inside a content
    control (w:sdt), a tracked insertion and deletion, a soft line break, a table with merged
    cells (across and down), equal values side by side and a "|" in a cell."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("第一段。")
    body = document.element.body
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent>'
        "<w:p><w:r><w:t>控件里的段落。</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    body.insert(len(body) - 1, sdt)  # before the final w:sectPr
    tracked = parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">支出 </w:t></w:r>'
        '<w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>50000</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:t>57790</w:t></w:r></w:ins>'
        "<w:r><w:t xml:space=\"preserve\"> 元。</w:t></w:r></w:p>"
    )
    body.insert(len(body) - 1, tracked)
    p = document.add_paragraph("二、自评情况")
    p.runs[0].add_break(WD_BREAK.LINE)
    p.add_run("（一）自评分数")
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    values = [["指标", "", "分值", "得分"], ["产出指标", "数量", "10", "10"], ["", "质量|时效", "20", "18"]]
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if v:
                table.cell(r, c).text = v
    table.cell(0, 0).merge(table.cell(0, 1))  # "指标" spans two columns
    table.cell(1, 0).merge(table.cell(2, 0))  # "产出指标" spans two rows
    document.add_paragraph("最后一段。")
    document.save(str(path))
    return path


def write_corrupt_docx(path: Path) -> Path:
    """A zip package that is not a Word document (junk members only)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("junk.bin", b"\x00\x01junk" * 100)
        z.writestr("word/nothing.txt", "not a document")
    return path


def write_docx_bomb(path: Path, unpacked_mb: int, *, declared_mb: int | None = None) -> Path:
    """A real Word package whose ``word/document.xml`` unpacks to ``unpacked_mb`` MB of one
    paragraph repeated (deflate packs it a few hundred times smaller). ``declared_mb``: the
    size its zip headers claim instead (a package that lies about its sizes)."""
    import io

    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    paragraph = b"<w:p><w:r><w:t>" + "项目支出 100 元，预算执行率 100%。".encode() * 20 + b"</w:t></w:r></w:p>"
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    tail = b"</w:body></w:document>"
    count = unpacked_mb * 1024 * 1024 // len(paragraph)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
                continue
            with out.open("word/document.xml", "w", force_zip64=True) as f:
                f.write(head)
                block = paragraph * 1000
                for _ in range(count // 1000):
                    f.write(block)
                f.write(tail)
    if declared_mb is not None:
        _declare_size(path, "word/document.xml", declared_mb * 1024 * 1024)
    return path


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size the zip's central directory claims for ``member`` (what
    readers go by)."""
    import struct

    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len, extra_len = struct.unpack_from("<HH", data, at + 28)
        if bytes(data[at + 46 : at + 46 + name_len]) == member.encode():
            if struct.unpack_from("<I", data, at + 24)[0] == 0xFFFFFFFF:  # zip64: the size is in the extra field
                struct.pack_into("<Q", data, at + 46 + name_len + 4, size)
            else:
                struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 46 + name_len + extra_len)
    path.write_bytes(bytes(data))


# --- .pdf ----------------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def wrap(text: str, width: float, first_indent: float = 0.0, size: float = FONT_SIZE) -> list[str]:
    """Greedy character wrap, as a word processor does for Chinese text."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current, limit = [], "", width - first_indent
    for ch in text:
        if current and stringWidth(current + ch, PDF_FONT, size) > limit:
            lines.append(current)
            current, limit = "", width
        current += ch
    if current:
        lines.append(current)
    return lines


def write_pdf(path: Path, pages: list[list[tuple]], page_numbers: bool = False) -> Path:
    """A PDF with Chinese text, one list of items per page:

    ("p", text) — a paragraph wrapped to the text width with a two-character first-line
    indent; ("line", text) — one line at the left margin; ("table", rows) — a ruled table;
    ("bold", text) — a line printed twice, slightly offset (the "fake bold" of many Chinese
    PDFs); ("spaced", text) — a line with 4pt letter spacing (justified text).
    With ``page_numbers`` each page gets a "- n -" footer.
    """
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    _register_font()
    width = PAGE_W - 2 * MARGIN
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    for n, items in enumerate(pages):
        y = PAGE_H - MARGIN
        for item in items:
            kind = item[0]
            if kind == "p":
                indent = 2 * FONT_SIZE
                for i, line in enumerate(wrap(item[1], width, indent)):
                    c.setFont(PDF_FONT, FONT_SIZE)
                    c.drawString(MARGIN + (indent if i == 0 else 0), y, line)
                    y -= LEADING
            elif kind in ("line", "bold"):
                c.setFont(PDF_FONT, FONT_SIZE)
                for dx in (0.0, 0.3) if kind == "bold" else (0.0,):
                    c.drawString(MARGIN + dx, y, item[1])
                y -= LEADING
            elif kind == "spaced":
                t = c.beginText(MARGIN, y)
                t.setFont(PDF_FONT, FONT_SIZE)
                t.setCharSpace(4)
                t.textLine(item[1])
                t.setCharSpace(0)
                c.drawText(t)
                y -= LEADING
            elif kind == "table":
                table = Table(item[1])
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                            ("FONT", (0, 0), (-1, -1), PDF_FONT, 8),
                        ]
                    )
                )
                _, h = table.wrapOn(c, width, y)
                table.drawOn(c, MARGIN, y - h + FONT_SIZE)
                y -= h + LEADING
            else:
                raise ValueError(kind)
        if page_numbers:
            c.setFont(PDF_FONT, 10)
            c.drawCentredString(PAGE_W / 2, MARGIN / 2, f"- {n + 1} -")
        c.showPage()
    c.save()
    return path


def write_blank_pdf(path: Path) -> Path:
    """A PDF with no text layer: one page with only a rectangle, like a scan without OCR."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.rect(100, 100, 300, 400, stroke=1, fill=0)
    c.showPage()
    c.save()
    return path


def write_encrypted_pdf(path: Path) -> Path:
    """A PDF that needs a password to open."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    _register_font()
    enc = StandardEncryption("secret", ownerPassword="owner", strength=128)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.setFont(PDF_FONT, FONT_SIZE)
    c.drawString(MARGIN, PAGE_H - MARGIN, "一、基本情况")
    c.showPage()
    c.save()
    return path




def seed_items(key: str = "gl") -> list[tuple[str, str]]:
    """A corpus report as document items for ``write_docx``/``write_pdf``: Markdown headings
    become styled headings ("#" the title, "##" Heading 1, deeper Heading 2/3), "**" emphasis
    is dropped, each paragraph stays a paragraph (including the corpus's own page-break
    splits, such as "…指标调减后" / "金额为 99000 元。")."""
    import re

    text = seed_text(key)
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    items: list[tuple[str, str]] = []
    for line in body.split("\n"):
        if not line.strip():
            continue
        m = re.match(r"^(#+)\s*(.*)$", line)
        content = (m.group(2) if m else line).replace("**", "")
        if m:
            depth = len(m.group(1))
            items.append(("title", content) if depth == 1 else (f"h{min(depth - 1, 3)}", content))
        else:
            items.append(("p", content))
    return items


def seed_pdf_pages(key: str = "gl", per_page: int = 12) -> list[list[tuple[str, str]]]:
    """``seed_items`` laid out for ``write_pdf``: headings as single lines at the margin, body
    paragraphs wrapped with an indent, ``per_page`` items a page."""
    items = [("p", t) if k == "p" else ("line", t) for k, t in seed_items(key)]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)]
