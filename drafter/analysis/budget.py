"""The budget figures of a report, recognised from their cue words (年初预算, 调整后预算,
支出/执行数, 结余, 执行率, 自评分数) in the text and in the 自评表's funds block, all in 元."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from drafter.analysis.spans import Spans
from drafter.text.figures import AMOUNT_SCALE, Figure, parse_number

ROLES = ("initial", "adjusted", "carryover", "spent", "balance", "rate", "self_score")
ROLE_NAMES = {
    "initial": "年初预算",
    "carryover": "上年结转",
    "available": "年初预算加上年结转",
    "adjusted": "调整后预算",
    "spent": "支出",
    "balance": "结余",
    "rate": "执行率",
    "self_score": "自评分数",
}
_CUES = [
    ("balance", r"结余|结转|节余|剩余|余额|未支出|未使用"),
    # spending as a share of the budget, in the words reports use (到位率 and 完成率 are other shares)
    # (支付率, 使用率… of the money: after 资金/经费/预算 or standing alone, not 资源使用率 or 档案使用率)
    # (执行率 of the money, not 政府采购管理执行率 or 计划执行率: standing alone or after the money's words)
    ("rate", r"预算执行率|(?:(?<![\u4e00-\u9fff])|(?<=资金)|(?<=经费)|(?<=项目)|(?<=支出)|(?<=总体)|(?<=整体)"
             r"|(?<=年度)|(?<=全年)|(?<=当年)|(?<=本年)|(?<=实际)|(?<=综合)|(?<=平均)|(?<=的)|(?<=均)|(?<=其)"
             r"|(?<=总)|(?<=为)|(?<=：)|(?<=专项)|(?<=拨款))执行率|支出率|执行进度|支出进度"
             r"|(?:(?<![\u4e00-\u9fff])|(?<=资金)|(?<=经费)|(?<=预算))(?:支付率|拨付率|使用率|拨付进度|支付进度)"),
    ("adjusted", r"调整后|调减后|调增后|追加后|调整为|调减为|调增为|调整至|全年预算|预算调整|变更后"),
    ("delta", r"调减|调增|追加|压减|收回"),
    ("spent", r"支出|共支(?![持援付出])|执行数|执行金额|实际使用|已使用|使用资金|(?<!转移)支付|拨付"
              r"|(?<![应拟待未计划])发放|花费|用款|实际执行|全年执行|年度执行"),
    ("initial", r"(?<!公共)(?<!基金)预算支出(?![执进率])|年初|预算|安排|下达|批复|指标金额|预算指标|资金规模"),
]
_CUE_RE = re.compile("|".join(f"(?P<{role}>{rx})" for role, rx in _CUES))
_CLAUSE_BREAK = re.compile(r"[，,。；;！？\n（(]")
# Clauses whose amount is not this year's budget, spending or balance. Project names often
# contain 计划/标准/拟 (营养改善计划, 标准化考点, 模拟法庭): only the planning senses count.
_EXCLUDE = re.compile(
    r"其中|上年|去年|同比|较上|累计|计划(?:总?投资|支出|使用|安排|资金|下达|拨付|完成|数)|(?<![模虚])拟|预计|争取|人均"
    r"|每[人个台次户家]|标准(?!化)"
    # a difference: 比年初预算增加 758.97 万元, 较上年减少 (not 比例, 比重)
    r"|(?:(?<![对占])比(?![例率重较])|较(?![好大高低为多少差]))[^，,。；;]{0,12}?(?:增加|减少|增长|下降|降低|多出|少于)"
)
# 上年结转: part of the year's available funds (年度资金总额 = 当年拨款 + 上年结转 + 其他).
_CARRYOVER = re.compile(r"(?:上年度?|以前年度|往年|历年)(?:结转|结余|结存)")
_INCLUDED = re.compile(r"其中|含|包括")
_YEAR = re.compile(r"(20\d\d)\s*年")
# A budget adjustment, not any 调整 ("调整优化服务流程" is not about the budget).
_ADJUSTMENT = re.compile(r"预算调整|调整预算|调整(?:后|为|至)|调减|调增|追加|压减")
# A percentage compared with, not stated as, the rate.
_COMPARED = re.compile(r"(?:低于|高于|不足|超过|未达到?|达不到|小于|大于|不到|不低于|不高于)\s*$")
# Patterns matched at a figure's end or a line's start open with blanks: "(?<!\s)" (or, where
# the position may follow a line break, "(?<![^\S\n])" and blanks of one line) lets them start
# only where a run of blanks starts, so a search over a long run of blanks is linear (issue 13);
# at the positions they are matched at, the guard always holds.
_BOUND_AFTER = re.compile(r"(?<!\s)\s*(?:以上|以下|以内|的要求|的标准|的目标)")
_SELF_SCORE = re.compile(r"(?:自评(?:分数|得分|总分|结果|分)?|综合得分|总得分|总分)"
                         r"[为是：:\s]*(?:得)?\s*(\d+(?:\.\d+)?)\s*分")


@dataclass
class RoleFigure:
    role: str
    value: float  # 元 for amounts, percent for rate, points for score
    figure: Figure | None  # None when the value came from a table cell
    start: int
    end: int
    text: str
    decimals: int
    tolerance: float
    source: str = "text"  # "text" or "table"
    checked: bool = False  # a table's 总分 that equals the sum of its rows' scores
    weak: bool = False  # an initial budget read from 下达/安排/批复 alone (often one funding source)
    unit: str = ""  # the unit a table cell's amount is stated in (a text figure's is its figure's)


@dataclass
class Budget:
    found: dict[str, list[RoleFigure]] = field(default_factory=dict)
    has_adjustment_words: bool = False
    # amounts in 元 whose digits the report gives elsewhere in 万元 for the money (2089 元 beside
    # 2089 万元): a unit slip, kept out of ``found``, each with the figure it slipped from
    slips: list[tuple[RoleFigure, RoleFigure]] = field(default_factory=list)
    # answers of first(), budget_figure and budget_alternatives(), each with the stamp of the
    # figures it was computed from: rules ask them once per figure, and recomputing them each
    # time made a review quadratic in the report's figures
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _cached(self, key, compute):
        # figures are appended while the report is read (their counts date an answer) and only
        # _set_apart_slips takes some out, clearing the answers
        stamp = (self.has_adjustment_words, *((role, len(items)) for role, items in self.found.items()))
        hit = self._memo.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = compute()
        self._memo[key] = (stamp, value)
        return value

    def first(self, role: str) -> RoleFigure | None:
        return self._cached(("first", role), lambda: self._first(role))

    def _first(self, role: str) -> RoleFigure | None:
        items = self.found.get(role)
        if not items:
            return None
        # "上级下达资金 120 万元，县级配套 30 万元……项目预算 150 万元": the 预算 figure is the budget
        return next((f for f in items if not f.weak), items[0])

    def value(self, role: str) -> float | None:
        f = self.first(role)
        return f.value if f else None

    @property
    def budget_figure(self) -> RoleFigure | None:
        """The budget that execution is measured against: 调整后预算, else 年初预算 (plus the
        上年结转 the report names beside it) when the report shows no adjustment."""
        return self._cached("budget_figure", self._budget_figure)

    def _budget_figure(self) -> RoleFigure | None:
        adjusted = self.first("adjusted")
        if adjusted:
            return adjusted
        if not self.has_adjustment_words:
            initial, carry = self.first("initial"), self.first("carryover")
            if initial and carry:
                return _plus(initial, carry)
            return initial
        return None

    def budget_alternatives(self) -> tuple[RoleFigure, ...]:
        """Every reading of "the year's budget" the report supports: the budget figure (first),
        and with a 上年结转 named, the budget with and without it (reports differ on whether
        调整后预算 already includes the carry-over)."""
        return self._cached("budget_alternatives", self._budget_alternatives)

    def _budget_alternatives(self) -> tuple[RoleFigure, ...]:
        main = self.budget_figure
        if main is None:
            return ()
        out = [main]
        carry = self.first("carryover")
        if carry:
            if main.role == "available":
                out.append(self.first("initial"))
            else:
                out.append(_plus(main, carry))
        if main.role in ("initial", "available"):
            # several initial figures (funding sources, a total): any of them may be the budget
            first_initial = self.first("initial")
            out.extend(f for f in self.found.get("initial", []) if f.source == "text" and f is not first_initial)
        return tuple(out)

    @property
    def execution(self) -> float | None:
        """支出 / 预算 as a fraction, or None when either is unknown."""
        b, s = self.budget_figure, self.first("spent")
        if b is None or s is None or b.value <= 0:
            return None
        return s.value / b.value


def score_ceiling(rate: float, exec_weight: float = 10.0) -> tuple[float, float]:
    """What the execution rate allows: the points of 预算执行率 (执行率 × its weight, at most
    the weight) and the highest total score (100 − the weight + those points)."""
    points = min(rate, 1.0) * exec_weight
    return points, 100 - exec_weight + points


def _plus(budget: RoleFigure, carry: RoleFigure) -> RoleFigure:
    return RoleFigure("available", budget.value + carry.value, budget.figure, budget.start, budget.end, budget.text,
                      min(budget.decimals, carry.decimals), budget.tolerance + carry.tolerance, budget.source)


def last_cue(clause: str) -> tuple[str, int, int] | None:
    """(role, start, end) of the last budget cue word in ``clause``."""
    last = None
    for m in _CUE_RE.finditer(clause):
        last = (m.lastgroup, m.start(), m.end())
    return last


def ends_with_cue(text: str) -> bool:
    """True when ``text`` ends with a budget cue word (年初预算, 调整后)."""
    return any(m.end() == len(text) for m in _CUE_RE.finditer(text))


def role_of(text: str, fig_start: int, window: int = 40) -> str | None:
    """The budget role of an amount at ``fig_start`` from the cue words of its clause."""
    lo = max(0, fig_start - window)
    prefix = text[lo:fig_start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    if not prefix.strip():
        return None
    if _CARRYOVER.search(prefix) and not _INCLUDED.search(prefix):
        return "carryover"
    if _EXCLUDE.search(prefix):
        return None
    best = None
    roles = set()
    for m in _CUE_RE.finditer(prefix):
        best = m.lastgroup
        roles.add(m.lastgroup)
    if best == "initial" and "adjusted" in roles:
        best = "adjusted"
    if best == "delta" or (best == "initial" and "delta" in roles):
        return None  # 调减 3000 元, 追加预算 430800 元: the size of a change, not a budget
    return best


# A whole department's report (部门整体支出): its figures belong to several scopes (the
# department, 基本支出, 项目支出, each project, 三公经费), each with its own budget and spending;
# one project's identity 预算 − 支出 = 结余 read across them pairs figures of different scopes.
_DEPARTMENT_WIDE = re.compile(r"部门整体(?:支出)?绩效|整体支出绩效|部门整体支出")


# ... and a report on several projects, one numbered item each with its own budget ("1、烈士纪念
#设施维修项目：预算 35.3 万元……2、……项目：预算 20 万元"; "（一）红十字事业发展工作经费绩效自评综述：
# 项目全年预算数 1290.00 万元……（二）……综述：项目年预算批复金额为 900 万元")
_PROJECT_ITEM = re.compile(r"(?:\d{1,2}[、．.]|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*[^。：；\n，]{2,40}"
                           r"(?:项目|工程|经费|资金|综述)[：]\s*(?:项目)?[^。：；\n，\d]{0,4}预算")


def is_bound(text: str, fig: Figure) -> bool:
    """A percentage compared with ("低于 90%", "不低于 90%") or bounding ("90% 以上"), not stated."""
    return bool(_COMPARED.search(text, max(0, fig.start - 6), fig.start) or _BOUND_AFTER.match(text, fig.end))


def _title(analysis) -> str:
    """The report's title: its metadata's, and the short lines among its first four ("附件 5",
    the title, "(2023 年度)"); a notice cited in the first paragraph may name another kind of
    report, and is not the title."""
    meta = analysis.report.meta or {}
    lines = islice((t for t in (analysis.text[line.start : line.end].strip() for line in analysis.lines) if t), 4)
    return " ".join([str(meta.get("title") or ""), *(t for t in lines if len(t) <= 60)])


def read_budget(analysis) -> Budget:
    text = analysis.text
    budget = Budget()
    if _DEPARTMENT_WIDE.search(_title(analysis)) or len(_PROJECT_ITEM.findall(text)) >= 2:
        return budget  # no single scope: the project's identity is not read (see _DEPARTMENT_WIDE)
    year = analysis.year
    budget.has_adjustment_words = bool(_ADJUSTMENT.search(text))
    # table rows are read by their columns (_read_funds_table), not as prose: a row's target
    # "100%" after "预算执行率 |" is not the stated execution rate
    table_spans = Spans([(line.start, line.end) for line in analysis.lines if line.is_table]
                        + [(t.start, t.end) for t in analysis.tables if t.layout == "form"])  # the 自评表 pasted
    sources = len(_source_levels(text)) >= 2
    for fig in analysis.figures:
        if fig.approx or fig.kind not in ("amount", "percent") or fig.start in table_spans:
            continue
        if fig.kind == "amount":
            role = role_of(text, fig.start)
            if (role in (None, "rate", "self_score") or _other_year(text, fig.start, year)
                    or _is_part(analysis, fig, sources)):
                continue
            _add(budget, role, fig.yuan, fig, fig.tolerance, weak=role == "initial" and _weak_initial(text, fig.start))
        elif fig.kind == "percent":
            if is_bound(text, fig):
                continue  # "执行率低于 90%": a threshold, not the stated rate
            if (role_of(text, fig.start) == "rate" and not _other_year(text, fig.start, year)
                    and not _is_part(analysis, fig, sources)):
                _add(budget, "rate", fig.value, fig, fig.tolerance)
    for m in _SELF_SCORE.finditer(text):
        if _not_this_score(text, m.start(), year) or m.start() in table_spans:
            continue
        value, decimals = parse_number(m.group(1))
        budget.found.setdefault("self_score", []).append(
            RoleFigure("self_score", value, None, m.start(), m.end(), m.group(0), decimals, 0.5 * 10**-decimals)
        )
    _read_funds_table(analysis, budget)
    _read_total_score(analysis, budget)  # after the text's: the text's self-score comes first
    _set_apart_slips(budget)
    return budget


def _set_apart_slips(budget: Budget) -> None:
    """An amount in 元 with the very digits of an amount in 万元 of the money (2089 元, 2089 万元;
    three significant digits at least, so not 100 or 500) is the 万元 amount with its unit slipped."""
    wan = {}
    for figs in budget.found.values():
        for f in figs:
            if f.figure is not None and f.figure.unit == "万元":
                wan.setdefault(f.figure.value, f)
    for role, figs in budget.found.items():
        if role in ("rate", "self_score"):
            continue
        keep = []
        for f in figs:
            g = wan.get(f.figure.value) if f.figure is not None and f.figure.unit == "元" else None
            if g is not None and len(f.figure.text.rstrip("元").replace(".", "").replace(",", "").strip("0")) >= 3:
                budget.slips.append((f, g))
            else:
                keep.append(f)
        figs[:] = keep
    budget._memo.clear()  # figures left ``found``: answers computed before are stale


# --- parts of the whole: a funding source's, a use's, a line of a working -----------------------
# a funding source: 中央/上级/自筹 …资金, or a level with 级/本级/财政 (县级财政资金, 省级专项资金);
# a bare 市/县 is not one (县市场监督管理局经费)
_SOURCE = re.compile(r"(?:(中央|上级|自筹|上年结转|社会)|(省|市|县|区|镇)(?:本级|级|财政))"
                     r"[\u4e00-\u9fff]{0,12}?(?:资金|补助|配套|拨款|经费)")
_PART_LEAD = re.compile(r"其中|分来源|分用途|按来源|按用途|分项目|分别|"
                        r"[一二三四五六七八九十]是|其[一二三四五六七八九十][，、：:]")
_ITEM = re.compile(r"(?<![^\S\n])[^\S\n]*(?:(?<!\d)\d+[.、．]|[（(][\d一二三四五六七八九十]+[)）]"
                   r"|(?<![一二三四五六七八九十])[一二三四五六七八九十]+是|[①②③④⑤⑥⑦⑧⑨⑩])")
_SUMMED = re.compile(r"合计|共计|总|共")
# a figure that is a factor of a working ("300 人 × 1200 元"), or a price per unit (… 元/人, 每…)
OPERATOR_BEFORE = re.compile(r"[×xX*＊÷/]\s*$")
OPERATOR_AFTER = re.compile(r"(?<!\s)\s*(?:[×xX*＊÷/]|每)")
_TOTAL_BEFORE = re.compile(r"(?:合计|共计|总计|总额|共支出?|共(?:支付|拨付|使用|下达|安排|投入))[为是：:]?\s*$")
_EQUALS_BEFORE = re.compile(r"[=＝]\s*$")
_CLOSED_PARENS = re.compile(r"[（(][^（）()]*[)）]")
_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")  # an item "二是……；……" runs to its 。


def _source_levels(text: str) -> set[str]:
    """The funding levels a report names (中央, 省, 市, 县, 镇, 自筹…): two or more mean its
    figures may be one source's."""
    return {m.group(1) or ("县" if m.group(2) == "区" else m.group(2)) for m in _SOURCE.finditer(text)}


