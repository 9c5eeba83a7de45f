"""--format line: one ``path:line:col:rule:message`` line per finding."""

from __future__ import annotations

from drafter.findings import ReviewResult


def to_lines(results: list[ReviewResult]) -> str:
    out = []
    for r in results:
        for f in r.findings:
            out.append(f"{r.file}:{f.line}:{f.col}:{f.rule}:{f.message}")
    return "\n".join(out)


def render(results: list[ReviewResult], **_) -> str:
    return to_lines(results)
