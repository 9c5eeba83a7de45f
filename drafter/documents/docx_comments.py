"""Reviewed Word files: every finding becomes a Word comment, authored "drafter", anchored on
exactly the text it quotes, with the message, the arithmetic and the suggestion.

For a .docx report the comments go into a copy of the original document (the original file is
never touched): each finding's character offsets into ``Report.text`` are mapped back to the
``w:t`` text nodes of the paragraphs and table cells that ``drafter.documents.load`` recorded as
blocks, and the runs are split at the span's boundaries so the comment covers the quoted
characters and nothing else. Reports read from .md/.txt/.pdf become a new .docx (one paragraph
per line, Markdown headings as heading styles, pipe tables as Word tables) with the comments.

A finding whose text cannot be located (it quotes only a heading's "#" marker, the metadata
header, or nothing) is put on the nearest paragraph, and its comment says so: no finding is
ever dropped.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from drafter.documents.load import Report
from drafter.documents.zipcheck import check_package
from drafter.errors import DrafterError, InputError
from drafter.findings import CATEGORY_NAMES, Finding, ReviewResult
from drafter.text.blocks import blocks, lines_of

AUTHOR = "drafter"
INITIALS = "DR"
LEVEL_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}

# A location in the document: a w:t element and a character index in its text.
Loc = tuple[object, int]

_CONTROL = re.compile(r"[\n\r\f\v\u2028\u2029]")
# characters XML 1.0 cannot hold (lxml refuses them)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Placement:
    """Where one finding's comment went."""

    finding: Finding
    comment_id: int
    anchored: str  # the document text the comment covers
    exact: bool  # True: on the quoted characters; False: on the nearest paragraph


@dataclass
class _Unit:
    """A rendered paragraph or table row: its span in ``Report.text`` and the locations of
    its characters that exist in the document."""

    start: int
    end: int
    locs: list[Loc] = field(default_factory=list)


# --- the public entry points ---------------------------------------------------------------


def commented_document(report: Report, findings: list[Finding], source: bytes | None = None):
    """The document with one comment per finding, and where each went: ``(Document,
    [Placement])``. For a .docx report ``source`` is the original file's bytes (read from
    ``report.path`` when omitted); other reports are laid out as a new document."""
    import docx

    if report.format == "docx":
        if source is None:
            try:
                source = Path(report.path).read_bytes()
            except OSError as exc:
                raise InputError(
                    report.path, f"无法读取原文档（{exc.strerror or exc.__class__.__name__}）"
                ) from None
        check_package(source, report.path)
        try:
            document = docx.Document(io.BytesIO(source))
        except Exception:
            raise InputError(report.path,
                             "不是有效的 Word（.docx）文件（文件已损坏，或不是 Word 文档）") from None
        char_map, units = _map_docx(document, report)
    else:
        document, char_map, units = _layout_text(report)
    placements = _anchor(document, report, findings, char_map, units)
    return document, placements


def commented_docx_bytes(report: Report, result: ReviewResult | list[Finding], source: bytes | None = None) -> bytes:
    """The commented document as .docx bytes."""
    findings = result.findings if isinstance(result, ReviewResult) else result
    document, _ = commented_document(report, findings, source)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def write_commented_docx(report: Report, result: ReviewResult | list[Finding], out: str | Path,
                         source: bytes | None = None) -> list[Placement]:
    """Write the commented copy to ``out`` (through a temporary file renamed into place, so a
    failure never leaves a half-written document). ``out`` must not be the report itself."""
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise DrafterError(f"{out}: --format docx 的输出文件名须以 .docx 结尾")
    try:
        if Path(report.path).exists() and out.exists() and out.resolve() == Path(report.path).resolve():
            raise DrafterError(
                f"{out}: 这就是报告本身；原文件不会被改动，请另选输出文件")
    except OSError:
        pass
    findings = result.findings if isinstance(result, ReviewResult) else result
    document, placements = commented_document(report, findings, source)
    tmp = out.with_name(f".{out.name}.part")
    try:
        document.save(str(tmp))
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DrafterError(f"{out}: 无法写入这个文件（{exc.strerror or exc.__class__.__name__}）") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return placements


def comment_text(f: Finding, exact: bool = True) -> str:
    """What the comment says: level, category and rule, the message, the arithmetic and the
    suggestion, one paragraph each."""
    lines = []
    if not exact:
        quote = f.quote if len(f.quote) <= 60 else f.quote[:60] + "…"
        lines.append(f"（无法在文中定位原文“{quote}”，批注放在最近的段落。）" if quote
                     else "（此问题没有对应的原文，批注放在最近的段落。）")
    lines.append(f"【{LEVEL_NAMES[f.level.value]}·{CATEGORY_NAMES.get(f.category, f.category)}】{f.rule}：{f.message}")
    if f.evidence:
        lines.append(f"计算：{f.evidence}")
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    return _XML_BAD.sub("", "\n".join(line.replace("\n", " ") for line in lines))