def _is_part(analysis, fig: Figure, several_sources: bool) -> bool:
    """True when an amount or rate is a part of the project's figure, not the figure itself:
    a factor or product of a working ("450人 × 1200元 = 540000元"), a figure in the 分用途
    section, or one in a sentence about one funding source or led by 其中/分来源看 (unless
    its clause sums them: "合计 2060 万元")."""
    text = analysis.text
    before = text[max(0, fig.start - 3) : fig.start]
    if OPERATOR_BEFORE.search(before) or OPERATOR_AFTER.match(text, fig.end):
        return True
    lo = max(0, fig.start - 300)
    breaks = list(_SENTENCE_BREAK.finditer(text, lo, fig.start))
    sentence = text[breaks[-1].end() if breaks else lo : fig.start]
    if _EQUALS_BEFORE.search(before) and re.search(r"[×xX*＊]", sentence):
        return True
    section = analysis.section_at(fig.start)
    if section is not None and any("用途" in t for t in section.titles()):
        return True
    if _TOTAL_BEFORE.search(text, max(0, fig.start - 12), fig.start):
        return False  # "(1)……专项资金共支 182.564 万元": a numbered paragraph's total, not a part
    if _in_listed_items(text, fig.start) or _ENUMERATED_CLAUSE.match(text, _clause_start(text, fig.start)):
        return True
    sentence = _CLOSED_PARENS.sub("", sentence)  # "预算 520 万元（中央 300 万元、县级 220 万元），全年支出…"
    if sentence.count("（") + sentence.count("(") > sentence.count("）") + sentence.count(")"):
        return True  # inside the brackets that break down the figure before them
    if _in_named_item(text, fig.start):
        return True
    clause_breaks = list(_CLAUSE_BREAK.finditer(sentence))
    clause = sentence[clause_breaks[-1].end() :] if clause_breaks else sentence
    if _SUMMED.search(clause):
        return False
    # the clause, or the sentence whose subject it is, names one sub-project, lot or batch
    scope = _SUB_SCOPE.search(sentence)
    if scope and (scope.start() < 20 or _SUB_SCOPE.search(clause)):
        return True
    if _after_breakdown_intro(analysis, fig.start):
        return True
    return bool(_PART_LEAD.search(sentence) or (several_sources and _SOURCE.search(sentence)))


