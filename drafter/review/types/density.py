"""density: a sentence (or a run of its clauses) made of stock vocabulary instead of content
(套话: “严格管理，做到专款专用”, “财务管理制度健全，会计核算规范”).

A sentence is cut into clauses at ，；：. With a clause's stock phrases, its generic words
(资金, 项目, 做到, 的 …), quoted names and punctuation taken out, what is left is its *residue*:
the words that could only be about this project. A clause is *stock* when it holds a stock
phrase and its residue is small, *framing* when it holds none and its residue is smaller still
(“项目实施过程中”, “在资金管理上”), and *content* otherwise, or when it carries a figure or a
specific reference (a named document, a 文号). A run of stock and framing clauses is flagged when
it holds at least ``min_hits`` different stock phrases and is the whole sentence, or holds
``min_clauses`` stock clauses, or ``min_hits_in_run`` different phrases. Sentences flagged one
after the other are one finding.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from drafter.analysis.view import Analysis, Sentence
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, Scope, compiled, has_figure

STAGE = "text"


class Params(BaseParams):
    phrases: list[str]  # stock phrases (regexes)
    # a sentence with none of these is not read (speed: most sentences hold no stock phrase,
    # and these literal-led patterns are found much faster than the phrases themselves)
    anchors: list[str] = []
    strong_anchors: list[str] = []  # ... one of these is enough (the words of the strong phrases)
    generic: list[str] = []  # words that say nothing specific about a project (regexes)
    specific: list[str] = []  # a clause matching one of these is content (a named document, a 文号)
    min_hits: int = 2  # different stock phrases in a flagged run
    clause_residue: int = 4  # residue characters a stock clause may keep
    framing_residue: int = 2  # ... a clause with no stock phrase that may sit inside a run
    min_clauses: int = 3  # a run that is not the whole sentence: this many stock clauses ...
    min_hits_in_run: int = 3  # ... or this many different stock phrases
    # a run with fewer different stock phrases than this is flagged only when its sentence
    # carries no figure and no specific reference anywhere ("严格按照《……办法》，资金专款专用")
    sure_hits: int = 3
    # formula templates that empty a clause by themselves ("为……作出应有的贡献"): a clause made
    # of one of them is flagged alone
    strong: list[str] = []
    # a sentence with this many different stock phrases is stock as a whole, whatever its
    # residue (0: not checked)
    sentence_hits: int = 0
    dense_hits: int = 3  # a clause with this many different stock phrases ...
    dense_ratio: float = 0.4  # ... and a residue at most this share of its characters is stock
    unless_figure: bool = True  # a clause with a figure is content
    # an opening purpose clause and its continuations ("为进一步加强……管理，切实提高……效益，")
    # frame the sentence: their stock words are the normal 公文 opening, not the sentence's content
    purpose: list[str] = []  # the first clause opens a purpose (regexes, matched at its start)
    purpose_end: list[str] = []  # a clause starting like this ends it (根据, 按照, a subject)
    scope: Scope = Scope()


_CLAUSE_END = re.compile(r"[，；：,;:]")
# a blank between two characters: a word broken by a PDF's line end ("优 化资源配置")
_WORD_BREAK = re.compile(r"[\u3400-\u9fff]\s+[\u3400-\u9fff]")
_QUOTED = re.compile(r"“[^”]{1,20}”|‘[^’]{1,20}’|「[^」]{1,20}」")
_NON_CONTENT = re.compile(r"[^\w\u3400-\u9fff]|[\d_]")
# an item's number: "一是", "其二", "3、"
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]"
                        r"|[（(]?[\d一二三四五六七八九十]{1,2}[)）、.．])")


@dataclass
class _Clause:
    start: int
    end: int
    hits: list[str]
    residue: str
    kind: str  # "stock", "framing" or "content"
    specific: bool = False  # carries a figure or a specific reference
    lead: str = ""  # a content clause that opens with a stock phrase ("认真部署开展了……工作")
    lead_end: int = 0


_BASIS = re.compile(r"(?<!\s)\s*(?:根据|按照|依据|遵照)")
# a table row flattened with blanks: a lone number between two cells ("分配科学性 5 资金分配规范性 ……")
_CELL_ROW = re.compile(r"[^\s\d][ \t\u3000]+\d+(?:\.\d+)?[ \t\u3000]+[^\s\d]")


@dataclass
class _Run:
    start: int
    end: int
    hits: list[str]
    whole: bool  # the whole sentence, not a run of its clauses
    clauses: int = 1


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    anchored = _anchored(a, p)
    runs = []
    for i, s in enumerate(a.sentences):
        # a table row's cells are not a sentence
        if (anchored is not None and i not in anchored) or "|" in s.text or _CELL_ROW.search(s.text):
            continue
        run = _stock_run(a, s, p)
        if run and p.scope.admits(a, s.start):
            runs.append(run)
    for group in _adjacent(a, runs):
        hits = list(dict.fromkeys(h for r in group for h in r.hits))
        whole = all(r.whole for r in group)
        clauses = sum(r.clauses for r in group)
        where = "全句只由套话构成" if whole else (
            "这个分句只由套话构成" if clauses == 1 else f"这 {clauses} 个分句只由套话构成")
        yield a.finding(
            rule,
            group[0].start,
            group[-1].end,
            rule.say(count=len(hits)),
            evidence=f"套话 {len(hits)} 处（{'、'.join(hits)}），{where}，没有数字、文件名或具体做法",
        )


def _anchored(a: Analysis, p: Params) -> set[int] | None:
    """Indexes of the sentences worth reading (None: no anchors, read every sentence): two
    anchors (a run needs two stock phrases), or one of ``strong_anchors``. A sentence whose words
    a PDF broke with blanks is always read."""
    if not p.anchors:
        return None
    starts = [s.start for s in a.sentences]
    count: dict[int, int] = {}
    for rx in _each(tuple(p.anchors)):
        for m in rx.finditer(a.text):
            i = bisect_right(starts, m.start()) - 1
            count[i] = count.get(i, 0) + 1
    out = {i for i, n in count.items() if n >= 2}
    for rx in _each(tuple(p.strong_anchors)):
        for m in rx.finditer(a.text):
            out.add(bisect_right(starts, m.start()) - 1)
    for m in _WORD_BREAK.finditer(a.text):
        out.add(bisect_right(starts, m.start()) - 1)
    return out


@lru_cache(maxsize=64)
def _each(patterns: tuple[str, ...]) -> list[re.Pattern]:
    """Each pattern compiled on its own: a short literal-led pattern keeps re's quick scan for
    its first characters, which one long alternation of them loses."""
    return [re.compile(x) for x in patterns]


def _clauses(a: Analysis, s: Sentence, p: Params) -> list[_Clause]:
    """The sentence's clauses, classified; [] when the sentence holds no stock phrase at all.

    Blanks inside the sentence are dropped before matching (a PDF breaks words: "优 化资源配置");
    ``index`` maps the squeezed text back to the sentence."""
    phrases = compiled(p, "phrases")
    if _WORD_BREAK.search(s.text):
        index = [i for i, ch in enumerate(s.text) if not ch.isspace()]
        text = "".join(s.text[i] for i in index)
    else:
        index, text = None, s.text
    hits = [(m.start(), m.end()) for m in phrases.finditer(text)]
    if not hits:
        return []
    generic, specific = compiled(p, "generic"), compiled(p, "specific")
    purpose, purpose_end = compiled(p, "purpose"), compiled(p, "purpose_end")

    def at(i: int) -> int:  # a squeezed offset as an analysis offset
        return s.start + (i if index is None else (index[i] if i < len(index) else len(s.text)))

    out: list[_Clause] = []
    in_purpose = False
    pos, h = 0, 0
    for b in [*(m.start() for m in _CLAUSE_END.finditer(text)), len(text)]:
        cs, ce, pos = pos, b, b + 1
        mine = []
        while h < len(hits) and hits[h][0] < ce:
            if hits[h][0] >= cs:
                mine.append(hits[h])
            h += 1
        if ce <= cs:
            continue
        clause = text[cs:ce]
        start, end = at(cs), at(ce - 1) + 1
        if purpose and (not out or (len(out) == 1 and out[0].kind == "basis")):
            if not out and _BASIS.match(clause):
                # "根据……有关规定，为进一步规范……，现将……报告如下": the cited basis, then the purpose
                out.append(_Clause(start, end, [], "", "basis"))
                continue
            in_purpose = bool(purpose.search(clause))
        elif in_purpose and purpose_end and purpose_end.match(clause):
            in_purpose = False
        if in_purpose:
            out.append(_Clause(start, end, [], "", "framing"))
            continue
        words = [text[x:y] for x, y in mine]
        rest, last = [], cs
        for x, y in mine:
            rest.append(text[last:x])
            last = max(last, y)
        rest.append(text[last:ce])
        rest[0] = _NUMBERING.sub("", rest[0])
        rest = _QUOTED.sub("", "、".join(rest))
        if generic:
            rest = generic.sub("", rest)
        residue = _NON_CONTENT.sub("", rest)
        is_specific = bool(specific and specific.search(clause)) or (p.unless_figure and has_figure(a, start, end))
        if is_specific:
            kind = "content"
        elif words and len(residue) <= p.clause_residue:
            kind = "stock"
        elif len(set(words)) >= p.dense_hits and len(residue) <= p.dense_ratio * len(_NON_CONTENT.sub("", clause)):
            kind = "stock"
        elif not words and len(residue) <= p.framing_residue:
            kind = "framing"
        else:
            kind = "content"
        # a content clause that opens with a stock phrase ("认真部署开展了……工作")
        lead = words[0] if kind == "content" and not is_specific and mine and mine[0][0] == cs else ""
        out.append(_Clause(start, end, words, residue, kind, is_specific, lead, at(mine[0][1] - 1) + 1 if lead else 0))
    return out


def _stock_run(a: Analysis, s: Sentence, p: Params) -> _Run | None:
    """The best run of stock clauses in ``s`` that qualifies, or None."""
    clauses = _clauses(a, s, p)
    if not clauses:
        return None
    specific = any(c.specific for c in clauses)
    if p.sentence_hits and not specific:
        hits = list(dict.fromkeys(h for c in clauses for h in c.hits))
        if len(hits) >= p.sentence_hits:
            return _Run(s.start, s.end, hits, True)
    strong = compiled(p, "strong")
    best = None
    i = 0
    while i < len(clauses):
        if clauses[i].kind == "content":
            i += 1
            continue
        j = i
        while j + 1 < len(clauses) and clauses[j + 1].kind != "content":
            j += 1
        run = clauses[i : j + 1]
        whole = i == 0 and j == len(clauses) - 1
        # a formula goes on into the next clause ("高度重视，认真部署开展了……")
        nxt = clauses[j + 1] if j + 1 < len(clauses) else None
        led = nxt if nxt is not None and nxt.lead and run[-1].kind == "stock" else None
        i = j + 1
        stock = [c for c in run if c.kind == "stock"]
        if not stock:
            continue
        hits = list(dict.fromkeys([h for c in stock for h in c.hits] + ([led.lead] if led else [])))
        formula = bool(strong) and any(strong.search(h) for h in hits)
        if len(hits) < p.min_hits and not formula:
            continue
        if not (formula or whole or len(stock) + bool(led) >= p.min_clauses or len(hits) >= p.min_hits_in_run):
            continue
        if len(hits) < p.sure_hits and specific:
            continue
        first, last = stock[0], stock[-1]
        start, end = (s.start, s.end) if whole else (first.start, led.lead_end if led else last.end)
        quoted = [c for c in run if c.start >= start and c.end <= end]
        cand = _Run(start, end, hits, whole, max(1, len(quoted)) + bool(led))
        if best is None or len(cand.hits) > len(best.hits):
            best = cand
    return best


def _adjacent(a: Analysis, runs: list[_Run]) -> Iterator[list[_Run]]:
    """Runs grouped when only sentence punctuation on the same line separates them."""
    group: list[_Run] = []
    for r in runs:
        if group and a.text[group[-1].end : r.start].strip("。；;！？ \t") == "":
            group.append(r)
            continue
        if group:
            yield group
        group = [r]
    if group:
        yield group
