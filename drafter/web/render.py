"""The report on the web page as a document: the metadata header as one small line, Markdown
headings as headings, pipe tables as HTML tables, paragraphs as paragraphs, ``**bold**`` bold,
with the findings' highlights on exactly the characters they cover (the segments of
``service.segments``, whose texts put together are the report's text). Characters that are
markup (``#``, ``|``, ``**``, the ``---`` lines) are not shown; a finding that starts in them
is anchored at the next character shown, so every finding keeps its place. Also: the
placeholders of a draft, and error messages in Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape as _escape

from drafter.text.blocks import blocks, lines_of

_HEADING = re.compile(r"^(#{1,6})[ \t]+")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_PLACEHOLDER = re.compile(r"【待(?:补充|核实)[^】]*】")
META_NAMES = {"unit": "单位", "project": "项目", "year": "年度", "template": "模板", "department": "主管部门"}


def escape(text: str) -> str:
    """``text`` safe in HTML text and attributes (as Jinja escapes: ' is &#39;)."""
    return _escape(text, quote=True).replace("&#x27;", "&#39;")


@dataclass
class _Seg:
    start: int
    end: int
    seg: object  # a service.Segment


class _Writer:
    """Turns ranges of the text into HTML: highlights from the segments, anchors and pins of
    findings placed at the first character shown at or after their start."""

    def __init__(self, segments, findings) -> None:
        self.findings = findings
        self.segs: list[_Seg] = []
        self.events: list[tuple[int, str]] = []  # (position, html) of anchors and pins, in order
        pos = 0
        for s in segments:
            if s.pin:
                self.events.append((pos, self._mark(s, "")))
            else:
                for i in s.starts:
                    self.events.append((pos, f'<span class="anchor" id="q{i}"></span>'))
                self.segs.append(_Seg(pos, pos + len(s.text), s))
            pos += len(s.text)
        self.length = pos
        self.text = "".join(s.text for s in segments)
        self.next_event = 0
        self.seg_index = 0

    def _mark(self, s, text: str) -> str:
        f = self.findings
        first = f[s.primary]
        rules = " ".join(f[i].rule for i in s.ids)
        title = "\n".join(f"{f[i].rule}：{f[i].message}" for i in s.ids)
        return (f'<mark class="hl cat-{first.category} lvl-{first.level.value}{" pin" if s.pin else ""}" '
                f'data-f="{" ".join(map(str, s.ids))}" data-rules="{escape(rules)}" title="{escape(title)}">'
                f"{escape(text)}</mark>")

    def events_before(self, end: int) -> str:
        out = []
        while self.next_event < len(self.events) and self.events[self.next_event][0] < end:
            out.append(self.events[self.next_event][1])
            self.next_event += 1
        return "".join(out)

    def span(self, a: int, b: int) -> str:
        """The characters ``a``..``b`` of the text as HTML (anchors of findings that start
        before ``b`` and were not placed yet go first, where they start)."""
        out = []
        pos = a
        while self.seg_index < len(self.segs) and self.segs[self.seg_index].end <= a:
            self.seg_index += 1
        k = self.seg_index
        while pos < b and k < len(self.segs):
            seg = self.segs[k]
            if seg.end <= pos:
                k += 1
                continue
            out.append(self.events_before(pos + 1))
            stop = min(b, seg.end)
            piece = self.text[pos:stop]
            out.append(self._mark(seg.seg, piece) if seg.seg.ids else escape(piece))
            pos = stop
            if stop == seg.end:
                k += 1
        out.append(self.events_before(b))
        return "".join(out)

    def inline(self, a: int, b: int) -> str:
        """``span`` with Markdown's ``**bold**`` shown bold (the asterisks are markup)."""
        out, pos = [], a
        for m in _BOLD.finditer(self.text, a, b):
            out.append(self.span(pos, m.start()))
            out.append(f"<strong>{self.span(m.start(1), m.end(1))}</strong>")
            pos = m.end()
        out.append(self.span(pos, b))
        return "".join(out)

    def rest(self) -> str:
        return self.events_before(self.length + 1)


def _front_matter(lines: list[tuple[int, str]]) -> int:
    """The number of lines of a ``---`` metadata header at the top (0 when there is none)."""
    if not lines or lines[0][1].strip() != "---":
        return 0
    for n, (_, line) in enumerate(lines[1:], 1):
        if line.strip() == "---":
            return n + 1
    return 0


def document(segments, findings) -> str:
    """The report (the text of ``segments``) as HTML (escaped here: the template shows it as
    it is): see the module's description."""
    w = _Writer(segments, findings)
    lines = lines_of(w.text)
    out: list[str] = []
    head = _front_matter(lines)
    if head:
        items = []
        for start, line in lines[1 : head - 1]:
            key, sep, value = line.partition(":")
            if not sep or not value.strip():
                continue
            label = META_NAMES.get(key.strip(), key.strip())
            vstart = start + len(key) + 1 + (len(value) - len(value.lstrip()))
            items.append(f'<span class="meta-item"><span class="meta-key">{escape(label)}</span> '
                         f"{w.span(vstart, start + len(line.rstrip()))}</span>")
        out.append(f'<p class="meta" id="report-meta">{"".join(items)}</p>')
    for kind, block in blocks(lines[head:]):
        if kind == "table":
            out.append(_table(w, block))
            continue
        [(start, line)] = block
        m = _HEADING.match(line)
        lead = len(line) - len(line.lstrip())
        end = start + len(line.rstrip())
        if m:
            level = min(len(m.group(1)), 4)
            out.append(f'<h{level + 1} class="doc-h doc-h{level}">{w.inline(start + m.end(), end)}</h{level + 1}>')
        elif _NUMBERED.match(line) and len(line.strip()) <= 30 and not line.rstrip().endswith("。"):
            level = 2 if re.match(r"^\s*[一二三四五六七八九十]", line) else 3
            out.append(f'<h{level + 1} class="doc-h doc-h{level}">{w.inline(start + lead, end)}</h{level + 1}>')
        else:
            out.append(f"<p>{w.inline(start + lead, end)}</p>")
    out.append(w.rest())
    return "\n".join(out)


def _table(w: _Writer, rows: list[tuple[int, str]]) -> str:
    html = ['<div class="doc-table-wrap"><table class="doc-table">']
    for r, (start, line) in enumerate(rows):
        bars = [k for k, ch in enumerate(line) if ch == "|"]
        cells = []
        tag = "th" if r == 0 and len(rows) > 1 else "td"
        for a, b in zip(bars, bars[1:]):
            raw = line[a + 1 : b]
            lead = len(raw) - len(raw.lstrip())
            cstart = start + a + 1 + lead
            cend = cstart + len(raw.strip())
            cells.append(f"<{tag}>{w.inline(cstart, cend)}</{tag}>")
        html.append(f"<tr>{''.join(cells)}</tr>")
    html.append("</table></div>")
    return "".join(html)


def placeholders(segments) -> int:
    """How many 【待补充……】/【待核实……】 placeholders the text holds."""
    return len(_PLACEHOLDER.findall("".join(s.text for s in segments)))
