"""The eval's terminal output: a progress bar while it runs, then the variants side by side
(with deltas against the first), the assertions, and where the files are."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from drafter.evals.metrics import CATEGORIES
from drafter.evals.runner import DRAFT_METRICS, run_suite


def run_with_progress(suite, **kw) -> dict:
    with Progress(TextColumn("[bold]eval[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(suite.name, total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        return run_suite(suite, progress=progress, **kw)


def _f(v, digits: int = 3) -> str:
    return "—" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))


def _delta(v, base) -> str:
    if v is None or base is None or abs(v - base) < 1e-9:
        return ""
    return f" ({v - base:+.3f})"


def print_summary(out: Console, summary: dict, run_dir: Path) -> None:
    names = list(summary["variants"])
    table = Table(title=f"drafter eval {summary['suite']} · {summary['run_id']}")
    table.add_column("metric")
    for n in names:
        table.add_column(n, justify="right")
    first = summary["variants"][names[0]]

    def add(label: str, get) -> None:
        if all(get(summary["variants"][n]) is None for n in names):
            return  # a metric this suite does not measure (drafting in a review-only suite)
        base = get(first)
        table.add_row(label, *[_f(get(summary["variants"][n]))
                               + (_delta(get(summary["variants"][n]), base) if n != names[0] else "")
                               for n in names])

    for c in CATEGORIES:
        for m in ("precision", "recall"):
            add(f"review {c} {m}", lambda v, c=c, m=m: ((v.get("review") or {}).get(c) or {}).get(m))
    add("review false alarms / 10k chars", lambda v: (v.get("review") or {}).get("false_alarms_per_10k"))
    if any(v.get("excerpts") for v in summary["variants"].values()):
        for c in ("figures", "score", "unsupported", "boilerplate"):
            add(f"real excerpts {c} recall", lambda v, c=c: ((v.get("excerpts") or {}).get(c) or {}).get("recall"))
        add("real excerpts figures precision",
            lambda v: ((v.get("excerpts") or {}).get("figures") or {}).get("precision"))
        add("real excerpts figures alarms on holding identities",
            lambda v: (v.get("excerpts") or {}).get("false_alarms_on_checks"))
        add("real excerpts other error/warning / 10k chars", lambda v: (v.get("excerpts") or {}).get("other_per_10k"))
    if any("llm_failures" in (v.get("review") or {}) for v in summary["variants"].values()):
        add("review claim checks failed", lambda v: (v.get("review") or {}).get("llm_failures"))
    for m in DRAFT_METRICS:
        add(f"draft {m}", lambda v, m=m: (v.get("draft") or {}).get(m))
    out.print(table)
    for a in summary["assertions"]:
        out.print(("[green]pass[/] " if a["passed"] else "[red]FAIL[/] ") + f"{a['variant']}: {a['reason']}",
                  highlight=False)
    out.print(f"results: {run_dir / 'results.json'}\nreport:  {run_dir / 'report.html'}", highlight=False)


def print_compare(out: Console, diff: dict) -> None:
    for p in diff["pairs"]:
        t = Table(title=f"{diff['a']}:{p['a']}  →  {diff['b']}:{p['b']}")
        for col in ("metric", "A", "B", "Δ", ""):
            t.add_column(col, justify="right" if col in ("A", "B", "Δ") else "left")
        for r in p["metrics"]:
            if r["a"] is None and r["b"] is None:
                continue
            mark = {"better": "[green]better[/]", "worse": "[red]worse[/]"}.get(r["verdict"], "")
            t.add_row(r["metric"], _f(r["a"]), _f(r["b"]), "" if r["delta"] is None else f"{r['delta']:+.3f}", mark)
        out.print(t)
        if p["cases"]:
            c = Table(title="case by case")
            for col in ("case", "change", "detail", ""):
                c.add_column(col)
            for r in p["cases"]:
                c.add_row(r["case"], r["what"], r["detail"][:60],
                          "[green]better[/]" if r["verdict"] == "better" else "[red]worse[/]")
            out.print(c)
        else:
            out.print("no case changed")
