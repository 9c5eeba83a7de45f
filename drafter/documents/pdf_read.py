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
            raise InputError(name, "这是 Word（.docx）文件，不是 PDF：请把扩展名改为 .docx")
        raise InputError(name, "不是 PDF 文件（没有 PDF 文件头，文件已损坏或是其他类型）")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:  # pdfminer raises many types on damaged files
        names = " ".join(type(e).__name__ for e in (exc, *exc.args, exc.__context__) if isinstance(e, BaseException))
        if "Password" in names or "Encrypt" in names:
            raise InputError(name, "PDF 设有密码：请去掉密码后再试") from None
        raise InputError(name, "PDF 文件已损坏或不完整，无法读取") from None
    page_items: list[list[tuple[str, object]]] = []
    widths: list[float] = []
    warnings: list[str] = []
    with pdf:
        for n, page in enumerate(pages):
            try:
                items, lost = _pdf_page_items(page)
                page_items.append(items)
                widths.append(float(page.width))
                if lost:
                    warnings.append(f"第 {n + 1} 页有 {len(lost)} 个字既不在正文也不在表格中，未能读入："
                                    f"“{_sample(lost)}”，请对照原文核对这一页")
            except Exception as exc:
                raise InputError(name, f"无法读取 PDF 的第 {n + 1} 页（{exc.__class__.__name__}）") from None
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
            # a line runs to its own column's right edge; the next starts at its column's left
            if para and _continues(para[-1], item, item.get("col_left", left), para[-1].get("col_right", right)):
                para.append(item)
                continue
            flush()
            para, first = [item], i
        flush()
    text = b.text()
    if not text.strip():
        raise InputError(name, "这个 PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR）")
    if len(re.findall(r"\(cid:\d+\)", text)) * 8 > len(text) * 0.3:
        raise InputError(name, "PDF 的字体没有 Unicode 映射，文字无法读取："
                               "请从 Word/WPS 重新导出，或做文字识别（OCR）")
    return Report(path=name, format="pdf", text=text, blocks=b.blocks, warnings=warnings)


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\u201c\u201d\u2018\u2019"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def _in_box(obj: dict, box: tuple[float, float, float, float]) -> bool:
    """True when the middle of ``obj`` lies in ``box`` (a character that only touches a
    table's edge, as a heading set right under a table does, is not in the table)."""
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _pdf_page_items(page) -> tuple[list[tuple[str, object]], str]:
    """Text lines (with their geometry) and tables of one page in reading order, and the
    characters of the page that are in neither (in reading order; empty when nothing was lost).
    Characters printed twice (the "fake bold" of many Chinese PDFs) count once, and the gaps
    that justified or letter-spaced Chinese text leaves between characters are not spaces. A page
    set in two columns is read column by column (``_columns``)."""
    page = page.dedupe_chars()
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    chars = [c for c in page.chars if not any(_in_box(c, b) for b in boxes)]
    gutter, spans = _columns(page, chars, boxes)
    items: list[tuple[tuple, tuple[str, object]]] = []
    kept: set[tuple] = set()  # the characters that are in a line or in a table's cell

    def where(top: float, x0: float, x1: float) -> tuple[int, int]:
        band = sum(1 for s in spans if s[0] <= top)
        return (band, 0 if gutter is None or x0 < gutter else 1)

    groups: list[tuple[object, bool]] = [(lambda c: True, False)]
    if gutter is not None:
        def spanning(c):
            y = (c["top"] + c["bottom"]) / 2
            return any(a <= y <= b for a, b in spans)
        groups = [(spanning, False), (lambda c: not spanning(c) and c["x1"] <= gutter + 1, True),
                  (lambda c: not spanning(c) and c["x1"] > gutter + 1, True)]
    for test, in_column in groups:
        ids = {id(c) for c in chars if test(c)}
        part = page.filter(lambda o, ids=ids: o.get("object_type") != "char" or id(o) in ids)
        lines = part.extract_text_lines(return_chars=True)
        for ln in lines:
            kept.update(_key(c) for c in ln["chars"])
            ln["text"] = _pdf_line_text(ln)
            del ln["chars"]
        lines = [ln for ln in lines if ln["text"].strip()]
        edges: dict[tuple[int, int], tuple[float, float]] = {}
        for ln in lines:  # a column's edges: where its lines of some length start and end
            if len(ln["text"]) < 8:
                continue
            key = where(ln["top"], ln["x0"], ln["x1"])
            a, b = edges.get(key, (ln["x0"], ln["x1"]))
            edges[key] = (min(a, ln["x0"]), max(b, ln["x1"]))
        for ln in lines:
            key = where(ln["top"], ln["x0"], ln["x1"])
            if in_column and key in edges:  # a line in a column wraps at that column's edges
                ln["col_left"], ln["col_right"] = edges[key]
            items.append(((key if in_column else (key[0], 0), ln["top"], 0), ("line", ln)))
    for t in tables:
        rows = [[_CJK_GAP.sub("", c) if c else c for c in row] for row in t.extract()]
        cells = [cell for cell in t.cells if cell]
        kept.update(_key(c) for c in page.chars if _in_box(c, t.bbox) and any(_in_box(c, cell) for cell in cells))
        x0, top, x1, _ = t.bbox
        key = where(top, x0, x1) if gutter is not None and (x1 <= gutter + 1 or x0 >= gutter - 1) else \
            (where(top, x0, x1)[0], 0)
        items.append(((key, top, 1), ("table", rows)))
    items.sort(key=lambda x: x[0])
    return [item for _, item in items], _lost(page.chars, kept)


