"""The one ``Report`` model every reader produces, and a report made from a string.

The report's ``text`` is what every offset points into. For text files it is the file's
content (decoded, newlines normalised); for .docx and .pdf it is the text the readers build from
the document: one paragraph per line, table rows as ``| a | b |`` lines.
"""

from __future__ import annotations

import re
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from drafter.errors import InputError
from drafter.safeload import load_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
# Characters that end a line in some exports (form feed from pdftotext, vertical tab from Word,
# Unicode line/paragraph separators): each becomes one "\n", so offsets keep their length.
_LINE_BREAKS = str.maketrans({"\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})



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
    # what the reader could not take in (e.g. words of a PDF page neither in its text nor in a
    # table), one Chinese sentence each naming the place: shown to the user, never dropped
    warnings: list[str] = Field(default_factory=list)

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
            loaded = load_yaml(m.group(1), path, first_line=2)
        except yaml.YAMLError as exc:
            raise InputError(path, f"两行 '---' 之间的元数据头不是有效的 YAML"
                                   f"（{exc.__class__.__name__}）：请修正或删除") from None
        if isinstance(loaded, dict):
            meta = loaded
            body_start = m.end()
    return Report(path=path, format=fmt, text=text, meta=meta, body_start=body_start)


class Builder:
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
            # (each run of blanks with a line break; the lookbehind starts it at the run's start only,
            # so a long run of blanks is read once, not from each of its characters)
            cells = [re.sub(r"(?<![^\S\n])[^\S\n]*\n\s*", "", c or "").replace("|", "｜").strip() for c in row]
            if any(cells):
                self.add("| " + " | ".join(cells) + " |", "table_row", f"{tref}r{r}")

    def text(self) -> str:
        return "".join(self.parts)
