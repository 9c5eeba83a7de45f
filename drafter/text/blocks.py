"""A Markdown report's lines as blocks, with their offsets in the text: runs of pipe-table rows
(separator rows left out) and single lines; blank lines skipped. The web page's document view
and the Word copy of a text report both lay a report out from these."""

from __future__ import annotations

import re
from collections.abc import Iterator

TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_SEP = re.compile(r"^\s*\|?[\s:\-|]+\|?\s*$")

Line = tuple[int, str]  # (offset of the line in the text, the line without its "\n")


def lines_of(text: str, start: int = 0) -> list[Line]:
    """The lines of ``text`` with their offsets, those that begin before ``start`` left out."""
    out, pos = [], 0
    for line in text.split("\n"):
        if pos >= start:
            out.append((pos, line))
        pos += len(line) + 1
    return out


def blocks(lines: list[Line]) -> Iterator[tuple[str, list[Line]]]:
    """("table", its rows) for each run of pipe-table rows (the rows may be none: a run of
    separator rows only), ("line", [the line]) for each other non-blank line, in order."""
    i = 0
    while i < len(lines):
        line = lines[i][1]
        if not line.strip():
            i += 1
        elif TABLE_ROW.match(line):
            rows = []
            while i < len(lines) and TABLE_ROW.match(lines[i][1]):
                if not TABLE_SEP.match(lines[i][1]):
                    rows.append(lines[i])
                i += 1
            yield "table", rows
        else:
            yield "line", [lines[i]]
            i += 1
