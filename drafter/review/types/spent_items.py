"""spent_items: a report that states no total spent, but whose funds section says what was paid
item by item ("支付了68万元的线路租费……另外开支了28万元运行维护费"), and those payments add up to
more than the budget they are measured against (68 + 28 = 96 万元 > 年初预算 83 万元), with no
word in the report that accounts for the excess (超支, 追加, 自筹, 垫付…).

Where it looks, and why (each choice errs towards silence):

- The budget is the report's budget figure (``a.budget.budget_figure``) when it is stated in the
  text. The payments it is measured against are those of its funds section: from the budget's
  sentence to the end of the top-level section (一、二、…) that holds it, or, when the budget is
  stated in an overview (一、项目概况) and the next top-level section is the funds' own
  (二、项目资金使用情况: its title names 资金, 支出, 预算 or 经费), to the end of that one. A
  report without numbered headings has no such section and is not checked.
- A payment is an amount whose own clause has a spend verb (支付, 开支, 支出, 列支, 花费, 支用)
  and nothing that makes it something else: a plan or a need (计划, 拟, 需, 应, 将, 预计…), money
  not paid (未支付, 尚未列支), another year's (上年, 2022年…), a rate per unit (每人, 人均, 标准,
  × …, …/人), a part of a stated figure (其中, 包括, 含, 分别, inside brackets), a bound
  (以上, 以下), an approximate amount (约, 余), one the budget reader takes for a budget or a
  balance (预算支出 X), or a table cell (the funds block states its own total). 拨付 and 下达
  are not payments: they move the budget to the unit that spends it.
- The report states no total spent: any spending the budget reader found (in the text outside
  the payments, or in a funds table) is such a total, and the rule ``overspent`` compares it;
  so is a payment written as one (实际支出, 全年支出, 共支付, 合计, 累计…), one written beside a
  budget or a balance of its own (in the budget's sentence; "子项目预算 480 万元，支出 466.5 万元";
  "支出 1518.6 万元，结余 41.4 万元"), or one that is the sum of the others (a total listed with
  its parts). Sub-projects listed with their own budgets make the report one of several scopes,
  and it is left alone.
  Two payments at least: one payment alone is a total, or the reader's.
- The same amount paid twice counts once (a payment is often restated), so the sum may only be
  too small.
- The budget the sum is measured against is every budget the report states up to the end of
  the funds section (年初预算, 调整后预算, 上年结转, each distinct amount once), added up: a
  report whose budgets could cover the payments together is not flagged. Budgets stated only
  after the funds section (in 项目组织实施, 绩效情况) are not added: they are another work's (a
  machine-room project's own allocation, "工程款未结算列支").
- Payments above twice the budget are figures of another scope (a whole department's), not
  an overspending, as in ``overspent``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.budget import OPERATOR_AFTER, OPERATOR_BEFORE, ROLE_NAMES, role_of
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, rx_cached
from drafter.text.figures import AMOUNT_SCALE, fmt, in_unit

STAGE = "text"

_CLAUSE_BREAK = re.compile(r"[，,。；;！？!?\n：:]")
_YEAR = re.compile(r"(20\d\d)\s*年")
_FUNDS = re.compile(r"资金|支出|预算|经费")  # the title of a funds section
_PART = re.compile(r"其中|包括|包含|分别|具体为|明细")
_BALANCE = re.compile(r"结余|结转|执行率|剩余|余额")
_BOUND_AFTER = re.compile(r"(?<!\s)\s*(?:以上|以下|以内)")


class Params(BaseParams):
    verbs: str  # a regex: the words that say an amount was paid, in the amount's clause
    not_paid: str  # a regex: words of the clause that make the amount something else than a payment
    explained: str  # a regex: words that account for spending above the budget (as overspent's)
    total: str  # a regex: words of a payment's clause that make it the total spent (实际支出, 共支付, 合计)


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    budget = a.budget.budget_figure
    if budget is None or budget.source != "text" or budget.value <= 0:
        return
    section = a.section_at(budget.start)
    if section is None:
        return
    while section.parent is not None:
        section = section.parent
    sentence = a.sentence_at(budget.start)
    lo = sentence.start if sentence else budget.start
    hi = section.end
    # the budget stated in the project's overview, the payments in the funds section after it
    i = next((i for i, s in enumerate(a.sections) if s is section), -1)
    if 0 <= i < len(a.sections) - 1 and not _FUNDS.search(section.title) and _FUNDS.search(a.sections[i + 1].title):
        hi = a.sections[i + 1].end
    verbs, not_paid = rx_cached((p.verbs,)), rx_cached((p.not_paid,))
    paid = []
    for f in a.figures_in(budget.end, hi):
        if f.kind != "amount" or f.approx or f.start < lo or not _payment(a, f, verbs, not_paid):
            continue
        paid.append(f)
    if len(paid) < 2:
        return
    total_rx = rx_cached((p.total,))
    for f in paid:
        if total_rx.search(_clause(a.text, f.start)) or _paired(a, f, budget.start):
            return  # "全年实际支出 45 万元……培训支出 12 万元": a total with its parts (overspent compares the total)
    starts = {f.start for f in paid}
    for f in a.budget.found.get("spent", []):
        if f.start not in starts and (f.source != "text" or not not_paid.search(_clause(a.text, f.start))):
            return  # a total spent is stated (in the text or a funds table): overspent compares it
    items, seen = [], set()
    for f in paid:
        if f.yuan and f.yuan not in seen:
            seen.add(f.yuan)
            items.append(f)
    if len(items) < 2:
        return
    total = sum(f.yuan for f in items)
    tolerance = sum(f.tolerance for f in items)
    top = max(items, key=lambda f: f.yuan)
    if abs(2 * top.yuan - total) <= tolerance:
        return  # one payment is the sum of the others: a total and its parts
    # every budget stated up to the end of the funds section, each distinct amount once
    cover_values = {round(f.value, 2): f.tolerance for role in ("initial", "adjusted", "carryover")
                    for f in a.budget.found.get(role, []) if f.start < hi}
    cover = sum(cover_values) or budget.value
    cover_tol = sum(cover_values.values()) or budget.tolerance
    if total <= cover + cover_tol + tolerance or total > 2 * budget.value:
        return
    if rx_cached((p.explained,)).search(a.text):
        return
    unit = budget.figure.unit if budget.figure is not None else "元"
    name = ROLE_NAMES.get(budget.role, "预算")
    against = f"{name} {in_unit(cover, unit)}"
    if len(cover_values) > 1:
        against = ("各项预算合计 " + " + ".join(fmt(v / AMOUNT_SCALE[unit], 6) for v in cover_values)
                   + f" = {in_unit(cover, unit)}")
    shown = " + ".join(fmt(f.yuan / AMOUNT_SCALE[unit], 6) for f in items)
    yield a.finding(rule, budget.start, budget.end,
                    rule.say(total=in_unit(total, unit), name=name, budget=budget.text, count=len(items)),
                    evidence=f"{shown} = {in_unit(total, unit)} > {against}，超出 {in_unit(total - cover, unit)}"
                             "（支付项：" + "、".join(f.text for f in items) + "）")


def _paired(a: Analysis, f, budget_start: int) -> bool:
    """True when the payment ``f`` is written beside a budget or a balance of its own: in the
    budget's sentence ("预算 360 万元，全年支出 342.6 万元"), after another budget in its sentence
    ("子项目预算 480 万元，支出 466.5 万元"), or before a balance or a rate ("……，结余 15.5 万元"):
    the report states a total (or a part's total) there, not one payment of a list."""
    sentence = a.sentence_at(f.start)
    if sentence is None:
        return False
    if sentence.start <= budget_start < sentence.end:
        return True
    text = a.text
    if any(g.kind == "amount" and role_of(text, g.start) in ("initial", "adjusted")
           for g in a.figures_in(sentence.start, f.start)):
        return True
    return bool(_BALANCE.search(text, f.end, sentence.end))


def _clause(text: str, pos: int) -> str:
    """The clause before ``pos``, up to 40 characters."""
    prefix = text[max(0, pos - 40) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    return prefix[breaks[-1].end() :] if breaks else prefix


def _payment(a: Analysis, f, verbs: re.Pattern, not_paid: re.Pattern) -> bool:
    """True when the amount ``f`` is said to have been paid, in a clause of its own."""
    text = a.text
    line = a.lines_from(f.start, f.end)
    if line and line[0].is_table:
        return False
    clause = _clause(text, f.start)
    if not verbs.search(clause) or not_paid.search(clause):
        return False
    if OPERATOR_BEFORE.search(text, max(0, f.start - 3), f.start) or OPERATOR_AFTER.match(text, f.end):
        return False  # a factor of a working, a price per unit
    if _BOUND_AFTER.match(text, f.end):
        return False
    if role_of(text, f.start) not in (None, "spent"):
        return False  # 预算支出 X: a budget; 结余 X
    sentence = a.sentence_at(f.start)
    before = text[sentence.start if sentence else max(0, f.start - 40) : f.start]
    if before.count("（") + before.count("(") > before.count("）") + before.count(")"):
        return False  # inside the brackets that break down a figure
    if _PART.search(before):
        return False  # "支出 96 万元，其中支付……": a part of the figure before it
    year = a.year
    return not (year and any(int(y) != year for y in _YEAR.findall(clause)))