# a clause that opens with an enumerator: one item of a list ("；④新一轮退耕还林补助……到位率0%；
# 5新一轮……"); a date (12月) is not one
_ENUMERATED_CLAUSE = re.compile(r"(?<![^\S\n])[^\S\n]*(?:[①②③④⑤⑥⑦⑧⑨⑩⑪⑫]"
                                r"|\d{1,2}(?=[\u4e00-\u9fff])(?![月日年号时个万元亿])|[（(]\d{1,2}[)）])")


def _clause_start(text: str, pos: int) -> int:
    line = text.rfind("\n", 0, pos)  # the others are looked for in the line only: not the whole text
    return max(line, *(text.rfind(c, line + 1, pos) for c in "；;。")) + 1


# a clause about one sub-project, lot or batch ("校舍改造子项目预算 620 万元", "二标段支出")
_SUB_SCOPE = re.compile(r"子项目|分项目|子项|标段|第[一二三四五六七八九十\d]+[批期标包]")
# a paragraph that is an item named by a short title: "（1）老化管网更换。……支出 204.3 万元"
_NAMED_ITEM = re.compile(r"(?<![^\S\n])[^\S\n]*(?:[（(][\d一二三四五六七八九十]+[)）]|(?<!\d)\d+[.、．]|[①②③④⑤⑥⑦⑧⑨⑩])"
                         r"\s*([^。：:；;\n]{2,16})[。：:]")
