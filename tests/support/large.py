"""Large inputs for the scaling tests and ``benchmarks/large_bench.py`` (issue 13, items 4 and 6):
many short budget paragraphs, many short sections, and a long realistic text made of the
bundled reports."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def budget_paragraphs(n: int, distinct: bool = False) -> str:
    """A report of ``n`` short paragraphs, each with a budget, its spending and their rate: the
    same paragraph (a pasted table of 8,000 rows), or each with its own figures."""
    out = ["# 财政支出项目绩效自评报告\n\n"]
    for i in range(n):
        budget, spent = (100 + i, 90 + i * 0.9) if distinct else (100, 95)
        out.append(f"本项目年初预算 {budget} 万元，全年支出 {spent:g} 万元，执行率 {spent / budget * 100:.2f}%。\n\n")
    return "".join(out)


def corpus_text(megabytes: float) -> str:
    """The bundled reports (corpus/, front matter dropped) one after another, repeated to about
    ``megabytes`` MB of UTF-8."""
    one = "\n".join(_FRONT_MATTER.sub("", p.read_text(encoding="utf-8"))
                    for p in sorted((ROOT / "corpus").glob("*.md")))
    size = len(one.encode("utf-8")) + 1
    return "\n".join([one] * max(1, round(megabytes * 1024 * 1024 / size)))


# A short part of a report with something for each step that read the whole report for each
# section, sentence or figure (issue 13, item 6): a numbered spending section without figures
# (section_figures), bold marks (the analysis text), a pipe table and amounts outside it (the
# budget's table spans), intensifiers joined by "；" (existence), a vague problem (existence,
# unless_elaborated); every heading asks for the report's template.
_SECTIONS = ("## 一、资金执行情况\n\n**已按规定支付**。\n\n" + "| 预算 | 100 |\n" * 12 + "\n"
             + "支出 95 万元，" * 12 + "结余 5 万元。服务水平明显提升；群众满意度大幅提高。\n\n"
             "## 二、存在问题\n\n管理不够规范。\n\n")


def short_sections(n: int) -> str:
    """A report of ``n`` times the same few short sections: a long report's many headings,
    tables and figures."""
    return "# 财政支出项目绩效自评报告\n\n" + _SECTIONS * n
