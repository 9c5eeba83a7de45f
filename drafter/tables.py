"""Pipe tables (Markdown, or the rows we build from .docx/.pdf tables) with cell spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass
class Cell:
    text: str
    start: int  # analysis offsets of the stripped cell text
    end: int


@dataclass
class Table:
    header: list[Cell]
    rows: list[list[Cell]] = field(default_factory=list)
    start: int = 0
    end: int = 0

    def column(self, *keywords: str, exclude: tuple[str, ...] = ()) -> int | None:
        """Index of the first header cell containing any keyword (and none of ``exclude``)."""
        for i, c in enumerate(self.header):
            if any(k in c.text for k in keywords) and not any(x in c.text for x in exclude):
                return i
        return None

    @property
    def header_text(self) -> str:
        return " ".join(c.text for c in self.header)


def _cells(text: str, start: int, end: int) -> list[Cell]:
    line = text[start:end]
    first = line.index("|")
    last = line.rindex("|")
    out = []
    pos = start + first + 1
    for part in line[first + 1 : last].split("|"):
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        out.append(Cell(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(part) + 1
    return out


def _is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line.replace("|", "", 1))) and set(line.strip()) <= set("|-: ")


def read_tables(analysis) -> list[Table]:
    """Consecutive pipe rows form a table; a blank line in the original text, or a row
    followed by a ``|---|`` separator (a Markdown header), starts a new one."""
    tables: list[Table] = []
    current: Table | None = None
    lines = analysis.lines
    original = analysis.report.text
    for i, line in enumerate(lines):
        if not line.is_table:
            current = None
            continue
        if _is_separator(line.text):
            continue
        header_next = i + 1 < len(lines) and lines[i + 1].is_table and _is_separator(lines[i + 1].text)
        cells = _cells(analysis.text, line.start, line.end)
        if current is not None and not header_next:
            gap = original[analysis.to_orig(current.end) : analysis.to_orig(line.start)]
            if _BLANK_LINE.search(gap):
                current = None
        if current is None or header_next:
            current = Table(header=cells, start=line.start, end=line.end)
            tables.append(current)
        else:
            current.rows.append(cells)
            current.end = line.end
    return tables