# ... or an item of such a run inside a paragraph, after a full stop or glued to the line before
_INLINE_ITEM = re.compile(r"(?:(?<=[。；\n])|(?<=[\u4e00-\u9fff]))[^\S\n]*\d{1,2}[、．.]\s*"
                          r"([^。：:；;\n，,\d][^。：:；;\n，,]{1,29})[：:]")
_ITEM_NOUNS = ("项目", "工程", "工作", "补助", "补贴")  # a title naming one project is an item, whatever words it has
# ... unless the title names the money or a topic of the whole ("1、资金投入情况。")
_TOPIC_TITLE = re.compile(r"资金|预算|支出|执行|收支|结余|结转|投入|使用|情况|总体|整体|绩效|目标|管理|成本|经费"
                          r"|概况|基本|简介|背景|说明")


# a line that introduces a breakdown: "各子项目执行情况：", "分项目看：", "具体如下："
_BREAKDOWN_INTRO = re.compile(r"(?:各|分|子项目|如下|分别)[^。；\n]{0,20}[：:]\s*$")


def _after_breakdown_intro(analysis, pos: int, max_paragraphs: int = 12) -> bool:
    """True when ``pos`` stands in one of the paragraphs that follow a line introducing a
    breakdown, in the same section, before any line that sums them (合计, 共计)."""
    text = analysis.text
    section = analysis.section_at(pos)
    end = text.rfind("\n", 0, pos)
    for _ in range(max_paragraphs):
        if end <= 0:
            return False
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        end = start - 1
        if not line:
            continue
        if analysis.section_at(start) is not section:
            return False
        if _BREAKDOWN_INTRO.search(line):
            return True
        if re.search(r"合计|共计|总计", line):
            return False
    return False


