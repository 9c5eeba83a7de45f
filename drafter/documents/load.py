"""Loading reports from .md/.txt/.docx/.pdf into one ``Report`` model.

The report's ``text`` is what every offset points into. For text files it is the file's
content (decoded, newlines normalised); for .docx and .pdf it is the text we build from the
document: one paragraph per line, table rows as ``| a | b |`` lines.
"""

from __future__ import annotations

import re
import statistics
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
# Characters that end a line in some exports (form feed from pdftotext, vertical tab from Word,
# Unicode line/paragraph separators): each becomes one "\n", so offsets keep their length.
_LINE_BREAKS = str.maketrans({"\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})

# What to tell a user whose file has a type we do not read.
_TYPE_HINTS = {
    ".doc": "an old Word file: open it in Word or WPS and save it as .docx",
    ".wps": "a WPS file: save it as .docx",
    ".rtf": "save it as .docx",
    ".xls": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".xlsx": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".et": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".ofd": "export the OFD file as .pdf",
}


class Block(BaseModel):
    """A paragraph or table row of the source document, located in ``Report.text``."""

    kind: Literal["paragraph", "table_row"]
    start: int
    end: int
    ref: str = ""  # e.g. "p12" (docx body item index), "t0r3" (table 0, row 3), "page2l5"


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
        if isinstance(y, str) and y.strip().isdigit():
            y = int(y.strip())
        if isinstance(y, int) and not isinstance(y, bool):
            return y
        m = re.search(r"[（(]\s*(20\d\d)\s*年度?\s*[)）]|(20\d\d)\s*年度", self.text[:3000])
        if m:
            return int(m.group(1) or m.group(2))
        return None


def from_text(text: str, path: str = "<text>", fmt: str = "md") -> Report:
    """A report from a string (newlines normalised, front matter read as metadata)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = text.removeprefix("\ufeff")
    meta: dict = {}
    body_start = 0
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise InputError(path, f"the metadata header between the '---' lines is not valid YAML ({exc.__class__.__name__}): fix or remove it") from None
        if isinstance(loaded, dict):
            meta = loaded
            body_start = m.end()
    return Report(path=path, format=fmt, text=text, meta=meta, body_start=body_start)


# --- decoding text files -------------------------------------------------------------------


def reports_in(folder: str | Path) -> list[Path]:
    """The report files in a folder, recursively and sorted; Word's ``~$`` lock files skipped."""
    return [f for f in sorted(Path(folder).rglob("*")) if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("~$")]


def decode(data: bytes, path: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (with a BOM, or recognised by
    its zero bytes), else GB18030 (a superset of GBK and GB2312), else whatever
    charset-normalizer finds convincing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise InputError(path, _binary_problem(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # a file cut in the middle of its last character: keep what is there
            return data[: exc.start].decode("utf-8-sig", errors="replace")
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(1, len(text) // 1000) and _cjk_share(text) > 0.05:
        # UTF-8 with a stray invalid byte or two: reading it as GBK would garble every line
        return text
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
    raise InputError(path, "cannot decode this file as text (tried UTF-8, GB18030/GBK and charset detection): save it as UTF-8")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte order mark: its zero bytes sit mostly on one side (the high
    byte of ASCII characters), and it decodes to plausible Chinese/ASCII text."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2:
        return None
    for codec, ours, theirs in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if ours < 4 * theirs or ours < len(sample) // 200:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text) and _plausible_share(text) > 0.95:
            return text
    return None


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese report is made of (ASCII, CJK, CJK and general
    punctuation, full-width forms): near 1 for real text, about 1/3 for decoded noise."""
    sample = text[:20000]
    ok = sum(
        1
        for ch in sample
        if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f"
    )
    return ok / max(1, len(sample))


def _cjk_share(text: str) -> float:
    sample = text[:20000]
    return sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff") / max(1, len(sample))


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(sample) < 0.01


def _sniff(data: bytes) -> str:
    """What a file really is, from its first bytes: 'pdf', 'docx', 'zip', 'ole', 'image' or ''."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    return ""


def _binary_problem(data: bytes) -> str:
    kind = _sniff(data)
    return {
        "pdf": "this is a PDF file, not text: rename it to .pdf",
        "docx": "this is a Word .docx file, not text: rename it to .docx",
        "zip": "this is a zip archive, not a text report: unpack it and review the reports inside",
        "ole": "this is an old Word .doc (or other Office) file, not text: save it as .docx",
        "image": "this is an image, not a text report: run OCR first",
    }.get(kind, "this is a binary file, not a text report")


# --- loading -------------------------------------------------------------------------------


def load(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Report:
    """Load one report; every problem is an ``InputError`` naming the file."""
    p = Path(path)
    name = str(path)
    try:
        if not p.exists():
            raise InputError(name, "no such file")
        if p.is_dir():
            raise InputError(name, "is a folder, not a report file")
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(name, f"cannot open the file ({exc.strerror or exc.__class__.__name__})") from None
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        hint = _TYPE_HINTS.get(suffix)
        raise InputError(name, f"unknown file type '{p.suffix or '(none)'}' (use .md, .txt, .docx or .pdf{'; ' + hint if hint else ''})")
    if p.name.startswith("~$"):
        raise InputError(name, "this is a lock file that Word or WPS leaves while the document is open, not a report")
    if size == 0:
        raise InputError(name, "the file is empty")
    if size > max_bytes:
        raise InputError(
            name, f"the file is too large ({size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:g} MB, raise it with --max-mb)"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    if suffix == ".docx":
        report = _from_docx(data, name)
    elif suffix == ".pdf":
        report = _from_pdf(data, name)
    else:
        if _sniff(data):
            raise InputError(name, _binary_problem(data))
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
        line = re.sub(r"[\n\r\f\v\u2028\u2029]", " ", line).strip()
        if not line:
            return
        self.blocks.append(Block(kind=kind, start=self.pos, end=self.pos + len(line), ref=ref))
        self.parts.append(line + "\n")
        self.pos += len(line) + 1

    def add_table(self, rows: list[list[str | None]], tref: str) -> None:
        for r, row in enumerate(rows):
            # a cell's own line breaks are layout; a "|" would split the cell in the pipe row
            cells = [re.sub(r"\s*\n\s*", "", c or "").replace("|", "｜").strip() for c in row]
            if any(cells):
                self.add("| " + " | ".join(cells) + " |", "table_row", f"{tref}r{r}")

    def text(self) -> str:
        return "".join(self.parts)


# --- .docx ---------------------------------------------------------------------------------


def _from_docx(data: bytes, name: str) -> Report:
    import io

    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    kind = _sniff(data)
    if kind == "ole":
        raise InputError(name, "this is an old Word .doc file (or a password-protected document), not .docx: save it as .docx in Word or WPS")
    if kind == "pdf":
        raise InputError(name, "this is a PDF file, not a Word document: rename it to .pdf")
    if kind not in ("docx", "zip"):
        raise InputError(name, "not a valid .docx file (the file is damaged or is not a Word document)")
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except zipfile.BadZipFile:
        raise InputError(name, "the .docx file is damaged (it is not a readable zip package)") from None
    except KeyError:
        raise InputError(name, "not a valid .docx file (the zip package has no Word document in it)") from None
    except ValueError as exc:
        if "content type" in str(exc):
            raise InputError(name, "not a Word document (the package is another Office type, e.g. a spreadsheet)") from None
        raise InputError(name, "not a valid .docx file (the file is damaged or is not a Word document)") from None
    except Exception:  # python-docx raises assorted lxml/opc errors on broken packages
        raise InputError(name, "not a valid .docx file (the file is damaged or is not a Word document)") from None
    b = _Builder()
    numbering = _Numbering(document)
    t_index = 0
    try:
        for index, el in enumerate(_body_items(body)):
            if el.tag == qn("w:p"):
                para = Paragraph(el, document._body)
                level = _heading_level(_style_name(para)) or _outline_level(el, para)
                lines = _paragraph_text(el).split("\n")
                label = numbering.label(el, para)
                if label and lines[0].strip() and not lines[0].lstrip().startswith(label.strip()):
                    lines[0] = label + lines[0].lstrip()
                for k, text in enumerate(lines):
                    if k == 0 and level and text.strip() and not text.lstrip().startswith("#"):
                        text = "#" * min(level, 6) + " " + text.strip()
                    b.add(text, "paragraph", f"p{index}" if len(lines) == 1 else f"p{index}.{k}")
            else:
                b.add_table(_table_rows(el), f"t{t_index}")
                t_index += 1
    except InputError:
        raise
    except Exception as exc:
        raise InputError(name, f"cannot read the content of the .docx file ({exc.__class__.__name__}): open it in Word or WPS and save it again") from None
    return Report(path=name, format="docx", text=b.text(), blocks=b.blocks)


def _body_items(container):
    """Paragraphs and tables in document order, including those inside content controls
    (``w:sdt``) and custom XML, which python-docx's iterators skip."""
    from docx.oxml.ns import qn

    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_items(content)
        elif child.tag == qn("w:customXml"):
            yield from _body_items(child)


def _paragraph_text(p) -> str:
    """The visible text of a paragraph: its runs, hyperlinks, fields, content controls and
    tracked insertions (not deletions, not floating text boxes), line breaks as "\\n"."""
    return "".join(ch for ch, _ in paragraph_chars(p))


def paragraph_chars(p) -> list[tuple[str, tuple | None]]:
    """A paragraph's visible characters, each with where it stands: (its w:t element, the
    index in it), or None for tabs, breaks and hyphens, which are not in a w:t. The Word
    comment writer anchors on these."""
    from docx.oxml.ns import qn

    T, TAB, BR, CR, HYPHEN, P = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen"), qn("w:p")
    skip = {qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), qn("w:instrText"), qn("w:delText"), qn("w:fldData")}
    out: list[tuple[str, tuple | None]] = []

    def walk(el) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in skip or tag == P:
                continue
            if tag == T:
                out.extend((ch, (child, i)) for i, ch in enumerate(child.text or ""))
            elif tag == TAB:
                out.append(("\t", None))
            elif tag == BR:
                if child.get(qn("w:type"), "textWrapping") == "textWrapping":
                    out.append(("\n", None))
            elif tag == CR:
                out.append(("\n", None))
            elif tag == HYPHEN:
                out.append(("-", None))
            elif tag == qn("w:pPr"):
                continue
            else:
                walk(child)

    walk(p)
    return out


def _style_name(para) -> str:
    try:
        style = para.style
        return (style.name if style is not None else "") or ""
    except Exception:
        return ""


def _heading_level(style: str) -> int:
    m = re.match(r"(?:Heading|heading|标题)\s*(\d)", style)
    if m:
        return int(m.group(1))
    return 1 if style in {"Title", "标题"} else 0


def _outline_level(p, para) -> int:
    """A heading by outline level (w:outlineLvl 0-8, on the paragraph or its style chain): how
    custom heading styles such as "一级标题" are marked."""
    from docx.oxml.ns import qn

    def level_of(ppr) -> int | None:
        el = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if el is None:
            return None
        try:
            value = int(el.get(qn("w:val"), "9"))
        except ValueError:
            return None
        return value + 1 if 0 <= value <= 5 else 0

    level = level_of(p.find(qn("w:pPr")))
    if level is not None:
        return level
    try:
        style = para.style
    except Exception:
        return 0
    for _ in range(10):
        if style is None:
            break
        level = level_of(style.element.find(qn("w:pPr")))
        if level is not None:
            return level
        style = style.base_style
    return 0


def _table_rows(tbl) -> list[list[str]]:
    """One cell per grid column so columns line up across rows: a merged cell's text is
    written once, in its first grid column, and the columns it spans (across or down) are
    left empty."""
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells: list[str] = []
        trPr = tr.find(qn("w:trPr"))
        before = _int_val(trPr, "w:gridBefore") if trPr is not None else 0
        cells.extend([""] * before)
        for tc in _row_cells(tr):
            tcPr = tc.find(qn("w:tcPr"))
            span = max(1, _int_val(tcPr, "w:gridSpan") or 1) if tcPr is not None else 1
            vmerge = tcPr.find(qn("w:vMerge")) if tcPr is not None else None
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                text = ""
            else:
                paras = [_paragraph_text(p) for p in tc.iter(qn("w:p"))]
                text = "".join(t.strip() for t in paras)
            cells.append(text)
            cells.extend([""] * (span - 1))
        rows.append(cells)
    return rows


def _row_cells(tr):
    from docx.oxml.ns import qn

    for child in tr.iterchildren():
        if child.tag == qn("w:tc"):
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent")) if child.tag == qn("w:sdt") else child
            if content is not None:
                yield from (c for c in content.iterchildren(qn("w:tc")))


def _int_val(parent, tag: str) -> int:
    from docx.oxml.ns import qn

    if parent is None:
        return 0
    el = parent.find(qn(tag))
    if el is None:
        return 0
    try:
        return int(el.get(qn("w:val"), "0"))
    except ValueError:
        return 0


_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_counter(n: int, fmt: str) -> str | None:
    if fmt in ("decimal", "decimalZero", "decimalHalfWidth", "decimalFullWidth", "decimalFullWidth2", "ordinal", "cardinalText"):
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt.startswith(("chineseCounting", "japaneseCounting", "taiwaneseCounting", "ideographDigital", "koreanCounting")):
        return _chinese_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("decimalEnclosedParen",):
        return f"({n})"
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        ch = chr(ord("A") + n - 1)
        return ch if fmt == "upperLetter" else ch.lower()
    if fmt in ("upperRoman", "lowerRoman") and 1 <= n < 40:
        roman = "".join(sym * c for sym, c in zip(("X", "IX", "V", "IV", "I"), _roman_counts(n)))
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("ideographTraditional",) and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    return None  # bullet, none and the exotic formats: no label


def _roman_counts(n: int) -> list[int]:
    out = []
    for value in (10, 9, 5, 4, 1):
        out.append(n // value)
        n %= value
    return out


class _Numbering:
    """Word's automatic list numbering (the "一、" or "1." that Word draws but does not store in
    the text): the label each numbered paragraph shows, so headings keep their numbers."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self.counters: dict[str, dict[int, int]] = {}
        self.styles = document.styles if hasattr(document, "styles") else None
        try:
            root = document.part.numbering_part.element
        except Exception:
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for an in root.iterchildren(qn("w:abstractNum")):
            abstract[an.get(qn("w:abstractNumId"))] = self._lvls(an)
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            levels = dict(abstract.get(ref.get(qn("w:val")), {}))
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels.update(self._lvls_of([lvl]))
                start = override.find(qn("w:startOverride"))
                if start is not None and ilvl in levels:
                    _, fmt, text = levels[ilvl]
                    levels[ilvl] = (int(start.get(qn("w:val"), "1")), fmt, text)
            self.levels[num.get(qn("w:numId"))] = levels

    def _lvls(self, an) -> dict[int, tuple[int, str, str]]:
        return self._lvls_of(an.iterchildren(self.qn("w:lvl")))

    def _lvls_of(self, lvls) -> dict[int, tuple[int, str, str]]:
        qn = self.qn
        out = {}
        for lvl in lvls:
            try:
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
            except ValueError:
                continue
            start_el, fmt_el, text_el = lvl.find(qn("w:start")), lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText"))
            try:
                start = int(start_el.get(qn("w:val"), "1")) if start_el is not None else 1
            except ValueError:
                start = 1
            fmt = fmt_el.get(qn("w:val"), "decimal") if fmt_el is not None else "decimal"
            text = text_el.get(qn("w:val"), "") if text_el is not None else ""
            out[ilvl] = (start, fmt, text)
        return out

    def _num_pr(self, p, para) -> tuple[str | None, int]:
        qn = self.qn
        ppr = p.find(qn("w:pPr"))
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id, ilvl = None, None
        if num_pr is not None:
            n, i = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
            num_id = n.get(qn("w:val")) if n is not None else None
            ilvl = int(i.get(qn("w:val"), "0")) if i is not None else None
        if num_id is None:
            # numbering that comes with the paragraph style (e.g. numbered heading styles)
            try:
                style = para.style
            except Exception:
                style = None
            seen = 0
            while style is not None and num_id is None and seen < 10:
                sppr = style.element.find(qn("w:pPr"))
                snum = sppr.find(qn("w:numPr")) if sppr is not None else None
                if snum is not None:
                    n, i = snum.find(qn("w:numId")), snum.find(qn("w:ilvl"))
                    num_id = n.get(qn("w:val")) if n is not None else None
                    if ilvl is None and i is not None:
                        ilvl = int(i.get(qn("w:val"), "0"))
                style = style.base_style
                seen += 1
        return num_id, ilvl or 0

    def label(self, p, para) -> str:
        if not self.levels:
            return ""
        try:
            num_id, ilvl = self._num_pr(p, para)
        except (ValueError, AttributeError):
            return ""
        if num_id is None or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        start = levels[ilvl][0]
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        _, fmt, text = levels[ilvl]

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            return _format_counter(counts.get(k, levels[k][0]), levels[k][1]) or ""

        if _format_counter(counts[ilvl], fmt) is None:
            return ""
        label = re.sub(r"%(\d)", sub, text).strip()
        if not label:
            return ""
        return label if label[-1] in "、.．)）:：" else label + " "


# --- .pdf ----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－·\s]*\d{1,4}[-—–－·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[.．、](?!\d))")
_SENTENCE_DONE = "。！？；：:!?;"


def _from_pdf(data: bytes, name: str) -> Report:
    import io

    import pdfplumber

    if b"%PDF-" not in data[:1024]:
        kind = _sniff(data)
        if kind == "docx":
            raise InputError(name, "this is a Word .docx file, not a PDF: rename it to .docx")
        raise InputError(name, "not a PDF file (it has no PDF header; the file is damaged or of another type)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:  # pdfminer raises many types on damaged files
        names = " ".join(type(e).__name__ for e in (exc, *exc.args, exc.__context__) if isinstance(e, BaseException))
        if "Password" in names or "Encrypt" in names:
            raise InputError(name, "the PDF is password-protected: remove the password and try again") from None
        raise InputError(name, "not a readable PDF (the file is damaged or truncated)") from None
    page_items: list[list[tuple[str, object]]] = []
    widths: list[float] = []
    with pdf:
        for n, page in enumerate(pages):
            try:
                page_items.append(_pdf_page_items(page))
                widths.append(float(page.width))
            except Exception as exc:
                raise InputError(name, f"cannot read page {n + 1} of the PDF ({exc.__class__.__name__})") from None
    _drop_running_lines(page_items)
    left = min((it["x0"] for items in page_items for kind, it in items if kind == "line"), default=0.0)
    b = _Builder()
    for n, items in enumerate(page_items):
        # the right margin: where this page's long lines end, and at least as far from the
        # right edge as the text is from the left edge (so a page of short lines has no
        # "full" line to continue)
        right = max([widths[n] - left] + [it["x1"] for kind, it in items if kind == "line" and len(it["text"]) >= 8])
        para: list[dict] = []
        first = 0
        t_index = 0

        def flush() -> None:
            if para:
                b.add(_join_pdf_lines(para), "paragraph", f"page{n + 1}l{first}")

        for i, (kind, item) in enumerate(items):
            if kind == "table":
                flush()
                para = []
                b.add_table(item, f"page{n + 1}t{t_index}")
                t_index += 1
                continue
            if para and _continues(para[-1], item, left, right):
                para.append(item)
                continue
            flush()
            para, first = [item], i
        flush()
    text = b.text()
    if not text.strip():
        raise InputError(name, "the PDF has no text layer (a scanned image?): run OCR first")
    if len(re.findall(r"\(cid:\d+\)", text)) * 8 > len(text) * 0.3:
        raise InputError(name, "the PDF's fonts have no Unicode mapping, so its text cannot be read: export it again from Word/WPS or run OCR")
    return Report(path=name, format="pdf", text=text, blocks=b.blocks)


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\u201c\u201d\u2018\u2019"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def _pdf_page_items(page) -> list[tuple[str, object]]:
    """Text lines (with their geometry) and tables of one page, top to bottom. Characters
    printed twice (the "fake bold" of many Chinese PDFs) count once, and the gaps that
    justified or letter-spaced Chinese text leaves between characters are not spaces."""
    page = page.dedupe_chars()
    tables = page.find_tables()
    outside = page
    for t in tables:
        outside = outside.outside_bbox(t.bbox, strict=False)
    items: list[tuple[float, int, tuple[str, object]]] = []
    for ln in outside.extract_text_lines(return_chars=True):
        ln["text"] = _pdf_line_text(ln)
        del ln["chars"]
        if ln["text"].strip():
            items.append((ln["top"], 0, ("line", ln)))
    for t in tables:
        rows = [[_CJK_GAP.sub("", c) if c else c for c in row] for row in t.extract()]
        items.append((t.bbox[1], 1, ("table", rows)))
    items.sort(key=lambda x: (x[0], x[1]))
    return [item for _, _, item in items]


def _pdf_line_text(ln: dict) -> str:
    """A line's text. In a letter-spaced line (every gap between characters wider than usual)
    only a gap clearly wider than the common one is a space, so "5 7 7 9 0" stays 57790."""
    chars = [c for c in ln.get("chars") or [] if c["text"].strip()]
    text = ln["text"]
    if len(chars) >= 5:
        gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])]
        common = statistics.median(gaps)
        size = max(1.0, ln["bottom"] - ln["top"])
        if common > 1.0:
            out = [chars[0]["text"]]
            for gap, c in zip(gaps, chars[1:]):
                if gap > common + 0.3 * size:
                    out.append(" ")
                out.append(c["text"])
            text = "".join(out)
    return _CJK_GAP.sub("", text)


def _drop_running_lines(page_items: list[list[tuple[str, object]]]) -> None:
    """Drop page numbers and running headers/footers (the first or last line of a page that is
    a page number, or that repeats at the same place on most pages)."""

    def norm(s: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", s))

    def edge_texts(pos: int) -> list[str]:
        out = []
        for items in page_items:
            lines = [it for k, it in items if k == "line"]
            if lines:
                out.append(norm(lines[pos]["text"]))
        return out

    repeated = set()
    if len(page_items) >= 3:
        for pos in (0, -1):
            texts = edge_texts(pos)
            for t in set(texts):
                if t and texts.count(t) * 2 > len(page_items):
                    repeated.add(t)
    for items in page_items:
        line_idx = [i for i, (k, _) in enumerate(items) if k == "line"]
        if len(line_idx) < 2:
            continue
        drop = set()
        for i in (line_idx[0], line_idx[-1]):
            text = items[i][1]["text"].strip()
            if _PAGE_NUMBER.match(text) or norm(text) in repeated:
                drop.add(i)
        for i in sorted(drop, reverse=True):
            del items[i]


def _continues(prev: dict, nxt: dict, left: float, right: float) -> bool:
    """True when ``nxt`` is the wrapped continuation of the line ``prev`` on the same page:
    ``prev`` runs to the right margin, ``nxt`` starts at the left margin without an indent,
    close below, and does not start a numbered item after a finished sentence."""
    size = max(1.0, prev["bottom"] - prev["top"])
    if prev["x1"] < right - 1.5 * size:
        return False
    if nxt["x0"] > left + 0.6 * size:
        return False
    if nxt["top"] - prev["top"] > 2.6 * size or nxt["top"] < prev["top"]:
        return False
    if prev["text"].rstrip()[-1:] in _SENTENCE_DONE and _NUMBERED.match(nxt["text"]):
        return False
    return True


def _join_pdf_lines(lines: list[dict]) -> str:
    out = lines[0]["text"].strip()
    for ln in lines[1:]:
        t = ln["text"].strip()
        # Latin words wrapped at a space get it back; a number cut by the wrap does not
        if out and t and out[-1].isascii() and t[0].isascii() and out[-1].isalpha() and t[0].isalnum():
            out += " "
        out += t
    return out
