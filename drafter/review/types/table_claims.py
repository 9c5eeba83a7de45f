"""table_claims: outcomes the 自评表 claims with nothing to check them by, in any layout:
an 效益 indicator whose 实际完成值 is only an evaluative word (效果明显, 显著, 有效, 逐步提高) and
still earns full marks (``check: qualitative_effect``), and a 实际完成情况 that repeats the
预期目标 word for word (``check: goal_repeated``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams, compiled, matches_around
from drafter.text.forms import cells
from drafter.text.tables import indicator_tables

STAGE = "text"


class Params(BaseParams):
    check: Literal["qualitative_effect", "goal_repeated", "bound_copied", "completion_cell", "no_values", "word_actual",
                   "same_words"]
    # qualitative_effect: the rows that are outcomes (their 一级/二级 name) and the words that
    # evaluate without measuring
    effect_levels: list[str] = []
    evaluative: list[str] = []
    # goal_repeated: the header cells after which the goals and what was done stand
    goal_headers: list[str] = []
    min_chars: int = 12
    repeat_chars: int = 20  # a numbered item whose opening this long stands again (interleaved columns)
    # bound_copied: a target written as a bound (≥90%) and, in the next cell, the same bound as
    # the actual value
    bound: str = ""
    targets_only: str = ""  # a table of targets alone (年度指标值, 中期指标值): two bounds are two targets
    # completion_cell: a table cell that is a completion share and nothing else (已完成100%),
    # in at least ``min_cells`` cells of the text (a column of them)
    completion: str = ""
    completion_word: str = "完成"  # a word every completion cell holds: cells are looked for around it
    min_cells: int = 2
    # no_values: an indicator row of a form with 指标值 and 实际完成值 columns that gives only its
    # name, 分值 and 得分 (groups name, weight, score), full marks
    row: str = ""
    header: str = ""
    # word_actual: a target with a figure (≤ 30 万元) whose actual value is only a word of
    # completion (完成, 达标, 是) and which scores full marks
    completion_words: str = ""


def check(rule, a: Analysis) -> Iterator[Finding]:
    p: Params = rule.params
    if p.check == "qualitative_effect":
        yield from _qualitative(rule, a, p)
    elif p.check == "bound_copied":
        yield from _bound_copied(rule, a, p)
    elif p.check == "completion_cell":
        yield from _completion_cells(rule, a, p)
    elif p.check == "no_values":
        yield from _no_values(rule, a, p)
    elif p.check == "word_actual":
        yield from _word_actual(rule, a, p)
    elif p.check == "same_words":
        yield from _same_words(rule, a, p)
    else:
        yield from _repeated(rule, a, p)


def _same_words(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"经济效益指标 道路交通设施 降低村民出行和农产品运输成本 降低村民出行和农产品运输成本": under an
    indicator header (指标值 … 完成值), a target written as an aim and the same words again as the
    actual value, in any layout (pipes, lines, blanks). A category copied (市级保护单位) is a value;
    an aim (提高, 降低, 改善 …) repeated is not a result."""
    words = compiled(p, "evaluative")
    for h in re.finditer(p.header, a.text):
        stream = [c for c in cells(a.text, h.end(), min(len(a.text), h.end() + 3000)) if c.text.strip("|")]
        for c1, c2 in zip(stream, stream[1:]):
            if (c1.text == c2.text and len(c1.text) >= p.min_chars and not re.search(r"\d", c1.text)
                    and words.search(c1.text)):
                yield a.finding(rule, c1.start, c2.end, rule.say(value=c1.text),
                                evidence=f"年度指标值与实际完成值都是“{c1.text}”")


