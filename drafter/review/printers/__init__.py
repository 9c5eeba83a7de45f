"""Printers for review results, one module each, and ONE table of them keyed by the
``--format`` name: ``PRINTERS[fmt].render(results, reports=…, console=…, output=…, single=…)``
returns the text to print on stdout, or None when the printer wrote itself (rich on the
console). A printer's module is imported when it is first used (rich and python-docx are not
needed for JSON).

The old names stay importable from here: ``to_json``, ``to_lines``, ``to_markdown``,
``print_rich``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from drafter.errors import DrafterError
from drafter.findings import ReviewResult
from drafter.review.printers.json import to_json
from drafter.review.printers.line import to_lines
from drafter.review.printers.md import to_markdown


@dataclass(frozen=True)
class Printer:
    name: str  # the --format name
    help: str
    module: str  # drafter.review.printers.<module> has render(results, **options)
    to_file: bool = False  # writes -o OUTPUT instead of printing

    def render(self, results: list[ReviewResult], *, reports=(), console=None, output=None,
               single: bool = True) -> str | None:
        module = importlib.import_module(f"{__name__}.{self.module}")
        return module.render(results, reports=reports, console=console, output=output, single=single)


PRINTERS: dict[str, Printer] = {p.name: p for p in (
    Printer("rich", "findings grouped by category, the quote highlighted (the default)", "rich"),
    Printer("line", "one path:line:col:rule:message line per finding", "line"),
    Printer("json", "the JSON interface: one object per file", "json"),
    Printer("md", "Markdown: a table of findings per category", "md"),
    Printer("docx", "a copy of the report with a Word comment per finding (-o OUT.docx)", "docx", to_file=True),
)}
FORMATS: tuple[str, ...] = tuple(PRINTERS)


def render(fmt: str, results: list[ReviewResult], **options) -> str | None:
    """Render ``results`` with the printer named ``fmt`` (see ``Printer.render``)."""
    if fmt not in PRINTERS:
        raise DrafterError(f"未知的输出格式 {fmt}（可选：{'、'.join(FORMATS)}）")
    return PRINTERS[fmt].render(results, **options)


def print_rich(results: list[ReviewResult], texts: dict[str, str], console) -> None:
    """The rich printer with the texts by file name (the quotes' surroundings)."""
    from drafter.review.printers.rich import print_rich as run

    run(results, texts, console)


__all__ = ["FORMATS", "PRINTERS", "Printer", "print_rich", "render", "to_json", "to_lines", "to_markdown"]
