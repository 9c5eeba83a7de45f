"""Loading reports from .md/.txt/.docx/.pdf into one ``Report`` model.

The report's ``text`` is what every offset points into. For text files it is the file's
content (decoded, newlines normalised); for .docx and .pdf it is the text we build from the
document: one paragraph per line, table rows as ``| a | b |`` lines.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from drafter.errors import InputError

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
MAX_BYTES = 20 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)


class Block(BaseModel):
    """A paragraph or table row of the source document, located in ``Report.text``."""

    kind: Literal["paragraph", "table_row"]
    start: int
    end: int
    ref: str = ""  # e.g. "p12" (docx paragraph index) or "t0r3" (table 0, row 3)


class Report(BaseModel):
    path: str = "<text>"
    format: str = "md"
    text: str
    meta: dict = Field(default_factory=dict)
    body_start: int = 0
    blocks: list[Block] = Field(default_factory=list)

    @property
    def year(self) -> int | None:
        y = self.meta.get("year")
        if isinstance(y, int):
            return y
        m = re.search(r"[（(]\s*(20\d\d)\s*年度?\s*[)）]|(20\d\d)\s*年度", self.text[:3000])
        if m:
            return int(m.group(1) or m.group(2))
        return None


def from_text(text: str, path: str = "<text>", fmt: str = "md") -> Report:
    """A report from a string (newlines normalised, front matter read as metadata)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta: dict = {}
    body_start = 0
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise InputError(path, f"the metadata header is not valid YAML ({exc.__class__.__name__})") from None
        if isinstance(loaded, dict):
            meta = loaded
            body_start = m.end()
    return Report(path=path, format=fmt, text=text, meta=meta, body_start=body_start)


def decode(data: bytes, path: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset
    of GBK and GB2312), else whatever charset-normalizer finds convincing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise InputError(path, "this is a binary file, not a text report")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise InputError(path, "cannot decode this file as text (tried UTF-8, GB18030/GBK and charset detection)")


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(sample) < 0.01


def load(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Report:
    """Load one report; every problem is an ``InputError`` naming the file."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a folder, not a report file")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(name, f"unknown file type '{p.suffix or '(none)'}' (use .md, .txt, .docx or .pdf)")
    size = p.stat().st_size
    if size == 0:
        raise InputError(name, "the file is empty")
    if size > max_bytes:
        raise InputError(name, f"the file is too large ({size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc})") from None
    if suffix == ".docx":
        report = _from_docx(data, name)
    elif suffix == ".pdf":
        report = _from_pdf(data, name)
    else:
        report = from_text(decode(data, name), name, "md" if suffix in {".md", ".markdown"} else "txt")
    if not report.text[report.body_start :].strip():
        raise InputError(name, "the report has no text")
    return report


class _Builder:
    """Collects paragraphs and table rows into text plus blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.blocks: list[Block] = []
        self.pos = 0

    def add(self, line: str, kind: Literal["paragraph", "table_row"], ref: str) -> None:
        line = line.replace("\n", " ").replace("\r", " ").strip()
        if not line:
            return
        self.blocks.append(Block(kind=kind, start=self.pos, end=self.pos + len(line), ref=ref))
        self.parts.append(line + "\n")
        self.pos += len(line) + 1

    def add_table(self, rows: list[list[str | None]], tref: str) -> None:
        for r, row in enumerate(rows):
            cells = [(c or "").replace("\n", "").strip() for c in row]
            if any(cells):
                self.add("| " + " | ".join(cells) + " |", "table_row", f"{tref}r{r}")

    def text(self) -> str:
        return "".join(self.parts)


def _from_docx(data: bytes, name: str) -> Report:
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(name, f"not a valid .docx file ({exc.__class__.__name__}: the file is damaged or not a Word document)") from None
    except Exception as exc:  # python-docx raises assorted lxml/opc errors on broken packages
        raise InputError(name, f"not a valid .docx file ({exc.__class__.__name__})") from None
    b = _Builder()
    t_index = 0
    for p_index, item in enumerate(document.iter_inner_content()):
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            level = _heading_level(style)
            text = item.text
            if level and text.strip() and not text.lstrip().startswith("#"):
                text = "#" * level + " " + text.strip()
            b.add(text, "paragraph", f"p{p_index}")
        elif isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            b.add_table(_dedupe_merged(rows), f"t{t_index}")
            t_index += 1
    return Report(path=name, format="docx", text=b.text(), blocks=b.blocks)


def _heading_level(style: str) -> int:
    m = re.match(r"(?:Heading|标题)\s*(\d)", style)
    if m:
        return int(m.group(1))
    return 1 if style in {"Title", "标题"} else 0


def _dedupe_merged(rows: list[list[str]]) -> list[list[str]]:
    """python-docx repeats a merged cell's text in every grid cell it spans: keep it once."""
    out = []
    for row in rows:
        cells: list[str] = []
        for c in row:
            if not cells or c != cells[-1] or not c:
                cells.append(c)
        out.append(cells)
    return out


def _from_pdf(data: bytes, name: str) -> Report:
    import io

    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise InputError(name, f"not a readable PDF ({exc.__class__.__name__})") from None
    b = _Builder()
    with pdf:
        for n, page in enumerate(pages):
            try:
                tables = page.find_tables()
                outside = page
                for t in tables:
                    outside = outside.outside_bbox(t.bbox)
                text = outside.extract_text() or ""
            except Exception as exc:
                raise InputError(name, f"cannot read page {n + 1} of the PDF ({exc.__class__.__name__})") from None
            for i, line in enumerate(text.split("\n")):
                b.add(line, "paragraph", f"page{n + 1}l{i}")
            for k, t in enumerate(tables):
                b.add_table(t.extract(), f"page{n + 1}t{k}")
    text = b.text()
    if not text.strip():
        raise InputError(name, "the PDF has no text layer (a scanned image?): run OCR first")
    return Report(path=name, format="pdf", text=text, blocks=b.blocks)
