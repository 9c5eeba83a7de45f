"""over_target: a stated share by which a task was exceeded ("超任务 43%", "超额完成计划 12%")
against the task and the result the report gives in the same measure word ("任务数为 115 户，
实际完成 264 户": (264 − 115) ÷ 115 = 129.6%)."""

from __future__ import annotations

from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, rx_cached
from drafter.text.figures import fmt, rate_fits

STAGE = "text"


class Params(BaseParams):
    stated: str  # a regex whose group "rate" is the stated percentage
    task: str  # a regex whose group "n" is the task (a count with its measure word)
    done: str  # a regex whose group "n" is the result


def _count(a: Analysis, rx, text: str):
    """The counts the regex finds: (value, measure word)."""
    out = []
    for m in rx.finditer(text):
        figs = [f for f in a.figures_in(m.start("n"), m.end("n")) if f.kind == "count"]
        if figs:
            out.append((figs[0].value, figs[0].unit))
    return out


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    stated_rx = rx_cached((p.stated,))
    if not stated_rx.search(a.text):
        return
    tasks, done = _count(a, rx_cached((p.task,)), a.text), _count(a, rx_cached((p.done,)), a.text)
    for m in stated_rx.finditer(a.text):
        rate = float(m.group("rate"))
        decimals = len(m.group("rate").split(".")[1]) if "." in m.group("rate") else 0
        pairs = [(t, d, u) for t, u in tasks for d, u2 in done if u == u2 and t > 0 and d > t]
        if not pairs or any(rate_fits(rate, decimals, (d - t) / t * 100) for t, d, _ in pairs):
            continue
        t, d, unit = pairs[0]
        exact = (d - t) / t * 100
        evidence = f"（{fmt(d)} − {fmt(t)}）÷ {fmt(t)} = {exact:.1f}%（任务 {fmt(t)} {unit}，实际 {fmt(d)} {unit}）"
        yield a.finding(rule, m.start("rate"), m.end(), rule.say(stated=f"{m.group('rate')}%", exact=f"{exact:.1f}%"),
                        evidence=evidence)
