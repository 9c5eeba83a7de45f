"""Markdown drafts to .docx in 公文 fashion: headings in 黑体 (level 1) and 楷体 (level 2),
body in 仿宋_GB2312 三号 (16 pt), as named styles so a user can restyle them; Word falls back
to installed fonts when these are absent. Pipe tables become Word tables."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_SEP = re.compile(r"^\s*\|?[\s:\-|]+\|?\s*$")


def _font(style, name: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = name
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def new_document():
    """An empty document with 公文 fonts: 仿宋 body, 小标宋 title, 黑体/楷体/仿宋 headings."""
    import docx

    document = docx.Document()
    styles = document.styles
    _font(styles["Normal"], "仿宋_GB2312", 16)
    _font(styles["Title"], "方正小标宋简体", 22)
    _font(styles["Heading 1"], "黑体", 16)
    _font(styles["Heading 2"], "楷体_GB2312", 16)
    _font(styles["Heading 3"], "仿宋_GB2312", 16, bold=True)
    return document


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
                document.add_heading(m.group(2), level=min(level - 1, 3))
            i += 1
            continue
        if _TABLE.match(line):
            rows = []
            while i < len(lines) and _TABLE.match(lines[i]):
                if not _SEP.match(lines[i]):
                    rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            continue
        if line.strip():
            document.add_paragraph(line.strip())
        i += 1
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    document.save(str(tmp))
    tmp.replace(out)
