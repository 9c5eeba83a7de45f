"""Word (.docx) reports: paragraphs (with their list numbering and heading levels) and table
rows in document order, including content controls; each becomes a block of the report text."""

from __future__ import annotations

import re
import zipfile

from drafter.documents.decode import sniff
from drafter.documents.report import Builder, Report
from drafter.documents.zipcheck import check_package
from drafter.errors import InputError
from drafter.text.numerals import to_chinese


def read_docx(data: bytes, name: str) -> Report:
    import io

    import docx
    from docx.oxml.ns import qn

    kind = sniff(data)
    if kind == "ole":
        raise InputError(name, "这是旧版 Word（.doc）文件或设有密码的文档，不是 .docx："
                               "请用 Word 或 WPS 另存为 .docx")
    if kind == "pdf":
        raise InputError(name, "这是 PDF 文件，不是 Word 文档：请把扩展名改为 .pdf")
    if kind not in ("docx", "zip"):
        raise InputError(name, "不是有效的 Word（.docx）文件（文件已损坏，或不是 Word 文档）")
    check_package(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except zipfile.BadZipFile:
        raise InputError(name, "Word 文件已损坏，无法打开（不是可读的 zip 包）") from None
    except KeyError:
        raise InputError(name, "不是有效的 Word（.docx）文件（包里没有 Word 文档）") from None
    except ValueError as exc:
        if "content type" in str(exc):
            raise InputError(name,
                             "不是 Word 文档（是其他 Office 文件，例如表格）") from None
        raise InputError(name, "不是有效的 Word（.docx）文件（文件已损坏，或不是 Word 文档）") from None
    except Exception:  # python-docx raises assorted lxml/opc errors on broken packages
        raise InputError(name, "不是有效的 Word（.docx）文件（文件已损坏，或不是 Word 文档）") from None
    b = Builder()
    numbering = _Numbering(document)
    styles = _Styles(document)
    t_index = 0
    try:
        for index, el in enumerate(_body_items(body)):
            if el.tag == qn("w:p"):
                style = styles.of(el)
                level = _heading_level(_style_name(style)) or _outline_level(el, style)
                lines = _paragraph_text(el).split("\n")
                label = numbering.label(el, style)
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
        raise InputError(name, f"无法读取 Word 文件的内容（{exc.__class__.__name__}）："
                               "请用 Word 或 WPS 打开后重新保存") from None
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


class _Styles:
    """Each paragraph's style, looked up once per style id: python-docx finds the style of a
    paragraph that names none by going through every style of the document, on every call."""

    def __init__(self, document) -> None:
        self.document = document
        self.by_id: dict[str | None, object] = {}

    def of(self, p):
        from docx.text.paragraph import Paragraph

        try:
            key = p.style
        except Exception:
            key = None
        if key not in self.by_id:
            try:
                self.by_id[key] = Paragraph(p, self.document._body).style
            except Exception:
                self.by_id[key] = None
        return self.by_id[key]


def _style_name(style) -> str:
    try:
        return (style.name if style is not None else "") or ""
    except Exception:
        return ""


def _heading_level(style: str) -> int:
    m = re.match(r"(?:Heading|heading|标题)\s*(\d)", style)
    if m:
        return int(m.group(1))
    return 1 if style in {"Title", "标题"} else 0


def _outline_level(p, style) -> int:
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


def _format_counter(n: int, fmt: str) -> str | None:
    if fmt in ("decimal", "decimalZero", "decimalHalfWidth", "decimalFullWidth", "decimalFullWidth2", "ordinal",
               "cardinalText"):
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt.startswith(("chineseCounting", "japaneseCounting", "taiwaneseCounting", "ideographDigital",
                       "koreanCounting")):
        return to_chinese(n) if 0 < n < 100 else str(n)
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

    def _num_pr(self, p, style) -> tuple[str | None, int]:
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

    def label(self, p, style) -> str:
        if not self.levels:
            return ""
        try:
            num_id, ilvl = self._num_pr(p, style)
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
