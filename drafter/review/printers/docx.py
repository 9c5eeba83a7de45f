"""--format docx: a copy of the report with every finding as a Word comment, written to
``output`` (the work is drafter.documents.docx_comments')."""

from __future__ import annotations

from drafter.errors import DrafterError
from drafter.findings import ReviewResult


def render(results: list[ReviewResult], *, reports=(), output=None, **_) -> str:
    """Writes the commented copy of the one report; returns the line saying what was written."""
    from drafter.documents.docx_comments import write_commented_docx

    if not output:
        raise DrafterError("--format docx 输出 Word 文件：请用 -o OUT.docx 指定文件")
    if len(results) != 1 or len(reports) != 1:
        raise DrafterError(f"--format docx 一次只为一份报告输出批注副本（收到 {len(results)} 份）")
    placements = write_commented_docx(reports[0], results[0], output)
    moved = sum(1 for p in placements if not p.exact)
    note = f"，其中 {moved} 条无法定位原文，放在最近的段落" if moved else ""
    return f"写入 {output}：{len(placements)} 条批注{note}"
