"""The analysis view of a report: paragraphs broken across page breaks joined, Markdown
emphasis and pinyin annotations dropped, real input made uniform (``drafter.text.normalise``:
full-width digits, half-width punctuation, traditional characters), a section tree, sentences
and figures, all in *analysis* offsets that map back to the original text for findings.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from drafter.documents.load import Report
from drafter.findings import Finding, Level
from drafter.text.normalise import fold, pinyin_spans
from drafter.text.numerals import counter_value

# Full-width digits, percent sign, dot and comma fold 1:1 to ASCII in the analysis text.
TERMINAL = "。！？；：:!?;…"
_CLOSERS = "”’」』）)》】]］"
# Markdown emphasis markers, dropped; but asterisks right after a bound and before a unit are a
# blank left in a form ("≥**人"), not emphasis
_EMPH = re.compile(r"(?<![≥≤≧≦><＞＜])\*\*|\*\*(?![\u4e00-\u9fff])|__")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_FIELD = re.compile(r"^[^，。：:\s]{1,10}[：:]")
_TITLE_END = re.compile(r"(?:报告|自评表|评价表|自评|总结)$")  # a title line: 南县……绩效自评报告
_URL_END = re.compile(r"(?:https?://|www\.)\S+$")  # a page's address ends its line
_CELL_GAP = re.compile(r"\S[ \t\u3000]+(?=\S)")  # cells of a flattened table row, apart
_CN_NUM = "一二三四五六七八九十"
_HEADINGS = [
    (1, re.compile(rf"^([{_CN_NUM}]{{1,3}})\s*[、．.]\s*(.+)$")),
    (2, re.compile(rf"^[（(]\s*([{_CN_NUM}]{{1,3}})\s*[)）]\s*[、.．]?\s*(.+)$")),
    (3, re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.+)$")),
    (4, re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*[、.．]?\s*(.+)$")),
]
_LABEL_FORMAT = {1: "{}", 2: "（{}）", 3: "{}", 4: "（{}）"}
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")


@dataclass
class Segment:
    a_start: int
    o_start: int
    length: int


@dataclass
class Line:
    start: int  # analysis offsets, end exclusive, without the newline
    end: int
    text: str
    heading: int = 0  # level of a recognised numbered heading, 0 otherwise
    is_table: bool = False
    label: str = ""  # the heading's number as a section label, e.g. "（二）"
    title: str = ""  # the heading's text without its number


@dataclass
class Section:
    key: str  # e.g. "二/（二）/1"
    label: str  # e.g. "（二）"
    title: str  # heading text without its number
    level: int
    heading_start: int
    heading_end: int
    end: int  # end of the section's body (analysis offsets)
    children: list["Section"] = field(default_factory=list)
    parent: "Section | None" = field(default=None, repr=False)

    @property
    def body_start(self) -> int:
        return self.heading_end

    def titles(self) -> list[str]:
        """Titles of this section and its ancestors, innermost first."""
        out, s = [], self
        while s is not None:
            out.append(s.title)
            s = s.parent
        return out


@dataclass
class Sentence:
    start: int
    end: int
    text: str


class Analysis:
    """Everything the rules look at. Offsets are analysis offsets unless a name says ``orig``."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.text, self.segments = _build_analysis_text(report)
        self._seg_starts = [s.a_start for s in self.segments]
        self.lines = _lines(self.text)
        self.sections = _section_tree(self.lines, len(self.text))
        self._line_starts_orig = [0] + [m.end() for m in re.finditer("\n", report.text)]
        self.year = report.year or _year_of_figures(self.text)

    # --- offsets ----------------------------------------------------------------------
    def to_orig(self, a: int) -> int:
        if not self.segments:
            return self.report.body_start
        i = max(0, bisect_right(self._seg_starts, a) - 1)
        seg = self.segments[i]
        return seg.o_start + min(a - seg.a_start, seg.length)

    def orig_span(self, a_start: int, a_end: int) -> tuple[int, int]:
        start = self.to_orig(a_start)
        end = self.to_orig(a_end - 1) + 1 if a_end > a_start else start
        return start, end

    def line_col(self, orig: int) -> tuple[int, int]:
        i = bisect_right(self._line_starts_orig, orig) - 1
        return i + 1, orig - self._line_starts_orig[i] + 1

    def finding(self, rule, a_start: int, a_end: int, message: str, evidence: str = "", suggestion: str = "",
                level: Level | None = None) -> Finding:
        """A finding for ``rule`` (a loaded Rule) quoting analysis span ``[a_start, a_end)``."""
        a_start, a_end = self.trim(a_start, a_end)
        start, end = self.orig_span(a_start, a_end)
        line, col = self.line_col(start)
        return Finding(
            rule=rule.id,
            category=rule.category,
            level=level or rule.level,
            message=message,
            quote=self.report.text[start:end],
            start=start,
            end=end,
            line=line,
            col=col,
            evidence=evidence,
            suggestion=suggestion or rule.suggestion,
        )

    def trim(self, a: int, b: int) -> tuple[int, int]:
        while a < b and self.text[a] in " \t\n#\u3000":
            a += 1
        while b > a and self.text[b - 1] in " \t\n\u3000":
            b -= 1
        return a, b

    @cached_property
    def _line_starts(self) -> list[int]:
        return [line.start for line in self.lines]

    def lines_from(self, a: int, b: int) -> list[Line]:
        """The lines starting inside ``[a, b)``."""
        return self.lines[bisect_left(self._line_starts, a) : bisect_left(self._line_starts, b)]

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    def line_start(self, a: int) -> int:
        """The start of the line holding ``a``: ``text.rfind("\\n", 0, a) + 1``, by bisection (a
        search back from every figure of one long line is quadratic)."""
        i = bisect_left(self._newlines, a)
        return self._newlines[i - 1] + 1 if i else 0

    # --- structure --------------------------------------------------------------------
    @cached_property
    def all_sections(self) -> list[Section]:
        out: list[Section] = []

        def walk(nodes: list[Section]) -> None:
            for s in nodes:
                out.append(s)
                walk(s.children)

        walk(self.sections)
        return out

    @cached_property
    def _section_starts(self) -> list[int]:
        return [s.heading_start for s in self.all_sections]

    def section_at(self, a: int) -> Section | None:
        """The innermost section whose heading or body contains ``a``: sections nest, so it is
        the last one starting at or before ``a`` that has not ended yet."""
        i = bisect_right(self._section_starts, a) - 1
        while i >= 0:
            s = self.all_sections[i]
            if a < s.end:
                return s
            i -= 1
        return None

    @cached_property
    def sentences(self) -> list[Sentence]:
        out = []
        for line in self.lines:
            if line.heading or line.is_table:
                continue
            pos = line.start
            for m in _SENTENCE_END.finditer(self.text, line.start, line.end):
                _add_sentence(out, self.text, pos, m.start())
                pos = m.end()
            _add_sentence(out, self.text, pos, line.end)
        return out

    # Sentences are in order and do not overlap, so their starts and their ends are both sorted:
    # the sentences of a span are found by bisection, not by reading them all for each span.
    @cached_property
    def sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    @cached_property
    def _sentence_ends(self) -> list[int]:
        return [s.end for s in self.sentences]

    def sentences_in(self, a: int, b: int) -> list[Sentence]:
        """The sentences lying wholly inside ``[a, b)``."""
        lo, hi = bisect_left(self.sentence_starts, a), bisect_right(self._sentence_ends, b)
        return self.sentences[lo:hi] if lo < hi else []

    def sentences_overlapping(self, a: int, b: int) -> list[Sentence]:
        """The sentences with a character inside ``[a, b)``."""
        lo, hi = bisect_right(self._sentence_ends, a), bisect_left(self.sentence_starts, b)
        return self.sentences[lo:hi] if lo < hi else []

    def sentence_at(self, pos: int) -> Sentence | None:
        """The sentence holding the character at ``pos``, or None."""
        i = bisect_right(self.sentence_starts, pos) - 1
        return self.sentences[i] if i >= 0 and pos < self.sentences[i].end else None

    @cached_property
    def figures(self):
        from drafter.text.figures import extract

        return extract(self.text)

    @cached_property
    def budget(self):
        from drafter.analysis.budget import read_budget

        return read_budget(self)

    @cached_property
    def tables(self):
        from drafter.text.tables import read_tables

        return read_tables(self)

    @cached_property
    def _figure_starts(self) -> list[int]:
        return [f.start for f in self.figures]

    @cached_property
    def sentence_figures(self) -> list[tuple[Sentence, list]]:
        """Each sentence with the figures lying wholly inside it, in one pass."""
        out, figs, i = [], self.figures, 0
        for sent in self.sentences:
            while i < len(figs) and figs[i].start < sent.start:
                i += 1
            j = i
            while j < len(figs) and figs[j].start < sent.end:
                j += 1
            out.append((sent, [f for f in figs[i:j] if f.end <= sent.end]))
            i = j
        return out

    def figures_in(self, a: int, b: int):
        """Figures lying wholly inside ``[a, b)`` (figures are sorted by start)."""
        lo = bisect_left(self._figure_starts, a)
        hi = bisect_left(self._figure_starts, b)
        return [f for f in self.figures[lo:hi] if f.end <= b]

    def figures_before(self, pos: int, max_gap: int):
        """Figures ending at or before ``pos`` and at most ``max_gap`` characters before it."""
        hi = bisect_left(self._figure_starts, pos)
        return [f for f in self.figures[max(0, hi - 8) : hi] if f.end <= pos and pos - f.end <= max_gap]