def _in_named_item(text: str, pos: int) -> bool:
    """True when ``pos`` stands in an item named by a short title: a paragraph that opens with
    one, or a sentence of a run of numbered items ("共有5个项目。1、烈士纪念设施维修项目：预算…。
    2、…项目：预算…")."""
    start = text.rfind("\n", 0, pos) + 1
    m = _NAMED_ITEM.match(text, start)
    if m and m.end() <= pos and not _TOPIC_TITLE.search(m.group(1)):
        return True
    items = list(_INLINE_ITEM.finditer(text, max(start, pos - 120), pos))
    if not items or re.search(r"[。；]", text[items[-1].end() : pos]):
        return False
    title = items[-1].group(1)
    return title.endswith(_ITEM_NOUNS) or not _TOPIC_TITLE.search(title)


def _in_listed_items(text: str, pos: int, max_items: int = 12) -> bool:
    """True when ``pos`` stands in an enumerated item of a list introduced by a line ending in
    a colon ("其中：", "分用途支出情况：" followed by "1. …", "2. …")."""
    start = text.rfind("\n", 0, pos) + 1
    if not _ITEM.match(text, start):
        return False
    for _ in range(max_items):
        if start == 0:
            return False
        prev_end = start - 1
        while prev_end > 0 and text[prev_end - 1] == "\n":
            prev_end -= 1  # blank lines between items
        prev_start = text.rfind("\n", 0, prev_end) + 1
        line = text[prev_start:prev_end].rstrip()
        if line.endswith(("：", ":")):
            return True
        if not _ITEM.match(line):
            return False
        start = prev_start
    return False


