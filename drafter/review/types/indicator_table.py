"""indicator_table: the 绩效指标 table's arithmetic, one check per rule (``check:``): a score
above its weight, full marks for a missed target, a missed target without a reason, weights
that do not add up to 100, a 总分 that is not the sum of the scores, and the funds block's
预算执行率 score (min(执行率, 100%) × 分值)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding, Level
from drafter.review.types._common import BaseParams, close
from drafter.review.types.funds_block import _BY_TYPE, cell_value, columns, row_cell
from drafter.text.figures import fmt
from drafter.text.tables import NUMBER, compare_target, funds_execution_row, indicator_tables, is_funds_table

STAGE = "text"


class Params(BaseParams):
    check: Literal["over_weight", "missed_full", "missing_reason", "weights_sum", "total_sum", "execution_score",
                   "met_deducted", "ratio_score"]
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
        if p.check in ("weights_sum", "total_sum") and not it.table.complete:
            continue  # a table read from a pasted layout with cells left unread: its sums would be short
        rows = [r for r in it.rows if not r.is_total]
        totals = [r for r in it.rows if r.is_total]
        if p.check == "over_weight":
            for r in rows:
                if r.weight is not None and r.score is not None and r.score > r.weight + 1e-9:
                    c = it.cell(r, it.col_score)
                    yield a.finding(rule, c.start, c.end,
                                    rule.say(name=r.name, score=fmt(r.score), weight=fmt(r.weight)),
                                    evidence=f"得分 {fmt(r.score)} > 分值 {fmt(r.weight)}")
        elif p.check in ("met_deducted", "ratio_score"):
            yield from _proportional(rule, a, it, rows, p)
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
                    decimals = len(c.text.strip().split(".")[1]) if "." in c.text.strip() else 0
                    if r.score - fair <= rounding_up_allowed(decimals) + 1e-9:
                        continue  # 41860 of 42000 is 2.99 of 3 points: full marks are the rounding
                    yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score)),
                                    evidence=f"实际 {fmt(v)} 未达目标 {direction}{fmt(t)}；"
                                             f"按比例得分 {fmt(v if direction == '≥' else t)} / "
                                             f"{fmt(t if direction == '≥' else v)} × {fmt(r.weight)} = {fair:.2f} 分，"
                                             f"表中得 {fmt(r.score)} 分")
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


def rounding_up_allowed(decimals: int) -> float:
    """How far a written score may stand above the exact one: half a unit of its digits (8.618
    written 8.62), but an integer no more than 0.1 (8.97 written 9 is rounding; 8.62 written 9
    adds 0.38 points the execution did not earn)."""
    return 0.1 if decimals == 0 else 0.5 * 10 ** -decimals


def _proportional(rule, a: Analysis, it, rows, p: Params) -> Iterator[Finding]:
    """A quantitative indicator's score against its completion: met and still marked down with
    no reason given (``met_deducted``); missed and scored above 实际 ÷ 目标 × 分值 by more than the
    score's own rounding (``ratio_score``)."""
    for r in rows:
        cmp = compare_target(r.target, r.actual)
        if cmp is None or r.weight is None or r.score is None or r.weight <= 0:
            continue
        direction, t, v = cmp
        if t <= 0 or v <= 0:
            continue
        ratio = min(v / t if direction == "≥" else t / v, 1.0)
        c = it.cell(r, it.col_score)
        if p.check == "met_deducted":
            if ratio >= 1.0 and r.score < r.weight - 1e-9 and len(r.reason.strip()) < 2:
                yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score), weight=fmt(r.weight)),
                                evidence=f"实际 {fmt(v)} 达到目标 {direction}{fmt(t)}，得 {fmt(r.score)} 分"
                                         f"（分值 {fmt(r.weight)}），偏差原因栏为空")
        elif ratio < 1.0 and r.score < r.weight:
            fair = ratio * r.weight
            decimals = len(c.text.strip().split(".")[1]) if "." in c.text.strip() else 0
            if r.score - fair > rounding_up_allowed(decimals) + 1e-9:
                num, den = (v, t) if direction == "≥" else (t, v)
                yield a.finding(rule, c.start, c.end, rule.say(name=r.name, score=fmt(r.score), fair=f"{fair:.2f}"),
                                evidence=f"{fmt(num)} / {fmt(den)} × {fmt(r.weight)} = {fair:.2f} 分，"
                                         f"表中得 {fmt(r.score)} 分")


def execution_row(a: Analysis, rows) -> object | None:
    """The funds block's 预算执行率 row, when the indicator table has no row of its own for it:
    its 分值 and 得分 belong to the total (产出 50 + 效益 30 + 满意度 10 + 执行率 10 = 100)."""
    if any("执行率" in " ".join(c.text for c in r.cells[:3]) for r in rows):
        return None
    found = funds_execution_row(a)
    return found[1] if found else None