def _add_sentence(out: list[Sentence], text: str, a: int, b: int) -> None:
    while a < b and text[a] in " \t　":
        a += 1
    while b > a and text[b - 1] in " \t　":
        b -= 1
    if b > a:
        out.append(Sentence(a, b, text[a:b]))


def _build_analysis_text(report: Report) -> tuple[str, list[Segment]]:
    """Copy the body into the analysis text, dropping emphasis markers and joining paragraphs
    that a page break cut in two (a long line with no closing punctuation followed by a line
    that is neither a heading nor a table row)."""
    text = report.text
    # the fold is 1:1, so the folded text shares the original's offsets; pinyin after characters
    # (項(xiàng)目) is dropped like emphasis markers
    folded = fold(text, report.body_start)
    dropped = sorted([*((m.start(), m.end()) for m in _EMPH.finditer(text, report.body_start)),
                      *pinyin_spans(text, report.body_start)])
    raw_lines: list[tuple[int, int]] = []  # (orig start, orig end) of non-empty lines
    pos = report.body_start
    newline_at: dict[int, int] = {}  # stripped line end -> its newline's offset
    for line in text[report.body_start :].split("\n"):
        end = pos + len(line)
        if line.strip():
            # trailing blanks (a Markdown hard break, full-width spaces) would sit inside a
            # paragraph joined across a page break
            stripped = pos + len(line.rstrip())
            raw_lines.append((pos, stripped))
            newline_at[stripped] = end
        pos = end + 1

    pieces: list[str] = []
    segments: list[Segment] = []
    a = 0

    def copy(o_start: int, o_end: int) -> None:
        nonlocal a
        last = o_start
        # by index from the first span at or after the line: a slice copied the rest of the
        # list for every line, quadratic in a long report with many emphasis marks
        for i in range(bisect_left(dropped, (o_start, -1)), len(dropped)):
            d_start, d_end = dropped[i]
            if d_start >= o_end:
                break
            if d_end > o_end:
                continue
            if d_start > last:
                _emit(last, d_start)
            last = d_end
        if o_end > last:
            _emit(last, o_end)

    def _emit(o_start: int, o_end: int) -> None:
        nonlocal a
        chunk = folded[o_start:o_end]
        segments.append(Segment(a, o_start, len(chunk)))
        pieces.append(chunk)
        a += len(chunk)

    for i, (s, e) in enumerate(raw_lines):
        if i:
            prev_s, prev_e = raw_lines[i - 1]
            prev, line = text[prev_s:prev_e], text[s:e]
            if _joins(prev, line):
                s += len(line) - len(line.lstrip())
                if _cells(prev) or _cells(line):
                    # a flattened table row cut by the page: its last cell and the next line's
                    # first are two cells, not one word
                    segments.append(Segment(a, newline_at[prev_e], 1))
                    pieces.append(" ")
                    a += 1
            else:
                segments.append(Segment(a, newline_at[prev_e], 1))
                pieces.append("\n")
                a += 1
        copy(s, e)
    if raw_lines:
        segments.append(Segment(a, newline_at[raw_lines[-1][1]], 1))
        pieces.append("\n")
    return "".join(pieces), segments


