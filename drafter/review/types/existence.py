"""existence: a phrase present in a sentence (stock phrases, forecasts in a year-end report,
vague problems, intensifiers without data), with the ways a sentence escapes it: a figure, an
exception phrase, a later year, an enumeration, specific content beyond the stock words."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis, Sentence
from drafter.findings import Finding
from drafter.review.types._claims import scanner
from drafter.review.types._common import BaseParams, Scope, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    tokens: list[str]
    scope: Scope = Scope()
    unless: list[str] = []  # a sentence matching any of these is not flagged
    unless_figure: bool = False  # a sentence carrying a figure is not flagged
    unless_future_year: bool = False  # a sentence naming a year after the report's is a plan
    unless_enumeration: int = 0  # a sentence with at least this many 、 is concrete
    max_length: int = 0  # longer sentences are not flagged (0: no limit)
    whole_sentence: bool = False  # the token must match the whole sentence
    joined_clauses: bool = False  # unless/unless_figure also look at the clauses joined by "；"
    quote: Literal["sentence", "match", "from_match"] = "sentence"
    # A sentence says something specific when, with the tokens, these generic words, numbering
    # and punctuation removed, more than max_residue characters are left (0: not checked).
    generic: list[str] = []
    max_residue: int = 0
    # a lead sentence followed, in the same item, by one carrying a figure or one of these
    # ("一是……不足。7个书屋每周开放不足20小时，主要是……") is specific
    unless_elaborated: list[str] = []
    # at most this many findings per report, the first places (0: no limit); the message's
    # {count} placeholder is the number of places found
    max_findings: int = 0


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    # the same alternation led by a lookahead on its possible first characters: quicker to reject
    tokens = scanner(tuple(p.tokens))
    unless = compiled(p, "unless")
    found = list(_places(rule, a, p, tokens, unless))
    for start, end, m in found[: p.max_findings or None]:
        more = f"（全文 {len(found)} 处）" if p.max_findings and len(found) > p.max_findings else ""
        yield a.finding(rule, start, end, rule.say(match=m.group(0), count=len(found)),
                        evidence=f"“{m.group(0)}”{more}")


def _places(rule, a: Analysis, p: Params, tokens, unless) -> Iterator[tuple[int, int, re.Match]]:
    for s in a.sentences:
        m = tokens.fullmatch(s.text) if p.whole_sentence else tokens.search(s.text)
        if not m:
            continue
        if p.max_length and len(s.text) > p.max_length:
            continue
        # a clause joined by "；" may carry the claim's support ("满意度明显提升；调查满意率 97.5%")
        group_end = _joined_end(a, s) if p.joined_clauses else s.end
        if unless and unless.search(a.text[s.start : group_end]):
            continue
        if p.unless_figure and has_figure(a, s.start, group_end):
            continue
        if p.unless_future_year and _mentions_future_year(s.text, a.year):
            continue
        if p.unless_enumeration and s.text.count("、") >= p.unless_enumeration:
            continue
        if p.max_residue and len(_residue(s.text, tokens, compiled(p, "generic"))) > p.max_residue:
            continue
        if p.unless_elaborated and _elaborated(a, s, compiled(p, "unless_elaborated")):
            continue
        if not p.scope.admits(a, s.start):
            continue
        if p.quote == "match":
            start, end = s.start + m.start(), s.start + m.end()
        elif p.quote == "from_match":
            start, end = s.start + m.start(), s.end
        else:
            start, end = s.start, s.end
        yield start, end, m


_FUTURE_YEAR = re.compile(r"(20\d\d)\s*年")


def _mentions_future_year(text: str, year: int | None) -> bool:
    if year is None:
        return False
    return any(int(y) > year for y in _FUTURE_YEAR.findall(text))


_NEW_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|[一二三四五六七八九十]+[、．.]"
                       r"|[（(]?\d+[)）、．.]|此外|另外|同时)")


def _joined_end(a: Analysis, s: Sentence) -> int:
    """End of ``s`` and the clauses that continue it on the same line after a "；" (not a new
    enumerated item: "一是……；二是……" are separate statements)."""
    end = s.end
    for k in range(bisect_left(a.sentence_starts, end), len(a.sentences)):  # the sentences after it
        nxt = a.sentences[k]
        gap = a.text[end : nxt.start]
        if gap.strip() not in ("；", ";") or "\n" in gap or _NEW_ITEM.match(nxt.text):
            break
        end = nxt.end
    return end


def _elaborated(a: Analysis, s: Sentence, cues: re.Pattern, follow: int = 2) -> bool:
    """True when one of the next ``follow`` sentences of the same item and section carries a
    figure or a cue (the lead sentence's detail)."""
    sec = a.section_at(s.start)
    end = sec.end if sec else len(a.text)
    i = bisect_right(a.sentence_starts, s.start)
    for nxt in a.sentences[i : i + follow]:
        if nxt.start >= end or _NEW_ITEM.match(nxt.text):
            break
        if cues.search(nxt.text) or has_figure(a, nxt.start, nxt.end):
            return True
    return False


_NON_CONTENT = re.compile(r"[^\w\u3400-\u9fff]"
                          r"|^(?:[一二三四五六七八九十]+是|\d+[、.]|[（(][一二三四五六七八九十\d]+[)）])")


def _residue(text: str, tokens: re.Pattern, generic: re.Pattern | None) -> str:
    """What a sentence says beyond stock words: tokens, generic words and punctuation removed."""
    text = _NON_CONTENT.sub("", text)
    text = tokens.sub("", text)
    return generic.sub("", text) if generic else text
