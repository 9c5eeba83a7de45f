"""Names the human-readable printers share."""

from __future__ import annotations

from drafter.findings import ReviewResult

LEVEL_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def summary(r: ReviewResult) -> str:
    """"错误 2 处，警告 1 处", or 未发现问题."""
    counts = {lv: sum(1 for f in r.findings if f.level.value == lv) for lv in ("error", "warning", "info")}
    return "，".join(f"{LEVEL_NAMES[k]} {v} 处" for k, v in counts.items() if v) or "未发现问题"


def corpus_line(results: list[ReviewResult]) -> str:
    """Whether the copy check ran: "语料库：15 份报告（.drafter/index）" or "未使用语料库"."""
    used = {(r.corpus.reports, r.corpus.index) for r in results if r.corpus}
    if not used:
        return "未使用语料库（没有索引，未检查照抄；drafter index 可建立索引）"
    return "；".join(f"语料库：{n} 份报告（{where}）" for n, where in sorted(used))
