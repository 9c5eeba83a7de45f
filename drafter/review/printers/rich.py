"""--format rich (the default): findings grouped by category in panels, the quote highlighted
in its surrounding text, with the arithmetic and the suggestion."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from drafter.findings import CATEGORIES, CATEGORY_NAMES, ReviewResult
from drafter.review.printers._common import LEVEL_NAMES, corpus_line, summary

LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
CATEGORY_STYLE = {"figures": "red", "score": "magenta", "unsupported": "yellow", "boilerplate": "blue",
                  "structure": "green"}


def print_rich(results: list[ReviewResult], texts: dict[str, str], console: Console) -> None:
    for r in results:
        text = texts.get(r.file, "")
        console.rule(f"[bold]{escape(r.file)}[/]  {summary(r)}")
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
    if results:
        console.print(escape(corpus_line(results)), style="dim", highlight=False)


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


def render(results: list[ReviewResult], *, reports=(), console: Console | None = None, **_) -> None:
    """Prints on ``console`` (a new one on stdout when None); returns nothing to print."""
    print_rich(results, {r.path: r.text for r in reports}, console or Console())
