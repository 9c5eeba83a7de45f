"""claim: an outcome claim ("效果明显", "圆满完成年度目标任务", "满意度100%") judged in its own
clause, not in the whole sentence: a figure elsewhere in the sentence (the budget in 万元, an
unrelated 100%) does not support it, and a plan word three clauses earlier does not make it a
plan. What does:

- the claim's clause and the next one carry an outcome figure (a count, a rate, a quantity; not
  money, a year, a date, a document number, a bare 100% or a bound such as "≥90%"), or a word of
  ``unless`` (a survey, a before/after comparison, a target word);
- the sentence before the claim carries a word of ``unless_before`` (a plan, an intention, a
  cited policy: "进一步加强……，切实提高……" is not a result);
- the claim's clause negates it before the claim (``negation``: 未, 没有, 是否);
- it sits in a goal or plan section (``tentative_sections``) without a completion marker
  (``done``: 了, 已);
- the report names what would support it anywhere (``unless_document``: a survey for a
  satisfaction rate);
- a hedged claim (``hedge``: 基本完成) is flagged only when the report contradicts it.

With ``shortfall_words`` / ``shortfall_rates`` the report's own text can contradict the claim:
"已圆满完成年度目标" beside "项目暂未完工" (``contradicted_level``, with the place as evidence),
or beside an execution rate below ``threshold`` (the rule's level; a claim that carries its own
figures is not contradicted by money alone)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import Literal
from weakref import WeakKeyDictionary

from drafter.analysis.view import Analysis
from drafter.findings import Finding, Level
from drafter.review.types._claims import (
    Shortfall,
    bare_cell,
    clause_around,
    count_shortfall,
    in_table,
    line_label,
    next_clause,
    outcome_figures,
    previous_clause,
    scanner,
    shortfalls,
)
from drafter.review.types._common import BaseParams, Scope, compiled, rx_cached
from drafter.review.types.existence import _joined_end

STAGE = "text"
# a sentence that opens with its purpose (为进一步规范……，为切实提高……), after the notice it follows
_PURPOSE = re.compile(r"(?<!\s)\s*(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）、.．]\s*)?"
                      r"(?:(?:根据|按照|依据)[^，。；]{0,80}[，,]\s*)?"
                      r"为了?(?:进一步|切实|全面|更好地?|加强|规范|提高|提升|确保|保障|促进|推进|推动|落实|贯彻|强化|做好)")


class Params(BaseParams):
    tokens: list[str]
    scope: Scope = Scope()
    # one finding per claim's clause or match, or per sentence: the sentence, or from the first
    # claim's clause to the last one's
    quote: Literal["clause", "match", "sentence", "claims"] = "clause"
    unless: list[str] = []  # in the claim's clause and the clauses either side of it
    unless_clause: list[str] = []  # in the claim's own clause
    unless_before: list[str] = []  # in the sentence before the claim
    # a sentence opening with one of these (a cited policy, an imperative plan item) states an
    # intention: a claim in it needs ``done`` in its clause
    lead_intent: list[str] = []
    negation: list[str] = []  # in the claim's clause before the claim
    tentative_sections: list[str] = []  # sections or line labels (title regexes) where a claim needs ``done``
    done: list[str] = []  # completion markers, looked for in the claim's clause and the next one
    result_words: list[str] = []  # in a tentative section, these in the claim's clause also mark a result
    unless_document: list[str] = []  # anywhere in the report: the rule is silent
    # an outcome figure in the claim's clause or the clause either side of it supports the claim
    supported_by_figure: bool = False
    sentence_figures: int = 0  # ... or this many anywhere in its sentence (0: not looked for)
    # claims of a saving ("节约资金", "节约大量人力物力") are supported by an amount of money too
    money_supports: list[str] = []
    own_figure_supports: bool = False  # a count inside the claim itself supports it
    neighbour_sentences: bool = False  # ... or one in the sentence before or after it in the paragraph
    joined_clauses: bool = False  # the window goes on into clauses joined to the sentence by "；"
    hedge: list[str] = []  # in the claim's clause: a hedged claim, flagged only when contradicted
    # the report's own shortfall
    shortfall_words: list[str] = []
    shortfall_signs: list[str] = []  # weaker: a shortfall suggested ("项目进展缓慢"), at the rule's level
    # the claim's sentence or the one before it counts fewer done than planned ("共21个，完工16个")
    count_shortfall: bool = False
    shortfall_not: list[str] = []  # matched right after a shortfall word: not a shortfall ("未完成的绩效目标")
    shortfall_rates: list[str] = []  # rate words whose stated value below ``threshold`` is a shortfall
    threshold: float = 0.9
    evidence: str = "“{match}”所在分句及前后分句没有可核对的数字"  # placeholder {match}
    contradicted_message: str = ""  # placeholders {match} and {evidence}
    contradicted_level: Level = Level.error
    # a claim with its own figures ("12个村实现全覆盖") is not contradicted by an unfinished task
    # elsewhere; a blanket one ("圆满完成年度目标") is
    words_override_support: bool = True
    only_contradicted: bool = False


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    if p.unless_document and compiled(p, "unless_document").search(a.text):
        return
    tokens = scanner(tuple(p.tokens))  # the tokens' alternation, quick to reject a sentence
    found = _Shortfalls(a, p)  # the report's shortfalls, read on the first claim that needs them
    for s in a.sentences:
        if not tokens.search(s.text):
            continue
        claims = []
        for m in tokens.finditer(s.text):
            clause = clause_around(s, s.start + m.start(), s.start + m.end())
            if claims and claims[-1][0] == clause:
                continue
            verdict = _judge(rule, p, a, s, m, clause, found)
            if verdict:
                claims.append((clause, m, *verdict))
        if not claims:
            continue
        if p.quote in ("sentence", "claims"):
            # one finding per sentence: the gravest claim's message, every claim in the evidence
            worst = max(claims, key=lambda c: c[2].rank)
            names = "、".join(dict.fromkeys(f"“{c[1].group(0)}”" for c in claims))
            evidence = worst[4] if len(claims) == 1 else f"{names}；{worst[4]}"
            start, end = (s.start, s.end) if p.quote == "sentence" else (claims[0][0].start, claims[-1][0].end)
            yield a.finding(rule, start, end, worst[3], evidence=evidence, level=worst[2])
            continue
        for clause, m, level, message, evidence in claims:
            start, end = (clause.start, clause.end) if p.quote == "clause" else (s.start + m.start(), s.start + m.end())
            yield a.finding(rule, start, end, message, evidence=evidence, level=level)


def _judge(rule, p: Params, a: Analysis, s, m, clause, found) -> tuple[Level, str, str] | None:
    """(level, message, evidence) of one claim, or None when it is not one, or is supported."""
    ms, me = s.start + m.start(), s.start + m.end()
    # a table row, read as a table or left as cells ("……应发尽发率 | = | 100 | % |"), is the
    # table rules' business
    if in_table(a, ms) or s.text.count("|") >= 2 or bare_cell(a, ms) or not p.scope.admits(a, ms):
        return None
    negation = compiled(p, "negation")
    if negation and negation.search(a.text[clause.start : ms]):
        return None
    nxt = next_clause(s, clause)
    window_end = nxt.end if nxt else clause.end
    if p.joined_clauses and window_end >= s.end:
        window_end = _joined_end(a, s)
    unless = compiled(p, "unless")
    prev = previous_clause(s, clause)
    if unless and unless.search(a.text[prev.start if prev else clause.start : window_end]):
        return None
    own = a.text[clause.start : clause.end]
    unless_clause = compiled(p, "unless_clause")
    if unless_clause and unless_clause.search(own):
        return None
    # a completion marker in the claim's clause, or the one after it ("按年初目标完成……任务，改善了……"),
    # makes it a result whatever plan words, a cited policy or a goal section precede it
    done, result = compiled(p, "done"), compiled(p, "result_words")
    around = a.text[clause.start : nxt.end if nxt else clause.end]
    if _PURPOSE.match(s.text) and not (done and done.search(own)):
        # "为进一步规范……，切实提高资金使用效益，我单位……进行了绩效自评": the clauses before
        # the main one say what it is for; the main clause's 了 does not make them results
        return None
    if not (done and done.search(around)):
        before, lead = compiled(p, "unless_before"), compiled(p, "lead_intent")
        if (before and before.search(s.text[: m.start()])) or (lead and lead.match(s.text)):
            return None
        tentative = rx_cached(tuple(p.tentative_sections))
        if tentative and not (result and result.search(own)) and _in_sections(a, ms, tentative):
            return None
    hedge = compiled(p, "hedge")
    hedged = bool(hedge and hedge.search(a.text[clause.start : me]))
    support = []
    if p.supported_by_figure:
        # the claim's clause and its neighbours, or a sentence full of measured values
        support = outcome_figures(a, prev.start if prev else clause.start, window_end, skip=(ms, me))
        money = compiled(p, "money_supports")
        if not support and money and money.search(m.group(0)):
            support = [f.text for f in a.figures_in(prev.start if prev else clause.start, window_end)
                       if f.kind == "amount"]
        if not support and p.sentence_figures:
            in_sentence = outcome_figures(a, s.start, window_end, skip=(ms, me))
            support = in_sentence if len(in_sentence) >= p.sentence_figures else []
        if not support and p.own_figure_supports:
            # "全面完成 10 个省级中心村各项建设任务": the claim counts what it completed
            support = [f.text for f in a.figures_in(ms, me) if f.kind == "count"]
        if not support and p.neighbour_sentences:
            # "……均按时按量完成。已完成购买设备 114 台……": the next sentence of the paragraph
            for n in _neighbours(a, s):
                support = outcome_figures(a, n.start, n.end)
                if support:
                    break

    words = [f for f in found.get() if f.kind == "words" and not (clause.start <= f.start < clause.end)]
    money = [f for f in found.get() if f.kind in ("money", "signs") and not (clause.start <= f.start < clause.end)]
    if p.count_shortfall:
        prior = [n for n in _neighbours(a, s) if n.end <= s.start]
        counted = count_shortfall(a.text[prior[0].start if prior else s.start : s.end])
        if counted:
            money = [Shortfall("signs", counted, s.start, s.end), *money]
    match = m.group(0)
    if words and (p.words_override_support or not support):
        level = rule.level if hedged else p.contradicted_level
        return level, p.contradicted_message.format(match=match, evidence=words[0].evidence), words[0].evidence
    # a hedged claim ("基本完成") is consistent with money left unspent; a count below plan
    # contradicts a claim whatever figures it carries
    counted = [f for f in money if f.start == s.start and f.kind == "signs"] if p.count_shortfall else []
    if counted and not hedged:
        return rule.level, p.contradicted_message.format(match=match, evidence=counted[0].evidence), counted[0].evidence
    if money and not support and not hedged:
        return rule.level, p.contradicted_message.format(match=match, evidence=money[0].evidence), money[0].evidence
    if p.only_contradicted or hedged or support:
        return None
    return rule.level, rule.say(match=match), p.evidence.format(match=match)


class _Shortfalls:
    """The report's shortfalls for a rule, read when first asked for."""

    def __init__(self, a: Analysis, p: Params) -> None:
        self.a, self.p, self.found = a, p, None

    def get(self) -> list:
        if self.found is None:
            p = self.p
            self.found = []
            if p.contradicted_message and (p.shortfall_words or p.shortfall_rates or p.shortfall_signs):
                self.found = shortfalls(self.a, compiled(p, "shortfall_words"), compiled(p, "shortfall_not"),
                                        compiled(p, "shortfall_rates"), p.threshold, compiled(p, "shortfall_signs"))
        return self.found


def _in_sections(a: Analysis, pos: int, titles) -> bool:
    """True when the section holding ``pos`` (or an ancestor), or the label of its line
    ("绩效目标：……"), matches ``titles``."""
    sec = a.section_at(pos)
    label = line_label(a, pos)
    return bool((label and titles.search(label)) or (sec and any(titles.search(t) for t in sec.titles())))


def _neighbours(a: Analysis, s) -> list:
    """The sentences just before and after ``s`` in its paragraph, across a full stop (the
    pieces of a list cut at "；" are not the claim's neighbours)."""
    i = bisect_left(_starts(a), s.start)
    out = []
    for j in (i - 1, i + 1):
        if 0 <= j < len(a.sentences):
            n = a.sentences[j]
            gap = a.text[n.end : s.start] if j < i else a.text[s.end : n.start]
            if "\n" not in gap and re.search("[。！？]", gap):
                out.append(n)
    return out


_STARTS: WeakKeyDictionary = WeakKeyDictionary()


def _starts(a: Analysis) -> list[int]:
    if a not in _STARTS:
        _STARTS[a] = [x.start for x in a.sentences]
    return _STARTS[a]
