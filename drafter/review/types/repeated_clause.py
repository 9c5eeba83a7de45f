"""repeated_clause: the same clause written twice (or more) in one sentence, a paste left
twice ("增强了……能力，是……的现实需要，增强了……能力。"; "及时拨付项目资金；及时拨付项目资金；").

A sentence here runs to 。！？ or the end of its line (clauses joined by ； are one statement);
clauses are cut at ，；. A clause counts when it has at least ``min_chars`` characters of words
and no digit (a repeated "30万元用于……" is a list, not a paste); table rows, and text where two
columns of a PDF were read across (words broken by blanks), are not read, nor the goal and
completion cells of a 自评表 pasted without its borders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams

STAGE = "text"


class Params(BaseParams):
    min_chars: int = 8  # characters of words in a clause that counts


_STATEMENT_END = re.compile(r"[。！？!?]+|\n")
_CLAUSE_END = re.compile(r"[，；,;]")
_ANY_END = re.compile(r"[，；,;。！？!?]")
_NOT_WORD_OR_DIGIT = re.compile(r"[^\u3400-\u9fffA-Za-z0-9]+")
_DIGIT = re.compile(r"\d")
# words broken by blanks ("构建和谐社 势群体"): two columns of a PDF read across, which repeats text
# that the report itself writes once
_BROKEN = re.compile(r"[\u3400-\u9fff][ \t\u3000]+[\u3400-\u9fff]")
# the 自评表's goal and completion columns: a completion that copies the goal is
# goal-completion-repeats-target's, not a paste within one sentence
_FORM_GOALS = re.compile(r"(?:预期目标|年初设定目标|年度目标)[\s|]*(?:实际完成情况|年度总体目标完成情况)")


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    for line in a.lines:
        if line.heading or line.is_table or len(line.text) < 2 * p.min_chars or "|" in line.text:
            continue
        # most lines repeat no clause: one split of the whole line tells
        cores = [c.strip() for c in _ANY_END.split(line.text)]
        cores = [c for c in cores if len(c) >= p.min_chars]
        if len(set(cores)) == len(cores):
            continue
        pos = line.start
        for m in [*_STATEMENT_END.finditer(a.text, line.start, line.end), None]:
            stop = m.start() if m else line.end
            if stop - pos >= 2 * p.min_chars:
                yield from _statement(rule, a, p, pos, stop)
            if m is None:
                break
            pos = m.end()


def _statement(rule, a: Analysis, p: Params, start: int, end: int) -> Iterator[Finding]:
    text = a.text[start:end]
    parts = _CLAUSE_END.split(text)
    if len(parts) < 2:
        return
    seen: dict[str, list[int]] = {}  # a clause's text -> the indexes of its occurrences
    for i, raw in enumerate(parts):
        core = raw.strip().replace(" ", "").replace("\u3000", "")
        if len(core) >= p.min_chars:
            seen.setdefault(core, []).append(i)
    repeats = [(idx, core) for core, idx in seen.items()
               if len(idx) > 1 and not _DIGIT.search(core) and len(_NOT_WORD_OR_DIGIT.sub("", core)) >= p.min_chars]
    if not repeats or _BROKEN.search(text):
        return
    offsets = [0]
    for raw in parts:
        offsets.append(offsets[-1] + len(raw) + 1)
    first = min(idx[0] for idx, _ in repeats)
    last = max(idx[-1] for idx, _ in repeats)
    if _FORM_GOALS.search(a.text, max(0, start + offsets[first] - 400), start + offsets[first]):
        return
    s, e = a.trim(start + offsets[first], start + offsets[last] + len(parts[last]))
    times = max(len(idx) for idx, _ in repeats)
    shown = "”“".join(core for _, core in repeats)
    yield a.finding(rule, s, e, rule.say(times=times), evidence=f"“{shown}”在同一句中出现 {times} 次")
