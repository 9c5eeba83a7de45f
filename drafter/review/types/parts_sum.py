"""parts_sum: parts that must add up to their total, in brackets after it ("共 10 万元（设备
6 万元、培训 3 万元）") or listed before the word that sums them ("……，合计 4.7 万元")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.budget import OPERATOR_AFTER, OPERATOR_BEFORE
from drafter.analysis.view import Analysis
from drafter.findings import Finding, Level
from drafter.review.types._common import BaseParams, close, compiled, joint_tolerance
from drafter.text.figures import Figure, fmt, in_unit, in_unit_both

STAGE = "text"


class Params(BaseParams):
    max_gap: int = 20  # characters between the total and the opening bracket
    exclude: list[str] = []  # patterns: a bracket matching one of these is not a list of parts
    kinds: list[str] = ["amount", "count"]  # figure kinds that add up (rates do not)
    # the other shape: a list of parts, then the word that sums them and the total
    # ("设备购置 3.2 万元、培训 1.5 万元，合计 4.7 万元")
    sum_words: list[str] = []
    max_spread: float = 0.5  # a sum this far (as a fraction) from the total is not its breakdown
    # the third shape: a total, then a marker and its parts ("…2026400 元，其中 A 元，B 元")
    list_markers: list[str] = []
    # a clause of another role ends the parts ("其中…，目前已拨付 270 万元")
    list_stops: list[str] = []
    # every part named by one of these: a split of the money by source is complete
    source_words: list[str] = []
    list_exclude: list[str] = []  # a sentence with one of these is not a breakdown (累计, 同比…)


_PARENS = re.compile(r"[（(]([^（）()]{2,120})[)）]")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    exclude = compiled(p, "exclude")
    for m in _PARENS.finditer(a.text):
        inner = m.group(1)
        if exclude and exclude.search(inner):
            continue
        parts = a.figures_in(m.start(1), m.end(1))
        if len(parts) < 2:
            continue
        before = a.figures_before(m.start(), p.max_gap)
        if not before:
            continue
        total = before[-1]
        if total.kind not in p.kinds:
            continue
        gap = a.text[total.end : m.start()]
        if re.search(r"[。；;，,\n]", gap) or total.approx or any(f.approx for f in parts):
            continue
        if not all(_same_unit(total, f) for f in parts):
            continue
        s = sum(f.base for f in parts)
        if close(s, total.base, joint_tolerance(total, *parts)):
            continue
        terms, got, shown = _in_total_unit(total, parts, s)
        yield a.finding(
            rule,
            total.start,
            m.end(),
            rule.say(total=total.text, sum=got),
            evidence=f"{terms} = {shown}，与总数 {total.text} 不符",
        )
    if p.sum_words:
        yield from _listed_parts(rule, a, p)
    if p.list_markers:
        yield from _breakdown_lists(rule, a, p)


_PER = re.compile(r"每[\u4e00-\u9fff]{0,5}\s*$")  # 每人 500 元, 每村每年补助 4400 元: a rate, not a part
_LIST_SEPARATOR = re.compile(r"[、，,；;]|和|及")


def _listed_parts(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"A 元、B 元、C 元，合计 D 元": parts listed in one sentence before the word that sums them.
    Factors of a working (300 人 × 1200 元) and per-unit prices (每人 500 元) are not parts;
    a product after "=" is."""
    words = compiled(p, "sum_words")
    exclude = compiled(p, "exclude")
    for sent in a.sentences:
        for m in words.finditer(sent.text):
            after = a.figures_in(sent.start + m.end(), sent.end)
            if not after or after[0].start - (sent.start + m.end()) > 3:
                continue
            total = after[0]
            if total.kind not in p.kinds or total.approx:
                continue
            # the list starts after the sentence's last colon or 其中 (or its start)
            head = sent.text[: m.start()]
            lead = max(head.rfind("："), head.rfind(":"), head.rfind("其中") + 1)
            if exclude and exclude.search(head[lead + 1 :]):
                continue
            listed = [f for f in a.figures_in(sent.start + lead + 1, sent.start + m.start()) if f.kind == total.kind]
            if any(not _same_unit(total, f) for f in listed):
                continue  # "120台、对讲机100部、无人机8架，共268台": mixed measure words, not one sum
            parts = [f for f in listed
                     if not f.approx
                     and not OPERATOR_BEFORE.search(a.text[max(0, f.start - 3) : f.start])
                     and not OPERATOR_AFTER.match(a.text, f.end)
                     and not _PER.search(a.text[max(0, f.start - 7) : f.start])]
            if len(parts) < 2 or any(not _LIST_SEPARATOR.search(a.text[x.end : y.start])
                                     for x, y in zip(parts, parts[1:])):
                continue
            s = sum(f.base for f in parts)
            if (total.base <= 0 or any(f.base > total.base for f in parts)
                    or abs(s - total.base) > p.max_spread * total.base):
                continue
            if close(s, total.base, joint_tolerance(total, *parts)):
                continue
            terms, got, shown = _in_total_unit(total, parts, s)
            yield a.finding(rule, parts[0].start, total.end, rule.say(total=total.text, sum=got),
                            evidence=f"{terms} = {shown}，与总数 {total.text} 不符")
            break