def _read_total_score(analysis, budget: Budget) -> None:
    """A 自评表 states its self-score in the indicator table's 总分 row (the text may state it
    too: stated-twice compares them)."""
    from drafter.text.tables import indicator_tables

    for it in indicator_tables(analysis):
        for row in it.rows:
            if row.is_total and row.score is not None:
                cell = it.cell(row, it.col_score)
                m = re.search(r"\d+(?:\.\d+)?", cell.text)
                value, decimals = parse_number(m.group(0))
                start = cell.start + m.start()
                scores = [r.score for r in it.rows if not r.is_total and r.score is not None]
                checked = bool(scores) and abs(sum(scores) - value) <= 0.005 * len(scores) + 0.5 * 10**-decimals
                budget.found.setdefault("self_score", []).append(
                    RoleFigure("self_score", value, None, start, start + len(m.group(0)), cell.text, decimals,
                               0.5 * 10**-decimals, "table", checked)
                )
                return


# "2022 年度自评得分 100 分", "上年自评 95 分", "指标体系总分 100 分": not this year's self-score
_SCORE_EXCLUDE = re.compile(r"上年|去年|往年|以前年度|满分|体系|分值|权重|设置|设定|百分制")
# "实际完成值≥90%，自评得分20分": one indicator's score, not the report's
_INDICATOR_SCORE = re.compile(r"完成值|指标值|目标值")


