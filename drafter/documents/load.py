"""Loading reports from .md/.txt/.docx/.pdf into one ``Report`` model, and the one place that
turns the paths a user gives (files and folders) into report files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from drafter.documents.decode import binary_problem, decode, sniff
from drafter.documents.docx_read import read_docx
from drafter.documents.pdf_read import read_pdf
from drafter.documents.report import Block, Report, from_text
from drafter.errors import InputError

__all__ = ["Block", "MAX_BYTES", "MAX_CHARS", "REPORT_SUFFIXES", "Report", "SUFFIXES", "expand", "from_text", "load",
           "reports_in"]

REPORT_SUFFIXES = (".docx", ".pdf", ".md", ".markdown", ".txt", ".text")  # what a report file may be
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
SUFFIXES = set(REPORT_SUFFIXES)
MAX_BYTES = 20 * 1024 * 1024
MAX_CHARS = 10_000_000  # the text of one report (the longest real ones have about 100,000)

# What to tell a user whose file has a type we do not read.
_TYPE_HINTS = {
    ".doc": "an old Word file: open it in Word or WPS and save it as .docx",
    ".wps": "a WPS file: save it as .docx",
    ".rtf": "save it as .docx",
    ".xls": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".xlsx": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".et": "a spreadsheet is not a report: export the report as .docx or .pdf",
    ".ofd": "export the OFD file as .pdf",
}


def expand(paths: Iterable[str | Path]) -> tuple[list[str], list[str]]:
    """The report files the paths stand for, and the folders among them that hold none: a file
    stays as given (it may not exist: ``load`` says so), a folder becomes the reports inside it
    (recursively, sorted; Word's ``~$`` lock files skipped). The one place that does this."""
    files: list[str] = []
    empty: list[str] = []
    for p in paths:
        if Path(p).is_dir():
            found = [str(f) for f in reports_in(p)]
            files.extend(found)
            if not found:
                empty.append(str(p))
        else:
            files.append(str(p))
    return files, empty


def reports_in(folder: str | Path) -> list[Path]:
    """The report files in a folder, recursively and sorted; Word's ``~$`` lock files skipped."""
    return [f for f in sorted(Path(folder).rglob("*"))
            if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("~$")]


def load(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Report:
    """Load one report; every problem is an ``InputError`` naming the file."""
    p = Path(path)
    name = str(path)
    try:
        if not p.exists():
            raise InputError(name, "no such file")
        if p.is_dir():
            raise InputError(name, "is a folder, not a report file")
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(name, f"cannot open the file ({exc.strerror or exc.__class__.__name__})") from None
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        hint = _TYPE_HINTS.get(suffix)
        raise InputError(name, f"unknown file type '{p.suffix or '(none)'}' "
                               f"(use .md, .txt, .docx or .pdf{'; ' + hint if hint else ''})")
    if p.name.startswith("~$"):
        raise InputError(name, "this is a lock file that Word or WPS leaves while the document is open, not a report")
    if size == 0:
        raise InputError(name, "the file is empty")
    if size > max_bytes:
        raise InputError(
            name, f"the file is too large ({size / 1048576:.1f} MB; "
                  f"the limit is {max_bytes / 1048576:g} MB, raise it with --max-mb)"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    if suffix == ".docx":
        report = read_docx(data, name)
    elif suffix == ".pdf":
        report = read_pdf(data, name)
    else:
        if sniff(data):
            raise InputError(name, binary_problem(data))
        report = from_text(decode(data, name), name, "md" if suffix in {".md", ".markdown"} else "txt")
    if not report.text[report.body_start :].strip():
        raise InputError(name, "the report has no text")
    if len(report.text) > MAX_CHARS:
        raise InputError(name, f"报告文字过多（{len(report.text):,} 字，上限 {MAX_CHARS:,} 字）：一份报告用不了这么多，"
                               "请只审核报告本身")
    return report
