"""--format md: a Markdown table of findings per category."""

from __future__ import annotations

from drafter.findings import CATEGORIES, CATEGORY_NAMES, ReviewResult
from drafter.review.printers._common import LEVEL_NAMES, corpus_line, summary


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def to_markdown(results: list[ReviewResult]) -> str:
    out = [f"> {corpus_line(results)}\n"]
    for r in results:
        out.append(f"## {r.file}\n")
        if not r.findings:
            out.append("未发现问题。\n")
            continue
        out.append(summary(r) + "\n")
        for cat in CATEGORIES:
            items = [f for f in r.findings if f.category == cat]
            if not items:
                continue
            out.append(f"### {CATEGORY_NAMES[cat]}（{cat}）\n")
            out.append("| 位置 | 级别 | 规则 | 原文 | 问题 | 计算 |")
            out.append("|---|---|---|---|---|---|")
            for f in items:
                out.append(
                    f"| {f.line}:{f.col} | {LEVEL_NAMES[f.level.value]} | `{f.rule}` | {_md_cell(f.quote)} | "
                    f"{_md_cell(f.message)} | {_md_cell(f.evidence)} |"
                )
            out.append("")
    return "\n".join(out)


def render(results: list[ReviewResult], **_) -> str:
    return to_markdown(results)