def _check_execution_score(rule, a: Analysis) -> Iterator[Finding]:
    """得分 of the funds block = min(执行率, 100%) × 分值, 执行率 from the row's own 全年执行数 and
    全年预算数 (a total row left 0 takes its parts' sums; a department's table its spending by
    type), else from the report's budget figures. A score is right when it is that product
    rounded to the score's own digits (8.97 written 9; 2.154 written 2.16 is not), or in whole
    points with the fraction dropped."""
    scored = []
    for table, row in _score_rows(a):
        found = _rate_of_row(a, table, row)
        if found is None:
            continue
        score_cell = row_cell(row, columns(table)["score"])
        weight, score = _weight(table, row), cell_value(score_cell)
        if weight is None or score is None or weight[0] <= 0:
            continue
        scored.append((table, found, score_cell, weight, score, min(found[0], 1.0) * weight[0]))
    # whole points with the fraction dropped (9.91 written 9) is a table's way of scoring when
    # every row of it does so: low, never inflated; beside a row that rounds, it is a slip
    dropping = {id(t) for t, *_ in scored}
    for table, _, _, _, score, expected in scored:
        if not (score[1] == 0 and score[0] == math.floor(expected + 1e-9)):
            dropping.discard(id(table))
    for table, (rate, how), score_cell, weight, score, expected in scored:
        slack = rounding_up_allowed(score[1]) if score[0] > expected else 0.5 * 10 ** -score[1]
        if abs(expected - score[0]) <= slack + 1e-9 or id(table) in dropping:
            continue
        level = None if abs(expected - score[0]) >= 0.5 else Level.warning
        m = NUMBER.search(score_cell.text)
        yield a.finding(rule, score_cell.start + m.start(), score_cell.start + m.end(),
                        rule.say(score=fmt(score[0]), expected=f"{expected:.2f}"), level=level,
                        evidence=f"{how} = {rate * 100:.2f}%；{min(rate, 1.0) * 100:.2f}% × {fmt(weight[0])} = "
                        f"{expected:.2f} 分（表中 {fmt(score[0])} 分）")


def _weight(table, row) -> tuple[float, int] | None:
    """The row's 分值, or the one its header states (得分（20分*执行率）)."""
    cols = columns(table)
    own = cell_value(row_cell(row, cols["weight"]))
    if own is not None or cols["score"] is None:
        return own
    m = re.search(r"(?<!\d)(\d+)\s*分", table.header[cols["score"]].text)
    return (float(m.group(1)), 0) if m else None


def _score_rows(a: Analysis):
    """The funds blocks' rows that carry a 得分 and a 分值 of their own or of their header."""
    for table in a.tables:
        if not is_funds_table(table):
            continue
        cols = columns(table)
        if cols["score"] is None:
            continue
        for row in table.rows:
            if row_cell(row, cols["score"]) is not None and _weight(table, row) is not None:
                yield table, row


def _rate_of_row(a: Analysis, table, row) -> tuple[float, str] | None:
    """(执行率, how it was computed) for a funds row."""
    cols = columns(table)
    budget, spent = cell_value(row_cell(row, cols["budget"])), cell_value(row_cell(row, cols["spent"]))
    if budget and spent and budget[0] > 0:
        by_type = _BY_TYPE.search(a.text, table.start, table.end + 400)
        if row is table.rows[0] and by_type:
            expenditure = float(by_type.group(1).replace(",", ""))
            if abs(expenditure - spent[0]) > 0.005:
                return expenditure / budget[0], f"按支出性质分 {fmt(expenditure)} / {fmt(budget[0])}"
        return spent[0] / budget[0], f"{fmt(spent[0])} / {fmt(budget[0])}"
    if row is table.rows[0] and budget is not None and spent is not None and budget[0] == 0 == spent[0]:
        # a total row left 0: its parts say what was executed
        sums = [sum(v[0] for v in (cell_value(row_cell(r, cols[c])) for r in table.rows[1:]) if v)
                for c in ("budget", "spent")]
        if sums[0] > 0:
            return sums[1] / sums[0], f"其中各行合计 {fmt(sums[1])} / {fmt(sums[0])}"
        return None
    if budget is None and spent is None and row is table.rows[0]:
        spent_f, budget_f = a.budget.first("spent"), a.budget.budget_figure
        if spent_f is not None and budget_f is not None and budget_f.value > 0:
            return spent_f.value / budget_f.value, f"{fmt(spent_f.value)} / {fmt(budget_f.value)}"
    return None
