"""role_consistency: the same figure (预算, 支出, 结余, 执行率, 自评分) stated twice with two
values, in the text or between the text and a table."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.budget import ROLE_NAMES, RoleFigure, ends_with_cue, last_cue
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, amount, close, rx
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    roles: list[str] = ["initial", "adjusted", "spent", "balance", "rate", "self_score"]
    # a clause naming a purpose is about a part of the spending, not the total
    not_a_total: list[str] = ["用于", "费", "购", "采购", "维护", "宣传", "培训", "印制", "租赁", "工资", "补助",
                              "包括", "主要", "建设"]
    # words that may stand right before the cue word of a total (全年支出, 本项目支出); any other
    # noun there names a part (日常养护支出, 水毁修复支出)
    total_words: list[str] = [
        "全年", "本年", "年度", "当年", "年内", "年底", "年末", "月底", "项目", "实际", "共", "合计", "累计", "总",
        "已", "资金", "全部", "财政", "本级", "县级", "市级", "省级", "中央", "拨款", "指标", "经费", "均", "为", "的",
    ]


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    purpose = rx(p.not_a_total)
    totals = re.compile("(?:" + "|".join(p.total_words) + ")$")
    sentence_budget = _SentenceBudgets(a)
    for role in p.roles:
        items = [f for f in a.budget.found.get(role, [])
                 if f.source == "table" or not (f.weak or _qualified(a.text, f, purpose, totals))]
        if role == "self_score" and any(f.value >= 60 for f in items):
            # beside a total of 60 or more, a score under 60 is a block's (产出指标 自评分 19 分,
            # 执行率 自评分 20 分): the weights of the blocks add up to the total
            items = [f for f in items if f.value >= 60]
        if len(items) < 2:
            continue
        # a table 总分 that equals the sum of its rows is the right one: the other is flagged
        checked = next((f for f in items if f.checked), None)
        first = checked or items[0]
        differing = [o for o in items
                     if o is not first and not close(first.value, o.value, first.tolerance + o.tolerance)]
        # the differing figures of each paragraph and source, gathered once (not per figure)
        groups: dict[tuple[int, str], list[RoleFigure]] = {}
        for o in differing:
            groups.setdefault((a.line_start(o.start), o.source), []).append(o)
        sums = {key: _sums_to(first, group) for key, group in groups.items()}
        for other in differing:
            if sums[(a.line_start(other.start), other.source)] or _other_scope(sentence_budget, first, other):
                continue
            if role == "rate" and other.source == "text" and _own_ratio(a, other):
                continue  # "补助资金 2666 万元，已支出 39 万元，资金支付率 1.46%": the rate of its own sentence's scope
            if role not in ("rate", "self_score") and max(first.value, other.value) > 5 * min(first.value, other.value):
                continue  # 4.99 亿元 and 1045.28 万元: a whole and one place's share, not one figure mistyped
            unit = "%" if role == "rate" else "分"
            where = "表格" if other.source == "table" else "正文"

            def shown(f: RoleFigure) -> str:
                if role in ("rate", "self_score"):
                    return fmt(f.value) + unit
                # an amount as the report writes it when the two share a unit (2535.4万元); else
                # both in the unit of the figure quoted here (2535.4 万元 beside 2535 万元 in a table)
                same = first.figure and other.figure and first.figure.unit == other.figure.unit
                return f.figure.text if same else amount(f.value, other)

            yield a.finding(
                rule,
                other.start,
                other.end,
                rule.say(name=ROLE_NAMES[role], first=shown(first), other=shown(other)),
                evidence=f"{ROLE_NAMES[role]}：第 {a.line_col(a.to_orig(first.start))[0]} 行写 {shown(first)}"
                + ("（表格总分，等于各项得分之和）" if first.checked else "")
                + f"，此处（{where}）写 {shown(other)}",
            )


def _other_scope(sentence_budget: "_SentenceBudgets", first: RoleFigure, other: RoleFigure) -> bool:
    """Two spending (or balance) figures each stated beside its own, different budget in its own
    sentence ("追加预算 82.25 万元，支出 7.48 万元" / "安排专项资金 5.6 万元，支出 1.51 万元"): the
    spending of two scopes, not one figure written twice."""
    if first.role not in ("spent", "balance") or first.figure is None or other.figure is None:
        return False
    budgets = [sentence_budget(f.start) for f in (first, other)]
    return all(b is not None for b in budgets) and abs(budgets[0] - budgets[1]) > 0.5


def _own_ratio(a: Analysis, f: RoleFigure) -> bool:
    """True when a rate is the ratio of two amounts stated before it in its own sentence: the rate of
    that sentence's scope (a part listed after 其中), whatever the rate of the whole."""
    s = a.sentence_at(f.start)
    if s is None:
        return False
    amounts = [x.yuan for x in a.figures_in(s.start, f.start) if x.kind == "amount" and x.yuan]
    return any(close(x / y * 100, f.value, f.tolerance + 0.01) for x in amounts for y in amounts if x < y)


_BUDGET_WORD = re.compile(r"(?:预算|安排|下达|追加)[^，。；]{0,8}$")


class _SentenceBudgets:
    """The budget stated in the sentence of a position, before it: the sentence's first
    initial (else adjusted) budget figure, else its first amount after a budget word. Each
    sentence is read once, however many figures ask."""

    def __init__(self, a: Analysis) -> None:
        self.a = a
        self.stated: dict[int, float] = {}  # sentence start -> its budget figure's value
        for role in ("initial", "adjusted"):
            for f in a.budget.found.get(role, []):
                s = a.sentence_at(f.start)
                if s is not None:
                    self.stated.setdefault(s.start, f.value)
        self.worded: dict[int, list] = {}  # sentence start -> its amounts after a budget word
        self.memo: dict[int, float | None] = {}

    def __call__(self, pos: int) -> float | None:
        if pos not in self.memo:
            self.memo[pos] = self._budget(pos)
        return self.memo[pos]

    def _budget(self, pos: int) -> float | None:
        a = self.a
        s = a.sentence_at(pos)
        if s is None:
            return None
        if s.start in self.stated:
            return self.stated[s.start]
        if s.start not in self.worded:
            self.worded[s.start] = [f for f in a.figures_in(s.start, s.end) if f.kind == "amount"
                                    and _BUDGET_WORD.search(a.text, max(s.start, f.start - 10), f.start)]
        for f in self.worded[s.start]:
            if f.start >= pos:
                break
            if f.end <= pos:
                return f.yuan
        return None


def _sums_to(total: RoleFigure, group: list[RoleFigure]) -> bool:
    """True when the differing figures of a part's paragraph (``group``, the part among them) add
    up to ``total`` (per-source or per-use figures written without a qualifying word)."""
    return len(group) >= 2 and close(sum(o.value for o in group), total.value,
                                     total.tolerance + sum(o.tolerance for o in group))


_CJK_END = re.compile(r"[\u4e00-\u9fff]$")


def _qualified(text: str, f: RoleFigure, purpose: re.Pattern, totals: re.Pattern) -> bool:
    """True when the figure's clause names a purpose (a part of the spending, not the total):
    a purpose word in the clause, or a noun right before the cue word (日常养护支出 12 万元)."""
    prefix = text[max(0, f.start - 30) : f.start]
    cut = max(prefix.rfind(c) for c in "，,。；;\n")
    clause = prefix[cut + 1 :]
    if purpose.search(clause):
        return True
    cue = last_cue(clause)
    if cue is None or f.figure is None:
        return False
    before = clause[: cue[1]].rstrip()
    return bool(_CJK_END.search(before)) and not totals.search(before) and not ends_with_cue(before)