def _in_total_unit(total: Figure, parts: list[Figure], s: float) -> tuple[str, str, str]:
    """The parts, their sum for the message and their sum for the evidence, amounts in the unit of
    the total (各分项合计 4.8 万元 beside 总数 4.7 万元, not 48000); other figures as written."""
    if total.kind != "amount":
        return " + ".join(fmt(f.value) for f in parts), fmt(s), fmt(sum(f.value for f in parts))
    terms = " + ".join(in_unit(f.yuan, total.unit).removesuffix(" " + total.unit) for f in parts)
    return terms, in_unit(s, total.unit), in_unit_both(s, total.unit)


def _same_unit(total: Figure, part: Figure) -> bool:
    if total.kind != part.kind:
        return False
    return total.kind == "amount" or total.unit == part.unit


_SENTENCE_END = re.compile(r"[。\n]")
_CN_COUNT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ENUMERATED = re.compile(r"[一二三四五六七八九十]是")
_ITEM_BREAK = re.compile(r"[、，；]|[一二三四五六七八九十]是|[①②③④⑤⑥⑦⑧⑨⑩]|\d[、.．]")


def _inside_brackets(text: str, pos: int, since: int) -> bool:
    seg = text[since:pos]
    return seg.count("（") + seg.count("(") + seg.count("〈") > seg.count("）") + seg.count(")") + seg.count("〉")


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos)) + 1


