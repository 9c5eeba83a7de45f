"""PDF reports: the text layer page by page, running heads and page numbers dropped, lines
joined into paragraphs, tables as pipe rows."""

from __future__ import annotations

import re
import statistics

from drafter.documents.decode import sniff
from drafter.documents.report import Builder, Report
from drafter.errors import InputError

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－·\s]*\d{1,4}[-—–－·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]"
                       r"|\d{1,2}\s*[.．、](?!\d))")
_SENTENCE_DONE = "。！？；：:!?;"


def read_pdf(data: bytes, name: str) -> Report:
    import io

    import pdfplumber

    if b"%PDF-" not in data[:1024]:
        kind = sniff(data)
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
    b = Builder()
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
        raise InputError(name, "the PDF's fonts have no Unicode mapping, so its text cannot be read: "
                               "export it again from Word/WPS or run OCR")
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
