"""restated_unit: one quantity written twice, with the same words before it and the same digits,
but in two different units ("经果林 32.49hm" in the target, "经果林 32.49hmm" in the result;
"治理面积 12.5 公顷" and "治理面积 12.5 亩"): one of the two units is wrong.

Only numbers with decimals are compared (an integer such as 3 may be 3 次 and 3 人 of one
activity), in units of physical quantities (money, percentages and scores have rules of their
own); the same unit written two ways (公顷, hm², ha; 公里, km …: the ``same`` groups) is one
unit. The unit written fewer times is the one flagged; of two written once each, the later."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, rx_cached

STAGE = "text"


class Params(BaseParams):
    units: list[str]  # regexes of the units read right after a number (a run of letters as one unit)
    same: list[list[str]] = []  # groups of spellings of one unit
    min_name: int = 2  # Chinese characters that must stand right before the number
    max_name: int = 4  # ... of which this many are compared


_DECIMAL_POINT = re.compile(r"\.(?=\d)")  # led by a literal: fast over a whole report
_CJK = re.compile(r"[\u4e00-\u9fff]")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    text = a.text
    unit_rx = rx_cached(tuple(p.units))
    canon = {u: group[0] for group in p.same for u in group}
    seen: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for m in _DECIMAL_POINT.finditer(text):
        j = m.start()
        while j > 0 and text[j - 1].isdigit():
            j -= 1
        k = m.end()
        while k < len(text) and text[k].isdigit():
            k += 1
        if j == m.start() or (j and text[j - 1] in ".,，") or (k < len(text) and text[k] == "."):
            continue  # no integer part, a list number (1.2.3) or a thousands group
        u = unit_rx.match(text, k + (1 if text[k : k + 1] == " " else 0))
        if not u:
            continue
        n = j
        while n > 0 and j - n < p.max_name and _CJK.match(text[n - 1]):
            n -= 1
        if j - n < p.min_name:
            continue
        seen.setdefault((text[n:j], text[j:k]), []).append((u.group(0), n, u.end()))
    for (name, number), places in seen.items():
        units = Counter(canon.get(u, u) for u, _, _ in places)
        if len(units) < 2:
            continue
        # the odd one out: the unit written fewest times, its last place
        odd = min(units, key=lambda u: (units[u], -max(s for x, s, _ in places if canon.get(x, x) == u)))
        other = next(u for u, _, _ in places if canon.get(u, u) != odd)
        unit, start, end = [x for x in places if canon.get(x[0], x[0]) == odd][-1]
        yield a.finding(rule, start, end, rule.say(name=name, number=number, unit=unit, other=other),
                        evidence=f"“{name}{number}”写作 {'、'.join(sorted(set(u for u, _, _ in places)))}"
                                 f"（{'，'.join(f'{u} {c} 处' for u, c in units.items())}）")