# a year that opens a clause about the money: 2024年结转……资金, 2023年中央下达……预算资金
_MONEY_YEAR = re.compile(r"(20\d\d)\s*年(?!度?[)）])[^，。；\n]{0,30}?(?:预算|支出|执行|结转|下达|支付|拨付|到位)")


def _year_of_figures(text: str) -> int | None:
    """The year of a report that does not name its own: the latest year its money is written
    for (a two-year project's report gives 2023's figures as history beside 2024's)."""
    years = {int(m.group(1)) for m in _MONEY_YEAR.finditer(text)}
    return max(years) if len(years) >= 2 else None


def _plain(line: str) -> str:
    return _EMPH.sub("", _MD_HEADING.sub("", line)).strip()


def _cells(line: str) -> bool:
    """The line is cells set apart by blanks (a table row flattened by a paste), not prose (which
    a PDF also spaces, around its figures, but punctuates)."""
    line = line.strip()
    return len(_CELL_GAP.findall(line)) >= 2 and not any(c in line for c in "，,。；;")


def _joins(prev: str, nxt: str) -> bool:
    p, n = _plain(prev), _plain(nxt)
    if not p or not n or _MD_HEADING.match(prev) or _MD_HEADING.match(nxt):
        return False
    if _TABLE_ROW.match(prev) or _TABLE_ROW.match(nxt):
        return False
    if len(p) < 15 or p[-1] in TERMINAL or _URL_END.search(p) or (len(p) <= 50 and _TITLE_END.search(p)):
        return False
    # a closing bracket or quote ends a title or a cover-page line, but inside prose (a line
    # with a clause break) a paragraph can be cut right after one
    if p[-1] in _CLOSERS and not ("，" in p and p[-1] in "”’」』"):
        return False
    if _heading_of(n)[0] or _heading_of(p)[0] or _FIELD.match(n) or (_FIELD.match(p) and len(p) < 30):
        return False
    if _item_number(n) or _BARE_NUMBER.match(n):
        return False  # "2、公立医院能力提升项目……" opens the next item, whatever the line before
    if _cells(p) and _cells(n):
        return False  # two rows of a flattened table, one a line
    return True


