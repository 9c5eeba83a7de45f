"""What the claim types share: a claim's clause and the clauses around it, the figures that can
support an outcome (not money, years, dates, document numbers or list numbers, not a bare 100%
or a bound such as "≥90%"), table spans, and the report's own signs of a shortfall (execution
below a threshold, a stated payment rate below it, "暂未完工"/"未完成" in its text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary

from drafter.analysis.spans import Spans
from drafter.analysis.view import Analysis, Sentence
from drafter.text.figures import fmt

# clause breaks inside a sentence (the analysis folds punctuation to full width)
_BREAK_CHARS = "，；：,;:"


@dataclass(frozen=True)
class Clause:
    start: int  # analysis offsets
    end: int


def clause_around(s: Sentence, a_start: int, a_end: int) -> Clause:
    """The clause of ``s`` holding ``[a_start, a_end)``: from the last clause break before it to
    the first one after it (a break inside the span does not cut it)."""
    lo = max((s.text.rfind(c, 0, a_start - s.start) for c in _BREAK_CHARS), default=-1) + 1
    ends = [i for i in (s.text.find(c, a_end - s.start) for c in _BREAK_CHARS) if i >= 0]
    hi = min(ends) if ends else len(s.text)
    return Clause(s.start + lo, s.start + hi)


def next_clause(s: Sentence, c: Clause) -> Clause | None:
    """The clause of ``s`` after ``c`` (None at the sentence's end)."""
    if c.end >= s.end:
        return None
    start = c.end + 1
    rest = s.text[start - s.start :]
    ends = [i for i in (rest.find(ch) for ch in _BREAK_CHARS) if i >= 0]
    return Clause(start, start + (min(ends) if ends else len(rest)))


def previous_clause(s: Sentence, c: Clause) -> Clause | None:
    """The clause of ``s`` before ``c`` (None at the sentence's start)."""
    if c.start <= s.start:
        return None
    head = s.text[: c.start - s.start - 1]
    lo = max((head.rfind(ch) for ch in _BREAK_CHARS), default=-1) + 1
    return Clause(s.start + lo, c.start - 1)


# --- fast scanning ---------------------------------------------------------------------------
@lru_cache(maxsize=128)
def scanner(patterns: tuple[str, ...]) -> re.Pattern:
    """The alternation of ``patterns`` led by a lookahead on the characters a match can start
    with, when they can be read from the patterns: the regex engine then skips every other
    position at once (three to four times faster on a long text); the matches are the same."""
    alternation = "|".join(f"(?:{p})" for p in patterns)
    chars: set[str] = set()
    for p in patterns:
        first = _first_chars(p)
        if not first:
            return re.compile(alternation)
        chars |= first
    klass = "".join(sorted(re.escape(c) for c in chars))
    return re.compile(f"(?=[{klass}])(?:{alternation})")


def _first_chars(pattern: str) -> set[str] | None:
    """The characters a match of ``pattern`` can start with, or None when that cannot be told
    (a class with ranges, a pattern that may match empty, anything unusual)."""
    try:
        from re import _constants as c
        from re import _parser
        items = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - a private module may change: scan without the lookahead
        return None
    out: set[str] = set()

    def walk(seq) -> bool | None:  # True: may match empty so far; None: unknown
        for op, av in seq:
            if op is c.LITERAL:
                out.add(chr(av))
                return False
            if op is c.IN:
                if any(o is not c.LITERAL for o, _ in av):
                    return None
                out.update(chr(a) for _, a in av)
                return False
            if op is c.SUBPATTERN:
                r = walk(av[-1])
                if r is None or not r:
                    return r
                continue
            if op is c.BRANCH:
                empty = False
                for branch in av[1]:
                    r = walk(branch)
                    if r is None:
                        return None
                    empty |= r
                if not empty:
                    return False
                continue
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, _, sub = av
                r = walk(sub)
                if r is None:
                    return None
                if lo > 0 and not r:
                    return False
                continue
            if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                continue
            return None
        return True

    return out if walk(items) is False else None


# --- outcome figures ------------------------------------------------------------------------
# numbers with a unit the figure reader does not know (km, hm, t, kg, 公顷, 架, 台套 ...): any
# Arabic number but a year, a date, a document or list number, money or a score
_MEASURE = re.compile(r"(?<![\d.,〔\[［第（(])(\d+(?:\.\d+)?)(?![\d.,])\s*(?:万|千|百)?\s*"
                      r"([a-zA-Z㎡㎞㎏]{1,4}|[一-龥])")
_NOT_MEASURE = set("年月日号元分时届期版条款项次是为至到和及与或、")
_BOUND_BEFORE = re.compile(r"(?:[≥≤≧≦><＞＜]|不低于|不少于|不高于|不超过|大于|小于|高于|低于|超过|以内|控制在)"
                           r"\s*(?:等于)?\s*$")
_BOUND_AFTER = re.compile(r"^\s*(?:以上|以下|以内)")


def outcome_figures(a: Analysis, start: int, end: int, skip: tuple[int, int] | None = None) -> list[str]:
    """Texts of the figures in ``[start, end)`` that can stand for a measured outcome: counts,
    percentages and physical quantities; not amounts of money, not scores, not a bare 100%, not a
    bound ("≥90%", "90%以上"), and none inside ``skip`` (the claim's own words)."""
    out = []
    text = a.text

    def inside_skip(fs: int, fe: int) -> bool:
        return skip is not None and fs < skip[1] and skip[0] < fe

    for f in a.figures_in(start, end):
        if f.kind not in ("percent", "count") or inside_skip(f.start, f.end):
            continue
        if f.kind == "percent" and abs(f.value - 100) < 1e-9:
            continue
        if _BOUND_BEFORE.search(text[max(start, f.start - 5) : f.start]) and f.kind == "percent":
            continue
        if _BOUND_AFTER.match(text[f.end : f.end + 3]):
            continue
        out.append(f.text)
    taken = {(f.start, f.end) for f in a.figures_in(start, end)}
    for m in _MEASURE.finditer(text, start, end):
        unit = m.group(2)
        if inside_skip(m.start(), m.end()) or unit in _NOT_MEASURE or any(fs <= m.start(1) < fe for fs, fe in taken):
            continue
        if text[m.end() : m.end() + 1] in _NOT_MEASURE:  # "20xx年", "3.2节"
            continue
        if _BOUND_BEFORE.search(text[max(start, m.start() - 5) : m.start()]):
            continue
        out.append(m.group(0))
    return out


# --- labelled lines ---------------------------------------------------------------------------
# "2.项目资金执行情况：具体工作由……", "绩效目标：按时足额发放……": optional numbering, a short
# label, "：", the body
LABELLED = re.compile(
    r"^\s*(?:(?:\d{1,2}\s*[.、．]|[（(]\s*\d{1,2}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、|[（(][一二三四五六七八九十]{1,3}[)）]"
    r"|[①-⑳])\s*)?"  # the blanks after the number inside the optional part: two runs in a row backtrack
    r"([^，。：；（）()\s]{2,16}?)\s*[：:]\s*(\S.*[^：:\s])\s*$"
)


def line_label(a: Analysis, pos: int) -> str:
    """The label of the labelled line holding ``pos`` ("" when its line has none, or ``pos`` is
    past the label's sentence): a label titles its sentence as a heading titles its section."""
    start = a.text.rfind("\n", 0, pos) + 1
    end = a.text.find("\n", pos)
    m = LABELLED.match(a.text[start : end if end >= 0 else len(a.text)])
    if not m or pos < start + m.start(2):
        return ""
    # the label titles its own sentence: "绩效目标：……。节约大量的人力……" goes on with other matters
    return "" if re.search("[。！？；]", a.text[start + m.start(2) : pos]) else m.group(1)


def has_measure(a: Analysis, start: int, end: int) -> bool:
    """True when ``[start, end)`` holds a quantity: a figure or an Arabic number with a unit."""
    return bool(a.figures_in(start, end)) or any(
        m.group(2) not in _NOT_MEASURE and a.text[m.end() : m.end() + 1] not in _NOT_MEASURE
        for m in _MEASURE.finditer(a.text, start, end))


# --- tables ---------------------------------------------------------------------------------
def in_table(a: Analysis, pos: int) -> bool:
    """True when ``pos`` lies in a table the analysis read (a pipe table or a 自评表 read from
    flattened cells): table rows are the table rules' business."""
    # by bisection (a claim or a section asking every table was quadratic in a long report)
    spans = _TABLE_SPANS.get(a)
    if spans is None:
        spans = _TABLE_SPANS[a] = Spans((t.start, t.end) for t in a.tables)
    return pos in spans


_TABLE_SPANS: WeakKeyDictionary = WeakKeyDictionary()


_LEVEL_CELL = re.compile(r"^(?:产出|效益|满意度)指标"
                         r"|^(?:数量|质量|时效|成本|社会效益|经济效益|生态效益|可持续影响|服务对象满意度)(?:指标)?$"
                         r"|^(?:年度)?指标值$|^预期目标$")


def bare_cell(a: Analysis, pos: int) -> bool:
    """True when ``pos`` stands in a line that is one cell of a table pasted one cell per line
    (a short line with no sentence punctuation, a few lines after an indicator level or a 指标值
    header): a target cell ("应助尽助") is not a claim."""
    start = a.text.rfind("\n", 0, pos) + 1
    end = a.text.find("\n", pos)
    line = a.text[start : end if end >= 0 else len(a.text)].strip()
    if len(line) > 14 or re.search(r"[，。；：]", line):
        return False
    lines = [x.strip() for x in a.text[max(0, start - 200) : start].split("\n") if x.strip()][-4:]
    return any(_LEVEL_CELL.search(x) for x in lines)


# --- the report's own signs of a shortfall --------------------------------------------------
@dataclass(frozen=True)
class Shortfall:
    kind: str  # "words" (the report says so), "signs" (it says something that suggests so) or "money"
    evidence: str
    start: int  # where the report says it (analysis offsets), -1 for a computed rate
    end: int


_CACHE: WeakKeyDictionary = WeakKeyDictionary()
_RATE_VALUE = re.compile(r"[^，。；！？\n\d]{0,8}?(?<!\d)(\d+(?:\.\d+)?)\s*%")  # a number, not a run's tail
_RATE_HEDGE = re.compile(r"[≥≤≧≦>＞]|不低于|不少于|目标|要求|计划|上年|去年")


def shortfalls(a: Analysis, words: re.Pattern | None, not_words: re.Pattern | None, rates: re.Pattern | None,
               threshold: float, signs: re.Pattern | None = None) -> list[Shortfall]:
    """Every place the report shows that it fell short: its budget execution or a stated
    payment rate below ``threshold`` ("money"), a sentence saying a task is unfinished
    (``words``, unless ``not_words`` matches right after: "未完成的绩效目标" is a heading), or one
    showing that it may be (``signs``: "项目进展缓慢")."""
    key = tuple(x.pattern if x else "" for x in (words, not_words, rates, signs)) + (threshold,)
    cached = _CACHE.setdefault(a, {})
    if key in cached:
        return cached[key]
    out: list[Shortfall] = []
    rate = a.budget.execution
    if rate is not None and rate < threshold:
        spent, budget = a.budget.first("spent"), a.budget.budget_figure
        out.append(Shortfall("money", f"执行率 {fmt(spent.value)} / {fmt(budget.value)} = "
                                      f"{rate * 100:.2f}% < {threshold * 100:.0f}%", -1, -1))
    text = a.text
    if rates:
        for m in rates.finditer(text):
            v = _RATE_VALUE.match(text, m.end())
            if not v or float(v.group(1)) >= threshold * 100 or _RATE_HEDGE.search(text, m.end(), v.start(1)):
                continue
            if _BOUND_AFTER.match(text, v.end()):
                continue
            out.append(Shortfall("money", f"报告写“{text[m.start() : v.end()]}” < {threshold * 100:.0f}%",
                                 m.start(), v.end()))
    for kind, rx in (("words", words), ("signs", signs)):
        for m in rx.finditer(text) if rx else ():
            if not_words and not_words.match(text, m.end()):
                continue
            out.append(Shortfall(kind, f"报告写“{_around(text, m.start(), m.end())}”", m.start(), m.end()))
    cached[key] = out
    return out


_PLANNED = re.compile(r"(?:共|计划|任务|目标|应|下达|年度任务)[^，。；！？\n\d]{0,12}?"
                      r"(\d+(?:\.\d+)?)\s*([个户人处座条所家项间套台公里亩]+)")
_DONE = re.compile(r"(?:完成|完工|建成|竣工|实际|已)[^，。；！？\n\d]{0,8}?"
                   r"(\d+(?:\.\d+)?)\s*([个户人处座条所家项间套台公里亩]+)")


def count_shortfall(text: str) -> str | None:
    """"共21个……完工16个": a count done below the count planned in ``text`` (the same unit), as
    evidence; None when there is none."""
    planned = [(float(m.group(1)), m.group(2), m.group(0)) for m in _PLANNED.finditer(text)]
    for m in _DONE.finditer(text):
        if "其中" in text[max(0, m.start() - 4) : m.start()]:  # "共560户，其中已脱贫320户" is a part
            continue
        done, unit = float(m.group(1)), m.group(2)
        for total, u, said in planned:
            if u == unit and done < total and not said.startswith(m.group(0)[:2]):
                return f"报告写“{said}”，而“{m.group(0)}”"
    return None


def _around(text: str, start: int, end: int, width: int = 12) -> str:
    """The clause around a match, at most ``width`` characters each side."""
    lo = max((text.rfind(c, 0, start) for c in "，；：。！？\n"), default=-1) + 1
    lo = max(lo, start - width)
    his = [i for i in (text.find(c, end, end + width + 1) for c in "，；：。！？\n") if i >= 0]
    hi = min(min(his) if his else len(text), end + width)
    return text[lo:hi]