def _not_this_score(text: str, pos: int, year: int | None) -> bool:
    prefix = text[max(0, pos - 30) : pos]
    breaks = list(re.finditer(r"[，,。；;\n]", prefix))
    clause = prefix[breaks[-1].end() :] if breaks else prefix
    # the clause before gives one indicator's value ("实际完成值≥90%，自评得分20分"), or a section's
    # weight ("一、投入（分值18分，自评得18分）"): the score is a part's
    before = (prefix[breaks[-2].end() : breaks[-1].start()] if len(breaks) >= 2
              else (prefix[: breaks[-1].start()] if breaks else ""))
    indicator = bool((_INDICATOR_SCORE.search(before) or "分值" in before) and re.search(r"\d", before))
    opened = prefix.rfind("（") > prefix.rfind("）") or prefix.rfind("(") > prefix.rfind(")")
    indicator = indicator or (opened and "分值" in text[max(0, pos - 30) : pos])
    # a numbered heading carrying its section's score: "二、预算执行情况（自评得分10分）",
    # "1.数量指标（自评得分20分）：……" (not one that names the whole: 自评结论, 综合评价)
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    section = bool(_NUMBERED_HEAD.match(line) and opened and not _WHOLE.search(line))
    return bool(_SCORE_EXCLUDE.search(clause)) or indicator or section or _other_year(text, pos, year)


_NUMBERED_HEAD = re.compile(r"(?<!\s)\s*(?:(?<![一二三四五六七八九十])[一二三四五六七八九十]+[、．.]"
                            r"|[（(][一二三四五六七八九十\d]+[)）]|(?<!\d)\d+[、．.])")
_WHOLE = re.compile(r"自评结论|综合评价|总体评价|评价结论|自评结果|总分|总体情况")


def _add(budget: Budget, role: str, value: float, fig: Figure, tol: float, weak: bool = False) -> None:
    budget.found.setdefault(role, []).append(
        RoleFigure(role, value, fig, fig.start, fig.end, fig.text, fig.decimals, tol, weak=weak)
    )


_STRONG_INITIAL = re.compile(r"年初|预算|资金规模")
# the number of a list's item (分解下达预算情况1.重点项目补助资金874万元): the item is a part of
# the budget the heading before it names
_ITEM_NUMBER = re.compile(r"(?<![\d.])\d{1,2}[.、．](?!\d)")


def _weak_initial(text: str, pos: int) -> bool:
    """True when an initial-budget amount's clause names no 年初/预算 (only 下达/安排/批复)."""
    prefix = text[max(0, pos - 40) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(prefix)) + list(_ITEM_NUMBER.finditer(prefix))
    clause = prefix[max(b.end() for b in breaks) :] if breaks else prefix
    return not _STRONG_INITIAL.search(clause)