def _word_actual(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"成本控制数 | ≤ | 30 | 万元 | 完成 | 90 | 90": a target stated as a figure, an actual value
    that is only a word of completion, and full marks: what was reached is not said."""
    done = re.compile(rf"(?:{p.completion_words})")
    for it in indicator_tables(a):
        for r in it.rows:
            actual = r.actual.strip()
            if (r.is_total or not re.search(r"\d", r.target) or not done.fullmatch(actual)
                    or r.weight is None or r.score is None or r.score < r.weight):
                continue
            c = it.cell(r, it.col_actual)
            sign = next((x.text for x in r.cells if x.text.strip() in ("≤", "≥", "≧", "≦", "<", ">", "=")), "")
            target = f"{sign}{r.target.strip()}{_unit_cell(it, r)}"
            yield a.finding(rule, c.start, c.end, rule.say(name=r.name, target=target, actual=actual),
                            evidence=f"年度指标值 {target}，实际完成值“{actual}”；得分 {r.score:g} / 分值 {r.weight:g}")


def _unit_cell(it, r) -> str:
    """The 度量单位 column's cell of a row (the 自评表 puts the unit in a column of its own)."""
    col = it.table.column("度量单位", "计量单位")
    return r.cells[col].text.strip() if col is not None and col < len(r.cells) else ""


def _no_values(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"指标1:工程质量合格 10 10" under a header with 年度指标值 and 实际完成值: the row scores full
    marks with neither a target nor an actual value."""
    header = re.search(p.header, a.text)
    if header is None:
        return
    for m in re.finditer(p.row, a.text[header.end() :]):
        w, sc = float(m.group("weight")), float(m.group("score"))
        if not 0 < w <= 30 or sc != w:
            continue
        start = header.end() + m.start("name")
        yield a.finding(rule, start, header.end() + m.end("score"), rule.say(name=m.group("name").strip()),
                        evidence=f"“{m.group('name').strip()}”只有分值 {m.group('weight')}、"
                                 f"得分 {m.group('score')}，年度指标值和实际完成值都空着")


def _completion_cells(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"| 群众满意度 | 90% | 已完成100% |": the actual value of each indicator given as a share of
    completion, which says nothing of what was done (how many campaigns, what satisfaction)."""
    rx = re.compile(rf"(?:(?<=[|\n\t])|(?<=\s\s)|(?<=^))[ \u3000]*(?P<c>{p.completion})[ \u3000]*(?=[|\n\t]|\s\s|$)")
    found = matches_around(a.text, re.compile(p.completion_word), rx, 12, 30)
    if len(found) < p.min_cells:
        return
    for m in found:
        yield a.finding(rule, m.start("c"), m.end("c"), rule.say(cell=m.group("c")),
                        evidence=f"实际完成栏只写“{m.group('c')}”（全文 {len(found)} 处）")


def _bound_copied(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """"项目业主满意度 | ≥90% | ≥90%", "安装坡面水标尺≥266米≥266米": the 实际完成值 cell repeats the
    target's bound, so no value was reported (rows of a table in any layout: the bound, then at
    once the same bound)."""
    pair = re.compile(rf"(?P<b>{p.bound})[\s|]*(?P=b)")
    for m in pair.finditer(a.text):
        if m.group("b")[-1].isdigit() and re.match(r"[\d.]", a.text[m.end() : m.end() + 1]):
            continue  # ≥90 then ≥90.5: not the same bound
        if p.targets_only and re.search(p.targets_only, a.text[max(0, m.start() - 2000) : m.start()]):
            continue
        yield a.finding(rule, m.start(), m.end(), rule.say(bound=m.group("b").strip()),
                        evidence=f"年度指标值与实际完成值都写“{m.group('b').strip()}”")


def _qualitative(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    levels, words = compiled(p, "effect_levels"), compiled(p, "evaluative")
    for it in indicator_tables(a):
        level1 = level2 = ""
        for r in it.rows:
            if r.is_total:
                continue
            # merged 一级/二级 cells are written once: carry them down
            level1 = r.cells[0].text.strip() or level1
            level2 = ((r.cells[1].text.strip() if len(r.cells) > 1 else "")
                      or (level2 if not r.cells[0].text.strip() else ""))
            actual = r.actual.strip()
            if not levels.search(level2 or level1) or not actual or re.search(r"\d", actual) or len(actual) > 12:
                continue
            if not words.search(actual) or r.weight is None or r.score is None or r.score < r.weight:
                continue
            c = it.cell(r, it.col_actual)
            yield a.finding(rule, c.start, c.end, rule.say(name=r.name, actual=actual, score=f"{r.score:g}"),
                            evidence=f"实际完成值“{actual}”没有数值；得分 {r.score:g} / 分值 {r.weight:g}")


def _repeated(rule, a: Analysis, p: Params) -> Iterator[Finding]:
    """After a 预期目标 … 实际完成情况 header: the goal cells followed by the same cells again
    (目标1 目标2 目标1 目标2), or each goal cell followed by its copy; in a table pasted without
    its borders (the two header cells side by side), a run of clauses followed by itself."""
    headers = compiled(p, "goal_headers")
    text = a.text
    for m in headers.finditer(text):
        stream = [c for c in cells(text, m.end(), min(len(text), m.end() + 1500)) if c.text.strip("|")]
        while stream and re.fullmatch(r"[\d.%分（）()]+", stream[0].text):
            stream.pop(0)  # a 分值 cell between the header and the goals
        stream = stream[:24]
        found = None
        for k in range(1, len(stream) // 2 + 1):
            if [c.text for c in stream[:k]] == [c.text for c in stream[k : 2 * k]]:
                found = (stream[0].start, stream[2 * k - 1].end, sum(len(c.text) for c in stream[:k]))
                break
        if found is None and len(stream) >= 2 and stream[0].text == stream[1].text:
            found = (stream[0].start, stream[1].end, len(stream[0].text))
        if found is None and stream and goal_columns_before(text, m.start()):
            found = _glued_repeat(stream[0])
        if found is None:
            found = _interleaved_repeat(text, m.end(), min(len(text), m.end() + 1500), p.repeat_chars)
        if found is None or found[2] < p.min_chars:
            continue
        yield a.finding(rule, found[0], found[1], rule.say(), evidence="实际完成情况与预期目标逐字相同")


# the goal column's header just before the completion column's: the 自评表's header row
_GOAL_COLUMN = re.compile(r"(?:预期目标|年初设定目标|年度目标)[\s|]*$")


def goal_columns_before(text: str, at: int) -> bool:
    """The 实际完成情况 header at ``at`` stands beside the 预期目标 header (a form's header row)."""
    return bool(_GOAL_COLUMN.search(text, max(0, at - 60), at))


_ITEM_START = re.compile(r"(?<![\d.])\d{1,2}[.、．](?!\d)")


def _interleaved_repeat(text: str, start: int, end: int, size: int) -> tuple[int, int, int] | None:
    """(start, end, size) of a numbered item whose first ``size`` characters stand again soon after
    it: the goal and completion columns of a PDF's table read line by line in turn ("1.坚持……推进普
    1.坚持……推进普法……服务 法……"), each item of the completion copied from the goal."""
    for m in _ITEM_START.finditer(text, start, end):
        key = text[m.start() : m.start() + size]
        if len(key) < size or "\n" in key:
            continue
        again = text.find(key, m.start() + size, min(end, m.start() + 400))
        if again >= 0:
            return m.start(), again + size, size
    return None


def _glued_repeat(cell) -> tuple[int, int, int] | None:
    """(start, end, size) of a run of clauses followed at once by the same run in one cell
    ("……，对项目区农业用水计量，为……夯实基础，对项目区农业用水计量，为……夯实基础，"): the goal
    and completion cells glued into one."""
    pieces, pos = [], cell.start
    for part in re.split(r"(?<=[，,；;。])", cell.text):
        if part:
            pieces.append((part.rstrip("，,；;。"), pos, pos + len(part)))
            pos += len(part)
    words = [w for w, _, _ in pieces]
    for k in range(1, len(words) // 2 + 1):
        for i in range(len(words) - 2 * k + 1):
            if words[i : i + k] == words[i + k : i + 2 * k] and all(words[i : i + k]):
                return pieces[i][1], pieces[i + 2 * k - 1][2], sum(len(w) for w in words[i : i + k])
    return None
