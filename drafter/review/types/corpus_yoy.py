"""corpus_yoy: a paragraph nearly identical to the same unit's report of an earlier year
(consecutive copied paragraphs of one section make one finding)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.corpus.embed import sentence_form
from drafter.findings import Finding
from drafter.review.context import ReviewContext
from drafter.review.types._common import YoyParams

STAGE = "corpus"
Params = YoyParams
MIN_SENTENCE = 12  # as drafter.corpus.index.MIN_SENTENCE (not imported: the index pulls in chromadb)


def check(rule, ctx: ReviewContext) -> Iterator[Finding]:
    a, corpus = ctx.analysis, ctx.corpus
    if corpus is None:
        return
    p: Params = rule.params
    by_line: dict[int, list] = {}
    for sm in corpus.sentences:
        old = corpus.earlier_same_unit(sm)
        if old and sm.kind not in p.exclude_kinds:
            by_line.setdefault(_line_index(a, sm.sentence.start), []).append((sm, max(old, key=lambda m: m.shape)))
    copied = []  # (line index, items) of paragraphs that repeat the earlier report
    for li, items in sorted(by_line.items()):
        line = a.lines[li]
        eligible = [s for s in a.sentences_in(line.start, line.end) if len(sentence_form(s.text)) >= MIN_SENTENCE]
        if eligible and len(items) >= p.min_share * len(eligible):
            copied.append((li, items, len(eligible)))
    # consecutive copied paragraphs of one section make one finding
    groups: list[list] = []
    for entry in copied:
        li = entry[0]
        if (groups and li == groups[-1][-1][0] + 1
                and a.section_at(a.lines[li].start) is a.section_at(a.lines[groups[-1][-1][0]].start)):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    for group in groups:
        items = [it for _, its, _ in group for it in its]
        eligible = sum(n for _, _, n in group)
        years = sorted({int(m.meta["year"]) for _, m in items})
        sim = min(m.shape for _, m in items)
        where = f"{len(group)} 段、" if len(group) > 1 else ""
        yield a.finding(rule, items[0][0].sentence.start, items[-1][0].sentence.end,
                        rule.say(year="、".join(map(str, years))),
                        evidence=f"{where}{len(items)}/{eligible} 句与本单位 {'、'.join(map(str, years))} 年报告相同"
                                 f"（相似度 ≥ {sim:.2f}）：“{items[0][1].text[:40]}”")


def _line_index(a: Analysis, pos: int) -> int:
    starts = [line.start for line in a.lines]
    return max(0, bisect_right(starts, pos) - 1)