def anchored_texts(document) -> dict[int, str]:
    """The text each comment range of ``document`` covers, by comment id (paragraphs inside
    one range joined by "\\n")."""
    from docx.oxml.ns import qn

    START, END, T, P = qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t"), qn("w:p")
    skip = {qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent")}
    open_: dict[int, list[str]] = {}
    done: dict[int, str] = {}

    def walk(el) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            if tag == START:
                open_[int(child.get(qn("w:id")))] = []
            elif tag == END:
                cid = int(child.get(qn("w:id")))
                if cid in open_:
                    done[cid] = "".join(open_.pop(cid)).strip("\n")
            elif tag == T:
                for parts in open_.values():
                    parts.append(child.text or "")
            else:
                walk(child)
                if tag == P:
                    for parts in open_.values():
                        parts.append("\n")

    walk(document.element.body)
    return done


# --- .docx: offsets back to text nodes -------------------------------------------------------


def _pieces(p) -> list[tuple[str, Loc | None]]:
    """A paragraph's visible characters with their locations, as the loader reads them."""
    from drafter.documents.docx_read import paragraph_chars

    return paragraph_chars(p)


def _strip(chars: list[tuple[str, Loc | None]]) -> list[tuple[str, Loc | None]]:
    a, b = 0, len(chars)
    while a < b and chars[a][0].isspace():
        a += 1
    while b > a and chars[b - 1][0].isspace():
        b -= 1
    return chars[a:b]


def _paragraph_line(p, k: int) -> list[tuple[str, Loc | None]]:
    """Line ``k`` of a paragraph (lines split at soft breaks), as ``_Builder.add`` keeps it
    (control characters as spaces, stripped)."""
    lines: list[list[tuple[str, Loc | None]]] = [[]]
    for ch, loc in _pieces(p):
        if ch == "\n":
            lines.append([])
        else:
            lines[-1].append((_CONTROL.sub(" ", ch), loc))
    return _strip(lines[k]) if k < len(lines) else []


def _row_chars(tr) -> list[tuple[str, Loc | None]]:
    """A table row as ``drafter.documents.load`` writes it ("| a | b |"), with locations."""
    from docx.oxml.ns import qn

    from drafter.documents.docx_read import _int_val, _row_cells

    cells: list[list[tuple[str, Loc | None]]] = []
    trPr = tr.find(qn("w:trPr"))
    before = _int_val(trPr, "w:gridBefore") if trPr is not None else 0
    cells.extend([] for _ in range(before))
    for tc in _row_cells(tr):
        tcPr = tc.find(qn("w:tcPr"))
        span = max(1, _int_val(tcPr, "w:gridSpan") or 1) if tcPr is not None else 1
        vmerge = tcPr.find(qn("w:vMerge")) if tcPr is not None else None
        chars: list[tuple[str, Loc | None]] = []
        if not (vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"):
            for p in tc.iter(qn("w:p")):
                chars.extend(_strip(_pieces(p)))
            # a cell's own line breaks are layout (as in report._Builder.add_table)
            text = "".join(ch for ch, _ in chars)
            drop = set()
            for m in re.finditer(r"(?<![^\S\n])[^\S\n]*\n\s*", text):  # each run of blanks with a line break
                drop.update(range(m.start(), m.end()))
            chars = [("｜" if ch == "|" else ch, loc) for i, (ch, loc) in enumerate(chars) if i not in drop]
            chars = _strip(chars)
        cells.append(chars)
        cells.extend([] for _ in range(span - 1))
    row: list[tuple[str, Loc | None]] = [("|", None), (" ", None)]
    for n, cell in enumerate(cells):
        if n:
            row.extend([(" ", None), ("|", None), (" ", None)])
        row.extend(cell)
    row.extend([(" ", None), ("|", None)])
    return _strip([(_CONTROL.sub(" ", ch), loc) for ch, loc in row])


def _map_docx(document, report: Report) -> tuple[list[Loc | None], list[_Unit]]:
    """For each character of ``report.text``, its location in ``document`` (or None)."""
    from docx.oxml.ns import qn

    from drafter.documents.docx_read import _body_items

    items = list(_body_items(document.element.body))
    tables = [el for el in items if el.tag == qn("w:tbl")]
    char_map: list[Loc | None] = [None] * len(report.text)
    units: list[_Unit] = []
    for block in report.blocks:
        chars = _block_chars(block.ref, items, tables)
        want = report.text[block.start : block.end]
        unit = _Unit(block.start, block.end)
        if chars is not None:
            got = "".join(ch for ch, _ in chars)
            if block.kind == "paragraph" and want.endswith(got) and got:
                # a heading's "#" marker or Word's numbering label may stand before the text
                offset = len(want) - len(got)
                pairs = [(block.start + offset + i, loc) for i, (_, loc) in enumerate(chars)]
            elif got == want:
                pairs = [(block.start + i, loc) for i, (_, loc) in enumerate(chars)]
            else:
                pairs = _align(want, chars, block.start)
            for pos, loc in pairs:
                if loc is not None:
                    char_map[pos] = loc
                    unit.locs.append(loc)
        units.append(unit)
    return char_map, units


def _block_chars(ref: str, items: list, tables: list) -> list[tuple[str, Loc | None]] | None:
    from docx.oxml.ns import qn

    m = re.fullmatch(r"p(\d+)(?:\.(\d+))?", ref)
    if m:
        i = int(m.group(1))
        if i < len(items) and items[i].tag == qn("w:p"):
            return _paragraph_line(items[i], int(m.group(2) or 0))
        return None
    m = re.fullmatch(r"t(\d+)r(\d+)", ref)
    if m:
        t, r = int(m.group(1)), int(m.group(2))
        if t < len(tables):
            rows = list(tables[t].iterchildren(qn("w:tr")))
            if r < len(rows):
                return _row_chars(rows[r])
    return None


def _align(want: str, chars: list[tuple[str, Loc | None]], base: int) -> list[tuple[int, Loc | None]]:
    """Fallback when a block's text is not what we rebuild: match characters in order."""
    got = "".join(ch for ch, _ in chars)
    out = []
    for a, b, n in SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks():
        out.extend((base + a + k, chars[b + k][1]) for k in range(n))
    return out


# --- .md/.txt/.pdf: a new document ---------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _layout_text(report: Report):
    """A new document from a text report, and where each character of its text went."""
    from drafter.documents.docx_write import new_document

    document = new_document()
    text = report.text
    char_map: list[Loc | None] = [None] * len(text)
    units: list[_Unit] = []
    for kind, block in blocks(lines_of(text, report.body_start)):
        if kind == "table":
            if block:
                _add_table(document, block, char_map, units)
            continue
        [(start, line)] = block
        m = _HEADING.match(line)
        if m:
            level = len(m.group(1))
            para = document.add_paragraph(style="Title" if level == 1 else f"Heading {min(level - 1, 3)}")
            _fill(para, start + m.start(2), m.group(2), char_map, units, start, start + len(line))
        else:
            para = document.add_paragraph()
            lead = len(line) - len(line.lstrip())
            _fill(para, start + lead, line.strip(), char_map, units, start, start + len(line))
    return document, char_map, units


def _fill(para, start: int, content: str, char_map, units, unit_start: int, unit_end: int) -> None:
    """Runs for ``content`` (which stands at ``start`` in the report's text): "**" markers are
    left out and the text between them is bold."""
    unit = _Unit(unit_start, unit_end)
    pos = 0
    segments: list[tuple[int, str, bool]] = []
    for m in _BOLD.finditer(content):
        if m.start() > pos:
            segments.append((pos, content[pos : m.start()], False))
        segments.append((m.start(1), m.group(1), True))
        pos = m.end()
    if pos < len(content):
        segments.append((pos, content[pos:], False))
    from docx.oxml import OxmlElement

    for offset, piece, bold in segments:
        run = para.add_run()
        if bold:
            run.bold = True
        # one w:t per run, tabs included, so that character k of the piece is character k here
        t = OxmlElement("w:t")
        t.text = _XML_BAD.sub(" ", piece)
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run._r.append(t)
        for k in range(len(piece)):
            loc = (t, k)
            char_map[start + offset + k] = loc
            unit.locs.append(loc)
    units.append(unit)


def _add_table(document, rows: list[tuple[int, str]], char_map, units) -> None:
    parsed = []
    for start, line in rows:
        cells = []
        bars = [k for k, ch in enumerate(line) if ch == "|"]
        for a, b in zip(bars, bars[1:]):
            raw = line[a + 1 : b]
            lead = len(raw) - len(raw.lstrip())
            cells.append((start + a + 1 + lead, raw.strip()))
        parsed.append((start, line, cells))
    width = max(1, max(len(c) for _, _, c in parsed))
    table = document.add_table(rows=len(parsed), cols=width)
    table.style = "Table Grid"
    for r, (start, line, cells) in enumerate(parsed):
        unit = _Unit(start, start + len(line))
        for c, (cstart, content) in enumerate(cells):
            para = table.cell(r, c).paragraphs[0]
            sub: list[_Unit] = []
            _fill(para, cstart, content, char_map, sub, cstart, cstart + len(content))
            unit.locs.extend(sub[0].locs)
        units.append(unit)
    from drafter.documents.docx_write import format_table

    format_table(table)


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


# --- anchoring -----------------------------------------------------------------------------


def _anchor(document, report: Report, findings: list[Finding], char_map: list[Loc | None],
            units: list[_Unit]) -> list[Placement]:
    """Split the runs at every span boundary, then add one comment per finding."""
    plans: list[tuple[Finding, Loc, Loc, bool]] = []
    for f in findings:
        locs = [char_map[i] for i in range(max(0, f.start), min(f.end, len(char_map))) if char_map[i] is not None]
        if locs:
            plans.append((f, locs[0], locs[-1], True))
            continue
        unit = _nearest(units, f.start)
        if unit is None:
            unit = _Unit(0, 0, _fallback_paragraph(document))
        plans.append((f, unit.locs[0], unit.locs[-1], False))
    cuts: dict[object, set[int]] = {}
    for _, (t1, i1), (t2, i2), _ in plans:
        cuts.setdefault(t1, set()).add(i1)
        cuts.setdefault(t2, set()).add(i2 + 1)
    pieces = {t: _cut_all(t, points) for t, points in cuts.items()}

    def piece(loc: Loc):
        t, i = loc
        for start, el in reversed(pieces[t]):
            if start <= i:
                return el
        return t

    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    placements = []
    for f, first, last, exact in plans:
        r1, r2 = piece(first).getparent(), piece(last).getparent()
        runs = [Run(r, Paragraph(_ancestor_p(r), document._body)) for r in (r1, r2)]
        comment = document.add_comment(runs, text=comment_text(f, exact), author=AUTHOR, initials=INITIALS)
        placements.append(Placement(finding=f, comment_id=comment.comment_id, anchored="", exact=exact))
    covered = anchored_texts(document)
    for p in placements:
        p.anchored = covered.get(p.comment_id, "")
    return placements


def _nearest(units: list[_Unit], pos: int) -> _Unit | None:
    """The rendered paragraph containing ``pos``, else the closest one (the one before on a tie)."""
    best, best_d = None, None
    for u in units:
        if not u.locs:
            continue
        d = 0 if u.start <= pos < max(u.end, u.start + 1) else (pos - u.end if pos >= u.end else u.start - pos)
        if best_d is None or d < best_d:
            best, best_d = u, d
    return best


def _fallback_paragraph(document) -> list[Loc]:
    """A document with no text at all: a paragraph at its end to carry the comments."""
    para = document.add_paragraph()
    run = para.add_run("（drafter 审核意见）")
    t = run._r.find(_qn("w:t"))
    return [(t, 0), (t, len(t.text) - 1)]


def _ancestor_p(el):
    from docx.oxml.ns import qn

    while el is not None and el.tag != qn("w:p"):
        el = el.getparent()
    return el


def _split_before(child) -> None:
    """Move ``child`` and what follows it in its run into a new run (same formatting) right
    after, so that a run starts with ``child``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = child.getparent()
    if not any(c.tag != qn("w:rPr") for c in child.itersiblings(preceding=True)):
        return
    new_r = OxmlElement("w:r")
    rpr = r.find(qn("w:rPr"))
    if rpr is not None:
        new_r.append(copy.deepcopy(rpr))
    for c in [child, *child.itersiblings()]:
        new_r.append(c)
    r.addnext(new_r)


def _cut(t, i: int):
    """Make a run boundary before character ``i`` of the text node ``t``; return the text node
    that now starts at ``i`` (``t`` itself when ``i`` is 0, None at the end)."""
    from docx.oxml import OxmlElement

    text = t.text or ""
    if i <= 0:
        _split_before(t)
        return t
    if i >= len(text):
        nxt = t.getnext()
        if nxt is not None:
            _split_before(nxt)
        return None
    new_t = OxmlElement("w:t")
    new_t.text = text[i:]
    t.text = text[:i]
    for el in (t, new_t):
        el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.addnext(new_t)
    _split_before(new_t)
    return new_t


def _cut_all(t, points: set[int]) -> list[tuple[int, object]]:
    """Cut ``t`` at every point (from the last, so earlier indexes stay valid); the pieces
    as (start index in the original text, text node), ascending."""
    pieces = [(0, t)]
    for i in sorted(points, reverse=True):
        el = _cut(t, i)
        if el is not None and el is not t:
            pieces.append((i, el))
    return sorted(pieces, key=lambda x: x[0])