def _other_year(text: str, pos: int, year: int | None) -> bool:
    """True when the clause before ``pos`` names a year other than the report's."""
    if year is None:
        return False
    start = max(0, pos - 40)
    prefix = text[start:pos]
    breaks = list(re.finditer(r"[。；;\n]", prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    return any(int(y) != year for y in _YEAR.findall(prefix))


_TABLE_ROLES = [
    ("initial", ("年初预算",)),
    ("adjusted", ("全年预算", "调整后预算")),
    ("spent", ("全年执行", "执行数", "实际支出")),
    ("rate", ("执行率",)),
]


_TOTAL_ROW = re.compile(r"总额|^\s*(?:合\s*计|总\s*计)\s*$")
_CAPTION_WAN = re.compile(r"(?:单位|金额)\s*[：:]\s*万元|[（(]\s*万元\s*[)）]")


def _table_in_wan(analysis, table, row) -> bool:
    """A funds table in 万元: its header or the row's label says so, or the caption line just
    above it ("资金执行情况（单位：万元）")."""
    if "万元" in table.header_text or (row and "万元" in row[0].text):
        return True
    before = analysis.text[max(0, table.start - 80) : table.start].rstrip()
    caption = before[before.rfind("\n") + 1 :]
    return bool(_CAPTION_WAN.search(caption))


def _unitless_matches_wan(analysis, table, row, budget: Budget) -> bool:
    """A funds table that names no unit at all, whose amounts are the text's 万元 amounts
    (财政年初预算 40 万元 beside a row "40 | 40 | 100%"): in 万元 too."""
    before = analysis.text[max(0, table.start - 80) : table.start]
    if "元" in table.header_text or "元" in before[before.rfind("\n") + 1 :] or (row and "元" in row[0].text):
        return False
    wan = {f.figure.value for figs in budget.found.values() for f in figs
           if f.source == "text" and f.figure is not None and f.figure.unit == "万元"}
    cells = {v for v in (parse_cell(c.text) for c in row[1:]) if v is not None}
    return bool(wan & cells)


def parse_cell(text: str) -> float | None:
    m = re.fullmatch(r"(?<!\s)\s*(\d[\d,]*(?:\.\d+)?)\s*", text)
    return float(m.group(1).replace(",", "")) if m else None


def _read_funds_table(analysis, budget: Budget) -> None:
    """The 自评表 funds block: the 年度资金总额 row under 年初预算数/全年预算数/全年执行数."""
    for table in analysis.tables:
        cols = {role: table.column(*keys) for role, keys in _TABLE_ROLES}
        if cols["spent"] is None or (cols["adjusted"] is None and cols["initial"] is None):
            continue
        # the totals row: 年度资金总额 / 合计 / 总计; a table of several rows and none of them a
        # total lists parts (by source, by project), and a lone row is the table's own total
        rows = [r for r in table.rows if any(_TOTAL_ROW.search(c.text) for c in r[:2])]
        if not rows and len(table.rows) == 1:
            rows = table.rows
        for row in rows[:1]:
            amounts = [row[c].text.strip() for r, c in cols.items() if r != "rate" and c is not None and c < len(row)]
            if amounts and all(re.fullmatch(r"0+(?:\.0+)?", x) for x in amounts):
                continue  # a total row left 0 (its parts are filled): it states no budget (table-total flags it)
            scale = AMOUNT_SCALE["万元"] if (_table_in_wan(analysis, table, row)
                                            or _unitless_matches_wan(analysis, table, row, budget)) else 1.0
            for role, col in cols.items():
                if col is None or col >= len(row):
                    continue
                cell = row[col]
                m = re.search(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*[%％]?", cell.text)
                if not m:
                    continue
                value, decimals = parse_number(m.group(1))
                tol = 0.5 * 10**-decimals
                if role != "rate":
                    value, tol = value * scale, tol * scale
                start = cell.start + m.start()
                budget.found.setdefault(role, []).append(
                    RoleFigure(role, value, None, start, start + len(m.group(0)), cell.text, decimals, tol, "table",
                               unit="" if role == "rate" else ("万元" if scale != 1.0 else "元"))
                )
