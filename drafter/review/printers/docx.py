"""--format docx: a copy of the report with every finding as a Word comment, written to
``output`` (the work is drafter.documents.docx_comments')."""

from __future__ import annotations

from drafter.errors import DrafterError
from drafter.findings import ReviewResult


def render(results: list[ReviewResult], *, reports=(), output=None, **_) -> str:
    """Writes the commented copy of the one report; returns the line saying what was written."""
    from drafter.documents.docx_comments import write_commented_docx

    if not output:
        raise DrafterError("--format docx writes a Word file: give -o OUT.docx")
    if len(results) != 1 or len(reports) != 1:
        raise DrafterError(f"--format docx writes one commented copy of one report (got {len(results)})")
    placements = write_commented_docx(reports[0], results[0], output)
    moved = sum(1 for p in placements if not p.exact)
    note = f"，其中 {moved} 条无法定位原文，放在最近的段落" if moved else ""
    return f"写入 {output}：{len(placements)} 条批注{note}"
