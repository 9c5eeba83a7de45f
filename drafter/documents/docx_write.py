"""Markdown drafts to .docx in the 党政机关公文格式 (GB/T 9704-2012): A4 paper, margins 37/35/28/26
mm (top/bottom/left/right), title 方正小标宋 二号 centred, 一级标题 黑体 三号, 二级标题 楷体 三号,
正文 仿宋_GB2312 三号 on a fixed 28-point line, all text black, page numbers “— 1 —” at the foot,
tables in 小四 with a header row and column widths after their content. The fonts are named for
East-Asian text too (``w:eastAsia``), so Word and WPS use them; the styles are named styles a
user can change. Pipe tables become Word tables; ``>=``/``<=`` in a draft are written ≥/≤."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_SEP = re.compile(r"^\s*\|?[\s:\-|]+\|?\s*$")

# GB/T 9704-2012: 7.1 (A4), 5.2.1 (天头 37 mm, 订口 28 mm, 版心 156 × 225 mm), 7.2-7.3 (fonts)
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZES_PT = {"二号": 22, "三号": 16, "四号": 14, "小四": 12}
LINE_PT = 28  # 每页 22 行
TABLE_STYLE = "表格文字"
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156

_COMPARE = re.compile(r"(>=|≥|≧|<=|≤|≦)\s*(?=\d)")
_AFTER_NUMBER = re.compile(r"([≥≤] \d+(?:\.\d+)?(?:\s*[%％])?)(?=[\u4e00-\u9fff])")


def comparisons(text: str) -> str:
    """``>=40处`` → ``≥ 40 处``: a comparison with its sign, and the number set apart."""
    text = _COMPARE.sub(lambda m: ("≥" if m.group(1) in (">=", "≥", "≧") else "≤") + " ", text)
    return _AFTER_NUMBER.sub(r"\1 ", text)


def _font(style, name: str, size_pt: float, bold: bool = False) -> None:
    """``style`` in font ``name`` (for Latin and East-Asian text alike: the theme fonts that
    python-docx's template sets are removed, they would win over it), black, ``size_pt``."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = name
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    color = rpr.find(qn("w:color"))
    for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
        color.attrib.pop(qn(attr), None)


def _paragraph(style, *, indent_pt: float = 0, align=None, line_pt: float | None = LINE_PT,
               after_pt: float = 0) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after_pt)
    fmt.first_line_indent = Pt(indent_pt)
    fmt.left_indent = Pt(0)
    if line_pt is None:
        fmt.line_spacing = 1.0
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    if align is not None:
        fmt.alignment = align
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))  # the template's Title has a blue rule under it
    if border is not None:
        ppr.remove(border)


def new_document():
    """An empty document in 公文 format (page, margins, styles and page numbers as above)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 5)  # 页码 one line under the 版心
    styles = document.styles
    three = SIZES_PT["三号"]
    _font(styles["Normal"], BODY_FONT, three)
    _paragraph(styles["Normal"], indent_pt=2 * three, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _font(styles["Title"], TITLE_FONT, SIZES_PT["二号"])
    _paragraph(styles["Title"], align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=36, after_pt=LINE_PT)
    _font(styles["Heading 1"], H1_FONT, three)
    _font(styles["Heading 2"], H2_FONT, three)
    _font(styles["Heading 3"], BODY_FONT, three, bold=True)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        _paragraph(styles[name], indent_pt=2 * three)
    _all_black(styles)
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    _font(table_text, BODY_FONT, SIZES_PT["小四"])
    _paragraph(table_text, line_pt=20)
    _page_numbers(section)
    return document


def _all_black(styles) -> None:
    """Every style's text colour black (the template's other headings, quotes and captions are
    blue or grey: a user who picks one gets black text too)."""
    from docx.oxml.ns import qn

    for color in styles.element.iter(qn("w:color")):
        if color.getparent().tag == qn("w:rPr"):
            color.set(qn("w:val"), "000000")
            for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
                color.attrib.pop(qn(attr), None)


def _page_numbers(section) -> None:
    """“— 1 —” centred in the footer: a PAGE field between two em dashes, 宋体 四号."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.first_line_indent = Pt(0)

    def run(text: str | None = None, field: str | None = None, instr: str | None = None):
        r = para.add_run(text)
        r.font.size = Pt(SIZES_PT["四号"])
        r.font.name = PAGE_NUMBER_FONT
        r.font.color.rgb = RGBColor(0, 0, 0)
        r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), PAGE_NUMBER_FONT)
        if field:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), field)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _share(need: list[int], total: float, least: float) -> list[float]:
    """``total`` split in proportion to ``need``, no share under ``least`` (when they fit)."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(need)) if i not in fixed]
        rest = total - sum(fixed.values())
        weight = sum(need[i] for i in free) or 1
        widths = {i: rest * need[i] / weight for i in free}
        small = [i for i in free if widths[i] < least]
        if not small or len(fixed) + len(small) == len(need) or least * len(need) > total:
            return [fixed.get(i, widths.get(i, least)) for i in range(len(need))]
        fixed.update((i, least) for i in small)


def format_table(table) -> None:
    """A table of the document in 公文 fashion: 小四 text, the first row a header (bold, centred,
    repeated on each page), column widths in proportion to their longest cell (no column under
    15 mm: two characters and the cell's margins), the whole as wide as the text."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    rows = table.rows
    ncols = len(table.columns)
    need = [4] * ncols
    for row in rows:
        for c, cell in enumerate(row.cells[:ncols]):
            need[c] = max(need[c], min(_display_width(cell.text), 24))
    widths = _share(need, TEXT_WIDTH_MM, 15.0)
    for c, column in enumerate(table.columns):
        column.width = Mm(widths[c])
    for r, row in enumerate(rows):
        for c, cell in enumerate(row.cells[:ncols]):
            cell.width = Mm(widths[c])
            for para in cell.paragraphs:
                para.style = TABLE_STYLE
                if r == 0:
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for run in para.runs:
                        run.bold = True
    if len(rows) > 1:
        trpr = rows[0]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        trpr.append(header)


def markdown_to_docx(markdown: str, out: str | Path) -> None:
    """Write ``markdown`` (a drafter draft) as a .docx at ``out`` (written to a temporary file
    and moved into place, so a failure leaves no half-written document)."""
    document = new_document()
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":  # the metadata header stays in the Markdown only
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1 :]
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _HEADING.match(line)
        if m:
            level = len(m.group(1))
            if level == 1:
                document.add_paragraph(m.group(2), style="Title")
            else:
                document.add_paragraph(m.group(2), style=f"Heading {min(level - 1, 3)}")
            i += 1
            continue
        if _TABLE.match(line):
            rows = []
            while i < len(lines) and _TABLE.match(lines[i]):
                if not _SEP.match(lines[i]):
                    rows.append([comparisons(c.strip()) for c in lines[i].strip().strip("|").split("|")])
                i += 1
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            format_table(table)
            continue
        if line.strip():
            document.add_paragraph(comparisons(line.strip()))
        i += 1
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    document.save(str(tmp))
    tmp.replace(out)