def _heading_of(plain: str, md: bool = False) -> tuple[int, str, str]:
    """(level, label, title) of a numbered heading line, or (0, '', '')."""
    for level, rx in _HEADINGS:
        m = rx.match(plain)
        if not m:
            continue
        title = m.group(2).strip()
        core = title.rstrip("。.：:")
        label = _LABEL_FORMAT[level].format(m.group(1))
        if md:
            return level, label, core
        # a numbered line with a comma that ends in 。 is a sentence ("（四）监控不够及时，跟踪不够。")
        sentence = "，" in core and title.endswith("。")
        if (level <= 2 and core and len(core) <= 40 and not re.search("[。；;]", core)
                and (len(core) <= 30 or "，" not in core) and not sentence):
            return level, label, core
        if level >= 3 and core and len(core) <= 16 and "，" not in core and "。" not in core:
            return level, label, core
        return 0, "", ""
    return 0, "", ""


def _item_number(plain: str) -> tuple[int, str, int] | None:
    """(level, delimiter kind, value) of a line that starts with list/heading numbering,
    whatever its length."""
    for level, rx in _HEADINGS:
        m = rx.match(plain)
        if m:
            value = counter_value(m.group(1)) if level <= 2 else int(m.group(1))
            if value is None:
                return None
            delim = plain[m.end(1) : m.end(1) + 2].strip()[:1] if level in (1, 3) else "()"
            return level, "." if delim in ".．" else delim, value
    return None


