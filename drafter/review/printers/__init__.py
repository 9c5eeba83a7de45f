"""Printers for review results: rich (grouped, highlighted), one line per finding, JSON, Markdown."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from drafter.findings import CATEGORIES, CATEGORY_NAMES, ReviewResult

LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
LEVEL_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_STYLE = {"figures": "red", "score": "magenta", "unsupported": "yellow", "boilerplate": "blue", "structure": "green"}


def to_json(results: list[ReviewResult], single: bool) -> str:
    data = results[0].public() if single and len(results) == 1 else [r.public() for r in results]
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_lines(results: list[ReviewResult]) -> str:
    out = []
    for r in results:
        for f in r.findings:
            out.append(f"{r.file}:{f.line}:{f.col}:{f.rule}:{f.message}")
    return "\n".join(out)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def to_markdown(results: list[ReviewResult]) -> str:
    out = []
    for r in results:
        out.append(f"## {r.file}\n")
        if not r.findings:
            out.append("未发现问题。\n")
            continue
        out.append(_summary(r) + "\n")
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


def _summary(r: ReviewResult) -> str:
    counts = {lv: sum(1 for f in r.findings if f.level.value == lv) for lv in ("error", "warning", "info")}
    return "，".join(f"{LEVEL_NAMES[k]} {v} 处" for k, v in counts.items() if v) or "未发现问题"


def print_rich(results: list[ReviewResult], texts: dict[str, str], console: Console) -> None:
    for r in results:
        text = texts.get(r.file, "")
        console.rule(f"[bold]{escape(r.file)}[/]  {_summary(r)}")
        if not r.findings:
            console.print("[green]未发现问题。[/]")
            continue
        for cat in CATEGORIES:
            items = [f for f in r.findings if f.category == cat]
            if not items:
                continue
            body = Text()
            for i, f in enumerate(items):
                if i:
                    body.append("\n\n")
                body.append(f"{LEVEL_NAMES[f.level.value]} ", style=LEVEL_STYLE[f.level.value])
                body.append(f"{f.line}:{f.col} ", style="dim")
                body.append(f"{f.rule}\n", style="bold")
                body.append(f.message + "\n")
                body.append_text(_context(text, f.start, f.end, CATEGORY_STYLE[cat]))
                if f.evidence:
                    body.append("\n计算：", style="dim")
                    body.append(f.evidence)
                if f.suggestion:
                    body.append("\n建议：", style="dim")
                    body.append(f.suggestion, style="italic")
            title = f"{CATEGORY_NAMES[cat]}（{cat}）· {len(items)}"
            console.print(Panel(body, title=title, title_align="left", border_style=CATEGORY_STYLE[cat]))


def _context(text: str, start: int, end: int, style: str, width: int = 24) -> Text:
    """The quote highlighted inside a little of its surrounding text."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    t = Text("  ")
    pre = text[lo:start].replace("\n", " ")
    post = text[end:hi].replace("\n", " ")
    quote = text[start:end].replace("\n", "⏎")
    t.append(("…" if lo else "") + pre, style="dim")
    t.append(quote, style=f"bold reverse {style}")
    t.append(post + ("…" if hi < len(text) else ""), style="dim")
    return t
