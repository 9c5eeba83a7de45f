"""Loading reports from .md/.txt/.docx/.pdf into one ``Report`` model, and the one place that
turns the paths a user gives (files and folders) into report files."""

from __future__ import annotations

import errno
import os
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
    ".doc": "这是旧版 Word 文件：请用 Word 或 WPS 另存为 .docx",
    ".wps": "这是 WPS 文件：请另存为 .docx",
    ".rtf": "请另存为 .docx",
    ".xls": "表格不是报告：请把报告导出为 .docx 或 .pdf",
    ".xlsx": "表格不是报告：请把报告导出为 .docx 或 .pdf",
    ".et": "表格不是报告：请把报告导出为 .docx 或 .pdf",
    ".ofd": "请把 OFD 文件导出为 .pdf",
}


def expand(paths: Iterable[str | Path]) -> tuple[list[str], list[str], list[InputError]]:
    """The report files the paths stand for, the folders among them that hold none, and what
    inside the folders could not be used (``reports_in``): a file stays as given (it may not
    exist: ``load`` says so), a folder becomes the reports inside it. The one place that does this."""
    files: list[str] = []
    empty: list[str] = []
    unusable: list[InputError] = []
    for p in paths:
        if Path(p).is_dir():
            found, problems = reports_in(p)
            files.extend(str(f) for f in found)
            unusable.extend(problems)
            if not found and not problems:
                empty.append(str(p))
        else:
            files.append(str(p))
    return files, empty, unusable


def reports_in(folder: str | Path) -> tuple[list[Path], list[InputError]]:
    """The report files in a folder, recursively and sorted (Word's ``~$`` lock files skipped;
    linked folders followed, each real folder once), and an ``InputError`` for each thing in it
    that could not be used: a folder that cannot be read, a symbolic link that loops (to itself,
    or to a folder it is in) or that points at nothing where a report was named."""
    files: list[Path] = []
    unusable: list[InputError] = []
    root = Path(folder)
    try:
        start = _identity(root)
    except OSError as exc:
        return [], [InputError(str(root), _link_problem(exc))]
    found_in: dict[tuple, tuple | None] = {start: None}  # each folder walked: the folder it was found in
    todo = [(root, start)]
    while todo:
        folder, here = todo.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            unusable.append(InputError(str(folder), f"无法读取这个文件夹（{exc.strerror or exc.__class__.__name__}），"
                                                    "其中的文件无法使用"))
            continue
        below = []
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
                where = _identity(path) if is_dir else None
            except OSError as exc:  # ELOOP: a link to itself, or round a chain of links
                unusable.append(InputError(str(path), _link_problem(exc)))
                continue
            if is_dir:
                if where not in found_in:
                    found_in[where] = here
                    below.append((path, where))
                elif _is_above(where, here, found_in):
                    unusable.append(InputError(str(path), _LOOP_UP))
                # else: a second way into a folder walked already; its reports are listed once
            elif entry.name.startswith("~$") or Path(entry.name).suffix.lower() not in SUFFIXES:
                continue
            elif is_file:
                files.append(path)
            elif entry.is_symlink():
                unusable.append(InputError(str(path), "符号链接指向的文件不存在，无法使用"))
        todo.extend(reversed(below))
    return sorted(files), unusable


def _is_above(folder: tuple, here: tuple | None, found_in: dict) -> bool:
    """Whether ``folder`` is ``here`` or a folder that ``here`` was found in, however far up."""
    while here is not None:
        if here == folder:
            return True
        here = found_in[here]
    return False


_LOOP_UP = "符号链接成环（指向它所在的文件夹或更上层的文件夹），无法使用"


def _identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _link_problem(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "符号链接成环（指向它自己），无法使用"
    return f"无法读取（{exc.strerror or exc.__class__.__name__}），无法使用"


def load(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Report:
    """Load one report; every problem is an ``InputError`` naming the file."""
    p = Path(path)
    name = str(path)
    try:
        if not p.exists():
            raise InputError(name, "找不到这个文件")
        if p.is_dir():
            raise InputError(name, "这是文件夹，不是报告文件")
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(name, f"无法打开这个文件（{exc.strerror or exc.__class__.__name__}）") from None
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        hint = _TYPE_HINTS.get(suffix)
        raise InputError(name, (f"不支持的文件类型 {p.suffix}" if p.suffix else "文件没有扩展名")
                               + f"：支持 .docx、.pdf、.md、.txt{'（' + hint + '）' if hint else ''}")
    if p.name.startswith("~$"):
        raise InputError(name, "这是 Word 或 WPS 打开文档时留下的锁文件，不是报告")
    if size == 0:
        raise InputError(name, "文件是空的")
    if size > max_bytes:
        raise InputError(
            name, f"文件太大（{size / 1048576:.1f} MB），上限为 {max_bytes / 1048576:g} MB，"
                  "可用 --max-mb 调高"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(name, f"无法读取这个文件（{exc.strerror or exc.__class__.__name__}）") from None
    if suffix == ".docx":
        report = read_docx(data, name)
    elif suffix == ".pdf":
        report = read_pdf(data, name)
    else:
        if sniff(data):
            raise InputError(name, binary_problem(data))
        report = from_text(decode(data, name), name, "md" if suffix in {".md", ".markdown"} else "txt")
    if not report.text[report.body_start :].strip():
        raise InputError(name, "报告里没有文字")
    if len(report.text) > MAX_CHARS:
        raise InputError(name, f"报告文字过多（{len(report.text):,} 字，上限 {MAX_CHARS:,} 字）：一份报告用不了这么多，"
                               "请只审核报告本身")
    return report