def _columns(page, chars: list[dict], boxes: list[tuple]) -> tuple[float | None, list[tuple[float, float]]]:
    """The gutter of a page set in two columns (None for one column) and the vertical spans of
    what crosses it (a title or a table over both columns): the page is read band by band
    between those spans, the left column of a band before the right one. The gutter is the x in
    the middle of the page that the fewest characters and tables cover, at least 6 points wide,
    with text on both sides of it in at least 3 lines."""
    width = float(page.width)
    if len([c for c in chars if c["text"].strip()]) < 40:
        return None, []
    lo, hi = int(width * 0.35), int(width * 0.65)
    cover = [0] * (hi - lo + 1)
    for x0, x1 in [(c["x0"], c["x1"]) for c in chars if c["text"].strip()] + [(b[0], b[2]) for b in boxes]:
        for x in range(max(lo, int(x0) + 1), min(hi, int(x1)) + 1):
            cover[x - lo] += 1
    best = min(cover)
    # the widest stretch at that cover: a gutter is a gap, not the boundary between two
    # characters that lines of evenly spaced Chinese text share
    stretch: list[int] = []
    run: list[int] = []
    for i, n in enumerate(cover + [-1]):
        if n == best:
            run.append(lo + i)
            continue
        if len(run) > len(stretch):
            stretch = run
        run = []
    if len(stretch) < 6:
        return None, []
    gutter = float(stretch[len(stretch) // 2])
    spans = sorted({(round(c["top"], 1), round(c["bottom"], 1)) for c in chars
                    if c["text"].strip() and c["x0"] < gutter < c["x1"]}
                   | {(b[1], b[3]) for b in boxes if b[0] < gutter < b[2]})

    def free(c) -> bool:
        y = (c["top"] + c["bottom"]) / 2
        return not any(a <= y <= b for a, b in spans)

    rows_left = {round(c["top"]) for c in chars if c["text"].strip() and c["x1"] <= gutter and free(c)}
    rows_right = {round(c["top"]) for c in chars if c["text"].strip() and c["x0"] >= gutter and free(c)}
    if len(rows_left) < 3 or len(rows_right) < 3 or max(min(rows_left), min(rows_right)) >= \
            min(max(rows_left), max(rows_right)):
        return None, []
    return gutter, spans


def _key(c: dict) -> tuple:
    return c["text"], round(c["x0"], 1), round(c["top"], 1)


def _lost(chars: list[dict], kept: set[tuple]) -> str:
    """The characters of ``chars`` (a page's, in the order the page draws them: the reading
    order of most exports) that are not in ``kept``."""
    return "".join(c["text"] for c in chars if c["text"].strip() and _key(c) not in kept)


def _sample(lost: str, limit: int = 30) -> str:
    return lost if len(lost) <= limit else lost[:limit] + "……"


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
    if abs((nxt["bottom"] - nxt["top"]) - size) > 0.15 * size:  # a title over a heading or body text
        return False
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
