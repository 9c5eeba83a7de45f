"""parts_sum: parts that must add up to their total, in brackets after it ("共 10 万元（设备
6 万元、培训 3 万元）") or listed before the word that sums them ("……，合计 4.7 万元")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.budget import OPERATOR_AFTER, OPERATOR_BEFORE
from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, close, compiled
from drafter.text.figures import Figure, fmt

STAGE = "text"


class Params(BaseParams):
    max_gap: int = 20  # characters between the total and the opening bracket
    exclude: list[str] = []  # patterns: a bracket matching one of these is not a list of parts
    kinds: list[str] = ["amount", "count"]  # figure kinds that add up (rates do not)
    # the other shape: a list of parts, then the word that sums them and the total
    # ("设备购置 3.2 万元、培训 1.5 万元，合计 4.7 万元")
    sum_words: list[str] = []
    max_spread: float = 0.5  # a sum this far (as a fraction) from the total is not its breakdown


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
        tol = total.tolerance * (1 if total.kind != "amount" else 1) + sum(f.tolerance for f in parts)
        if close(s, total.base, tol):
            continue
        terms = " + ".join(fmt(f.value) for f in parts)
        yield a.finding(
            rule,
            total.start,
            m.end(),
            rule.say(total=total.text, sum=fmt(s)),
            evidence=f"{terms} = {fmt(sum(f.value for f in parts))}，与总数 {total.text} 不符",
        )
    if p.sum_words:
        yield from _listed_parts(rule, a, p)


_PER = re.compile(r"每[\u4e00-\u9fff]{0,2}\s*$")
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
                     and not _PER.search(a.text[max(0, f.start - 4) : f.start])]
            if len(parts) < 2 or any(not _LIST_SEPARATOR.search(a.text[x.end : y.start]) for x, y in zip(parts, parts[1:])):
                continue
            s = sum(f.base for f in parts)
            if total.base <= 0 or any(f.base > total.base for f in parts) or abs(s - total.base) > p.max_spread * total.base:
                continue
            if close(s, total.base, total.tolerance + sum(f.tolerance for f in parts)):
                continue
            terms = " + ".join(fmt(f.value) for f in parts)
            yield a.finding(rule, parts[0].start, total.end, rule.say(total=total.text, sum=fmt(s)),
                            evidence=f"{terms} = {fmt(sum(f.value for f in parts))}，与总数 {total.text} 不符")
            break


def _same_unit(total: Figure, part: Figure) -> bool:
    if total.kind != part.kind:
        return False
    return total.kind == "amount" or total.unit == part.unit
