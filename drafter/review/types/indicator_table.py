"""indicator_table: the 绩效指标 table's arithmetic, one check per rule (``check:``): a score
above its weight, full marks for a missed target, a missed target without a reason, weights
that do not add up to 100, a 总分 that is not the sum of the scores, and the funds block's
预算执行率 score (min(执行率, 100%) × 分值)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, close
from drafter.text.figures import fmt
from drafter.text.tables import compare_target, funds_execution_row, indicator_tables

STAGE = "text"


class Params(BaseParams):
    check: Literal["over_weight", "missed_full", "missing_reason", "weights_sum", "total_sum", "execution_score"]
    weights_total: float = 100.0
    # missing_reason: rows named like this (预算执行率) need a reason only below this share of
    # their target (execution below 90% must be explained, 97% need not)
    lenient_rows: list[str] = []
    lenient_ratio: float = 1.0


def _lenient(p: Params, name: str) -> bool:
    return any(k in name for k in p.lenient_rows)


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    for it in indicator_tables(a):
        rows = [r for r in it.rows if not r.is_total]
        totals = [r for r in it.rows if r.is_total]
        if p.check == "over_weight":
            for r in rows:
                if r.weight is not None and r.score is not None and r.score > r.weight + 1e-9:
                    c = it.cell(r, it.col_score)
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score), weight=fmt(r.weight)),
                                    evidence=f"得分 {fmt(r.score)} > 分值 {fmt(r.weight)}")
        elif p.check in ("missed_full", "missing_reason"):
            for r in rows:
                cmp = compare_target(r.target, r.actual)
                if cmp is None:
                    continue
                direction, t, v = cmp
                missed = v < t if direction == "≥" else v > t
                if not missed:
                    continue
                if p.check == "missed_full" and r.weight is not None and r.score is not None and r.score >= r.weight:
                    c = it.cell(r, it.col_score)
                    fair = (v / t if direction == "≥" else t / v) * r.weight
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score)),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}；按比例得分 {fmt(v if direction == '≥' else t)} / "
                                    f"{fmt(t if direction == '≥' else v)} × {fmt(r.weight)} = {fair:.2f} 分，表中得 {fmt(r.score)} 分")
                elif p.check == "missing_reason" and it.col_reason is not None and len(r.reason.strip()) < 2:
                    if _lenient(p, r.name) and (v / t if direction == "≥" else t / v) >= p.lenient_ratio - 1e-9:
                        continue
                    c = it.cell(r, it.col_actual)
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}，偏差原因栏为空")
        elif p.check == "weights_sum" and (totals or (execution_row(a, rows) and it.table.layout == "pipe")):
            # a table read from a pasted layout may be cut off: its weights are summed only up to its 总分 row
            weights = [r.weight for r in rows if r.weight is not None]
            terms = [fmt(w) for w in weights]
            execution = execution_row(a, rows)
            if execution is not None:
                weights.append(execution.weight)
                terms.append(f"{fmt(execution.weight)}（预算执行率）")
            total_w = sum(weights)
            if weights and not close(total_w, p.weights_total, 0.01 * len(weights)):
                c = it.cell(totals[0], it.col_weight) if totals else it.cell(rows[0], it.col_weight)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(total_w)),
                                evidence=" + ".join(terms) + f" = {fmt(total_w)} ≠ {fmt(p.weights_total)}")
        elif p.check == "total_sum" and totals and totals[0].score is not None:
            scores = [r.score for r in rows if r.score is not None]
            terms = [fmt(x) for x in scores]
            execution = execution_row(a, rows)
            indicator_weights = sum(r.weight for r in rows if r.weight is not None)
            # the 总分 row covers the funds block's execution score unless its 分值 shows it does not
            covers_execution = execution is not None and not (
                totals[0].weight is not None and close(totals[0].weight, indicator_weights, 0.01 * len(rows))
            )
            if covers_execution and execution.score is not None:
                scores.append(execution.score)
                terms.append(f"{fmt(execution.score)}（预算执行率）")
            s = sum(scores)
            stated = totals[0].score
            if scores and not close(s, stated, 0.01 * len(scores) + 0.005):
                c = it.cell(totals[0], it.col_score)
                yield a.finding(rule, c.start, c.end, rule.say(total=fmt(stated), sum=fmt(s)),
                                evidence=" + ".join(terms) + f" = {fmt(s)}（表中总分 {fmt(stated)}）")
    if p.check == "execution_score":
        yield from _check_execution_score(rule, a)


def execution_row(a: Analysis, rows) -> object | None:
    """The funds block's 预算执行率 row, when the indicator table has no row of its own for it:
    its 分值 and 得分 belong to the total (产出 50 + 效益 30 + 满意度 10 + 执行率 10 = 100)."""
    if any("执行率" in " ".join(c.text for c in r.cells[:3]) for r in rows):
        return None
    found = funds_execution_row(a)
    return found[1] if found else None


def _check_execution_score(rule, a: Analysis) -> Iterator[Finding]:
    """得分 of the funds block = min(执行率, 100%) × 分值."""
    found = funds_execution_row(a)
    if found is None:
        return
    it, row = found
    spent, budget = a.budget.first("spent"), a.budget.budget_figure
    if row.score is None or spent is None or budget is None or budget.value <= 0:
        return
    rate = spent.value / budget.value
    expected = min(rate, 1.0) * row.weight
    if abs(expected - row.score) <= 0.01 + 1e-9 or (row.score < expected and abs(expected - row.score) < 0.01):
        return
    c = it.cell(row, it.col_score)
    yield a.finding(rule, c.start, c.end, rule.say(score=fmt(row.score), expected=f"{expected:.2f}"),
                    evidence=f"{fmt(spent.value)} / {fmt(budget.value)} = {rate * 100:.2f}%；{rate * 100:.2f}% × {fmt(row.weight)} = "
                    f"{expected:.2f} 分（表中 {fmt(row.score)} 分）")