def _breakdown_lists(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"总数 …，其中 A 元，B 元，C 元": a total, then a marker (其中, 分别为, 具体为, 项目有…) and
    its parts, one amount per item, to the end of the sentence. Parts above the total are always
    wrong; parts below it are wrong when the list is shown to be complete (分别, a count that
    matches, every part a source of the money, 共/合计 before a 其中 list), worth a warning for a
    bare 其中, and not a finding where the list may be partial (等, 主要用于, 包括)."""
    text = a.text
    markers, stops = compiled(p, "list_markers"), compiled(p, "list_stops")
    not_a_list, sources, sum_lead = compiled(p, "list_exclude"), compiled(p, "source_words"), compiled(p, "sum_words")
    for m in markers.finditer(text):
        ss = _sentence_start(text, m.start())
        opens = not re.search(r"\d", text[ss : m.start()]) and len(text[ss : m.start()].strip()) <= 12
        if opens:  # the marker opens its sentence ("…12774 万元。区直项目有："): the total ends the one before
            ss = _sentence_start(text, max(0, ss - 1))
        before = [f for f in a.figures_in(ss, m.start()) if f.kind == "amount"]
        if not before or before[-1].approx:
            continue
        total = before[-1]
        gap = text[total.end : m.start()]
        inner = gap.rstrip("。 ")
        if (len(gap) > 40 or "\n" in gap
                or ("。" in inner and not (opens and inner.count("。") == 1 and inner.startswith("。")))):
            continue
        end_m = _SENTENCE_END.search(text, m.end())
        pe = end_m.start() if end_m else len(text)
        enumerated = _ENUMERATED.match(text, m.end())
        if enumerated:  # 一是…。二是…。: items span sentences, up to the paragraph's end
            nl = text.find("\n", m.end())
            pe = nl if nl >= 0 else len(text)
        if _inside_brackets(text, m.start(), max(0, m.start() - 60)):
            close_m = re.compile(r"[)）]").search(text, m.end(), pe)
            pe = close_m.start() if close_m else pe
        if pe >= len(text.rstrip()):
            continue  # the list runs to the end of the text with no full stop: a cut excerpt
        region = text[m.end() : pe]
        if "|" in region or re.search(r"\d\s+\d", region):
            continue  # a table row: the table reader does tables
        if _UNREAD_AMOUNT.search(region):
            continue  # a part the figure reader cannot read (48万): the sum would be short
        stop = re.compile(r"[；;]\s*(?:用于|其中|分别|按)").search(text, m.end(), pe)
        pe = stop.start() if stop else pe
        # the next list's marker ends this one; one in brackets ("其他资金（包括利息收入）551 万元")
        # is a part's own note
        nxt = None if enumerated else next(
            (x for x in markers.finditer(text, m.end(), pe) if not _inside_brackets(text, x.start(), m.end())), None)
        pe = nxt.start() if nxt else pe
        role_stop = next((x for x in stops.finditer(text, m.end() + 2, pe)
                          if not _inside_brackets(text, x.start(), m.end())), None)
        if role_stop and re.match(r"合计|共计|总计", role_stop.group(0)):
            continue  # "其中 A、B、C，合计 D": the listed shape, checked against its own total
        if role_stop and not re.search(r"支付|支出|执行", text[ss : m.start()]):
            pe = role_stop.start()
        if not_a_list and not_a_list.search(text, ss, pe):
            continue
        # the factors and unit prices of a working are not parts (14 × 6 万元/座 = 84 万元: 84 is)
        amounts = [f for f in a.figures_in(m.end(), pe)
                   if f.kind == "amount" and not f.approx and not _inside_brackets(text, f.start, m.end())
                   and not OPERATOR_BEFORE.search(text[max(0, f.start - 3) : f.start])
                   and not OPERATOR_AFTER.match(text, f.end)
                   and not _PER.search(text[max(0, f.start - 7) : f.start])]
        parts: list[Figure] = []
        if enumerated:
            items = [x.end() for x in _ENUMERATED.finditer(text, m.end(), pe)] + [pe]
            for lo, hi in zip(items, items[1:]):
                first = next((f for f in amounts if lo <= f.start < hi), None)
                if first is not None:
                    parts.append(first)
        else:
            for f in amounts:
                if parts and not _ITEM_BREAK.search(text, parts[-1].end, f.start):
                    continue  # a second amount of the same item
                parts.append(f)
        if any(f.yuan > 10 * total.yuan for f in parts):
            continue  # a part ten times the total: a number misread (a 文号 glued to an amount)
        if sum(f.yuan > total.yuan + f.tolerance + total.tolerance for f in parts) >= 2:
            continue  # two parts each above the total (送审金额 23.79 亿元 under 核减 2.77 亿元): other quantities
        # "下达资金 20 万元，其中资金 20 万元全部到位，剧本费 5 万元": a part equal to the total restates it
        if len(parts) > 1:
            parts = [f for f in parts if abs(f.yuan - total.yuan) > 1e-6] or parts
        # each category given with several amounts in turn (预算 173 宗，送审金额 23.79 亿元，审定金额
        # 21.81 亿元，核减 1.98 亿元；结算……): the parts are the amounts named as the total is
        labels = [_label(text, f.start) for f in parts]
        if _cycle(labels):
            parts = [f for f, x in zip(parts, labels) if x == _label(text, total.start)]
            if not parts:
                continue
        # a total and its parts are of one role: 执行数 parts add up to the 执行数, not to a 结余
        roles = [_role_word(text, f.start) for f in parts]
        part_role = max(set(roles) - {None}, key=roles.count, default=None)
        if part_role is not None and roles.count(part_role) >= 2:
            parts = [f for f, r in zip(parts, roles) if r == part_role]
            if _role_word(text, total.start) not in (None, part_role):
                total = next((f for f in reversed(before) if _role_word(text, f.start) == part_role), None)
                if total is None:
                    continue
        # one part is a breakdown only after a listing word (结转 22 万元，具体是……项目 32 万元)
        single = len(parts) == 1 and re.match(r"具体|明细", m.group(0))
        if (len(parts) < 2 and not single) or any(f.approx for f in parts) or (
                len(parts) == 2 and any(f.yuan == total.yuan for f in parts)):
            continue
        s = sum(f.yuan for f in parts)
        # a figure written as an integer beside ones with decimals is exact (30 万元 beside 29.99 万元)
        tol = joint_tolerance(total, *parts)
        diff = s - total.yuan
        if abs(diff) <= tol + 1e-6:
            continue
        tail = text[parts[-1].end : parts[-1].end + 6]
        partial = (re.match(r"(?<!\s)\s*(?:等|…)", tail)
                   or re.search(r"等(?:项目|方面|支出|费用)?[，。]?$", text[m.end() : pe].strip()))
        level = None
        if diff < 0:
            # parts short of the total: wrong only when the list is the whole breakdown; a bare
            # 其中 ("among which") often names some parts only
            signals = _complete(text, m, total, parts, ss, sources, sum_lead, p)
            # a listing (具体是, 明细如下), a 其中 in brackets right after its total, or a 其中
            # naming four parts or more is meant to be the breakdown: short of it is worth a look
            listing = (re.match(r"具体|明细|项目有", m.group(0)) or len(parts) >= 4
                       or re.fullmatch(r"(?<!\s)\s*[（(]\s*", text[total.end : m.start()]))
            if partial or not (signals or listing):
                continue
            level = None if signals else Level.warning
        terms, got, shown = _in_total_unit(total, parts, s)
        yield a.finding(rule, total.start, parts[-1].end, rule.say(total=total.text, sum=got), level=level,
                        evidence=f"{terms} = {shown}，与总数 {total.text} 不符"
                                 + ("（分项多于总数）" if diff > 0 else ""))


_LABEL = re.compile(r"([\u4e00-\u9fff]{1,6})\s*$")


def _cycle(labels: list[str]) -> bool:
    """True when the labels repeat in turn (送审金额, 审定金额, 核减, 送审金额, 审定金额, 核减): each
    category's several amounts, listed category after category."""
    n = len(labels)
    return any(len(set(labels[:k])) == k and all(labels[i] == labels[i - k] for i in range(k, n))
               for k in range(2, n // 2 + 1)) and all(labels)


def _label(text: str, pos: int) -> str:
    """The words right before an amount (送审金额, 核减), "" when a number or a mark stands there."""
    m = _LABEL.search(text, max(0, pos - 8), pos)
    return m.group(1) if m else ""


_UNREAD_AMOUNT = re.compile(r"\d(?:万|亿)(?![元人户次亩株粒套间册件个份名头只张吨公平米页卷字])")
_ROLE_WORD = re.compile(r"(预算数?|执行数|支出|支付|拨付|到位|下达|安排|结余|结转)[^，。；]{0,6}$")


def _role_word(text: str, pos: int) -> str | None:
    """The role word just before an amount (预算, 支出, 结余…), in one spelling per role."""
    m = _ROLE_WORD.search(text, max(0, pos - 12), pos)
    if not m:
        return None
    word = m.group(1)
    return {"预算数": "预算", "执行数": "支出", "支付": "支出", "拨付": "支出", "结转": "结余"}.get(word, word)


def _complete(text: str, m, total: Figure, parts: list[Figure], ss: int, sources, sum_lead, p: Params) -> list[str]:
    """Why a list that falls short of its total is the whole breakdown, if it is."""
    out = []
    if m.group(0).startswith("分别"):
        out.append("分别")
    head = text[ss : m.start()]
    count = re.search(r"([一二两三四五六七八九十]|(?<!\d)\d+)\s*(?:类|个项目|项|个)", head)
    if count:
        n = int(count.group(1)) if count.group(1).isdigit() else _CN_COUNT.get(count.group(1))
        if n == len(parts):
            out.append("count")
    names = [text[max(m.end(), f.start - 10) : f.start] for f in parts]
    if sources and all(sources.search(x) for x in names):
        out.append("sources")
    if sum_lead and m.group(0).startswith("其中") and sum_lead.search(text, max(ss, total.start - 30), total.start):
        out.append("sum")
    return out
