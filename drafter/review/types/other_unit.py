"""other_unit: a town's report that names another town's government as if it were its own
("三堂街镇……绩效评价报告" that says "有效推广大栗港镇人民政府村账乡代管财务管理制度"; "金寨县白塔畈镇
人民政府 2023 年度下达……" in 麻埠镇's report): the text was copied from another unit's report
and the name was not changed.

The report's own town is the one in its title (its first lines), else the town its text names
most often (at least ``min_own`` times). A government named once or twice beside it with another
name is flagged, when it is the only other town whose government the report names (a report that
names several covers them, or names its partners); the words before 镇 that are not a name
(完成镇人民政府交办的任务: a verb) are ``not_names``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, matches_around, rx_cached

STAGE = "text"


class Params(BaseParams):
    government: str  # a regex: group "name" (the town's name) then the words of its government
    government_word: str  # a regex of those words: the government is looked for around them
    town: str  # a regex: group "name", a town named anywhere
    not_names: str  # a regex fullmatching the words before 镇 that are not a name
    title_lines: int = 3
    min_own: int = 3
    max_other: int = 2  # a town named more often is a partner the report means


_COUNTY = re.compile(r"^[\u4e00-\u9fff]*?[县区市州旗](?=[\u4e00-\u9fff]{2})")


def _bare(name: str) -> str:
    """The town's name without the county read before it: 县麻埠镇 → 麻埠镇."""
    return _COUNTY.sub("", name)


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    text = a.text
    gov, town, not_name = rx_cached((p.government,)), rx_cached((p.town,)), rx_cached((p.not_names,))
    govs = [m for m in matches_around(text, rx_cached((p.government_word,)), gov, 6, 5)
            if not not_name.fullmatch(m.group("name"))]
    if not govs:
        return
    names = Counter(_bare(m.group("name")) for m in town.finditer(text) if not not_name.fullmatch(m.group("name")))
    head = "\n".join(text.lstrip().split("\n")[: p.title_lines])
    titled = [_bare(m.group("name")) for m in town.finditer(head) if not not_name.fullmatch(m.group("name"))]
    own = titled[0] if titled else next((n for n, c in names.most_common(1) if c >= p.min_own), None)
    if own is None:
        return

    def same(x: str) -> bool:  # 三堂街镇 and 堂街镇 (a name read with a character too few or too many)
        return x.endswith(own[-2:]) or own.endswith(x[-2:])

    others = {_bare(m.group("name")) for m in govs if not same(_bare(m.group("name")))}
    if len(others) != 1:
        return  # the governments of several towns: a report that covers them, or names its partners
    for m in govs:
        name = _bare(m.group("name"))
        if same(name) or sum(c for n, c in names.items() if n[-2:] == name[-2:]) > p.max_other:
            continue
        yield a.finding(rule, m.start(), m.end(), rule.say(own=own, other=m.group(0)),
                        evidence=f"报告单位“{own}”（{'标题' if titled else f'文中 {names[own]} 处'}），"
                                 f"此处写“{m.group(0)}”")
