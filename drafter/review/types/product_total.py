"""product_total: 数量 × 单价 (× a third factor) = 合计, in the shapes the rule's patterns give; and
an amount estimated by a standard ("按每卷 2 元的标准测算，争取资金 21.44 万元") that no count of
that measure word the paragraph gives (132697 卷, 118606 卷 …) yields (``basis``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, close, rx_cached
from drafter.text.figures import extract, fmt, in_unit, in_unit_both

STAGE = "text"


class Params(BaseParams):
    # regexes with named groups n (a count), price (per-unit amount) and total
    pattern: str = ""
    patterns: list[str] = []
    # a regex with named groups unit (the measure word after 每), price and total
    basis: str = ""


_PRODUCT_TRIGGER = re.compile(r"[×xX*＊]|乘以|每")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    if p.basis:
        yield from _basis(rule, a, rx_cached((p.basis,)))
        return
    patterns = [rx_cached((x,)) for x in ([p.pattern] if p.pattern else []) + p.patterns]
    # every shape has a multiplication or a 每: only such lines are searched
    lines = [ln for ln in a.lines if _PRODUCT_TRIGGER.search(a.text, ln.start, ln.end)]
    matches = [m for rx in patterns for ln in lines for m in rx.finditer(a.text, ln.start, ln.end)]
    for m in sorted(matches, key=lambda m: m.start()):
        figs = {k: extract(m.group(k)) for k in ("n", "price", "total")}
        if not all(figs.values()):
            continue
        n, price, total = figs["n"][0], figs["price"][0], figs["total"][0]
        if price.kind != "amount" or total.kind != "amount":
            continue
        factor = m.groupdict().get("m")  # a third factor: months, days, times
        times = float(factor) if factor else 1.0
        expected = n.value * price.yuan * times
        # a whole-元 price in a working is exact; a price with decimals or in 万元 may be rounded
        price_tol = 0.0 if price.unit == "元" and price.decimals == 0 else price.tolerance
        if close(expected, total.yuan, total.tolerance + price_tol * n.value * times):
            continue
        slip = close(expected, total.yuan * 1e4, total.tolerance * 1e4)
        start = m.start("total")
        yield a.finding(
            rule,
            start,
            m.end("total"),
            rule.say(total=total.text, expected=in_unit(expected, total.unit)),
            evidence=f"{n.text} × {price.text}{f' × {factor}' if factor else ''} = {in_unit_both(expected, total.unit)}"
            f"（报告写 {total.text}）"
            + ("，疑为 元/万元 写错" if slip else ""),
        )


def _basis(rule, a: Analysis, rx) -> Iterator[Finding]:
    for m in rx.finditer(a.text):
        price, total = extract(m.group("price")), extract(m.group("total"))
        if not price or not total or price[0].kind != "amount" or total[0].kind != "amount" or price[0].yuan <= 0:
            continue
        unit = m.group("unit")
        # the counts of that measure word in the paragraph up to the standard (卷, or 卷 among 卷(册、盒))
        start = a.text.rfind("\n", 0, max(0, m.start() - 1)) + 1
        start = a.text.rfind("\n", 0, max(0, start - 1)) + 1  # and the paragraph before it
        counts = [f for f in a.figures_in(start, m.start()) if f.kind == "count" and f.unit.startswith(unit)]
        if not counts:
            continue
        p_yuan, t = price[0].yuan, total[0]
        if any(close(f.value * p_yuan, t.yuan, t.tolerance + 0.5 * p_yuan) for f in counts):
            continue
        needed = t.yuan / p_yuan
        yield a.finding(rule, m.start("total"), m.end("total"),
                        rule.say(total=t.text, expected=f"{fmt(needed)} {unit}"),
                        evidence=f"{t.text} ÷ {price[0].text} = {fmt(needed)} {unit}；报告中的数量 "
                        + "、".join(f.text for f in counts[:6]) + " 乘以标准都不是这个金额")