_LEAD_IN = re.compile(r"(?:[：:]|主要职责|主要职能|职责如下|如下)$")


def _lines(text: str) -> list[Line]:
    out = []
    plains: list[str] = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        if raw.strip():
            md = bool(_MD_HEADING.match(raw))
            plain = _plain(raw)
            is_table = bool(_TABLE_ROW.match(raw))
            level, label, title = (0, "", "") if is_table else _heading_of(plain, md)
            if not level and not is_table and out and not out[-1].heading and _BARE_NUMBER.match(plains[-1]):
                # a PDF put the heading's number on a line of its own: "（三）" then "存在问题。"
                level, label, title = _heading_of(plains[-1].strip() + plain)
            out.append(Line(pos, end, raw, heading=level, is_table=is_table, label=label, title=title))
            plains.append(plain)
        pos = end + 1
    _unmark_lists(out, plains)
    return out


_BARE_NUMBER = re.compile(rf"^\s*(?:[（(]\s*[{_CN_NUM}]{{1,3}}\s*[)）]|[{_CN_NUM}]{{1,3}}\s*[、．.]"
                          r"|[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.．、])\s*$")


def _unmark_lists(lines: list[Line], plains: list[str]) -> None:
    """Numbered items that follow each other with no text between them are a list (the
    "主要职责：1、… 2、…" duties, problems "1、…。2、…。"), not headings: arabic-numbered runs
    always, Chinese-numbered runs when a line ending in "：" introduces them. Markdown
    headings stay headings."""
    numbers = [None if ln.is_table or _MD_HEADING.match(ln.text) else _item_number(p) for ln, p in zip(lines, plains)]
    i = 0
    while i < len(lines):
        num = numbers[i]
        if num is None:
            i += 1
            continue
        j = i
        while (j + 1 < len(lines) and numbers[j + 1] is not None and numbers[j + 1][:2] == num[:2]
               and numbers[j + 1][2] == numbers[j][2] + 1):
            j += 1
        if j > i:
            prev = lines[i - 1] if i else None
            lead_in = (prev is not None and not prev.heading and not prev.is_table
                       and bool(_LEAD_IN.search(plains[i - 1])))
            if num[0] >= 3 or lead_in:
                for k in range(i, j + 1):
                    lines[k].heading, lines[k].label, lines[k].title = 0, "", ""
        i = j + 1


def _section_tree(lines: list[Line], total: int) -> list[Section]:
    roots: list[Section] = []
    stack: list[Section] = []
    for line in lines:
        if not line.heading:
            continue
        level, label, title = line.heading, line.label, line.title
        while stack and stack[-1].level >= level:
            stack.pop().end = line.start
        parent = stack[-1] if stack else None
        key = (parent.key + "/" if parent else "") + label
        sec = Section(key, label, title, level, line.start, line.end, total, parent=parent)
        (parent.children if parent else roots).append(sec)
        stack.append(sec)
    for s in stack:
        s.end = total
    return roots
