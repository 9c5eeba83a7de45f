"""What several rule types share: the parameter base class and the ``scope`` key, compiled
pattern lists, tolerance comparison, the budget identity's figures, the "is it explained"
search and the corpus types' parameters. A helper used by one type lives in that type's module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from drafter.analysis.budget import RoleFigure
from drafter.analysis.view import Analysis
from drafter.text.figures import in_unit, in_unit_both


class BaseParams(BaseModel):
    """Base of every type's parameter model: a key the type does not know is an error. Frozen,
    as the rule that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EmptyParams(BaseParams):
    """A type whose rules set no keys of their own."""


class Scope(BaseModel):
    """Where a rule looks: sections whose title (or an ancestor's) matches one of
    ``sections`` (all when empty) and none of ``exclude_sections``. Entries are regexes; a plain
    word matches titles containing it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sections: list[str] = []
    exclude_sections: list[str] = []

    def admits(self, analysis: Analysis, pos: int) -> bool:
        sec = analysis.section_at(pos)
        titles = sec.titles() if sec else []
        inc, exc = rx_cached(tuple(self.sections)), rx_cached(tuple(self.exclude_sections))
        if inc and not any(inc.search(t) for t in titles):
            return False
        return not (exc and any(exc.search(t) for t in titles))


# --- patterns -----------------------------------------------------------------------------
def rx(patterns: list[str]) -> re.Pattern | None:
    """One alternation of the patterns (None for an empty list)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=512)
def rx_cached(patterns: tuple[str, ...]) -> re.Pattern | None:
    return rx(list(patterns))


def matches_around(text: str, anchor: re.Pattern, pattern: re.Pattern, before: int, after: int = 12) -> list[re.Match]:
    """The matches of ``pattern`` that start at most ``before`` characters ahead of a match of
    ``anchor`` (a word every match holds), in order and each once. Python's regex engine tries a
    pattern led by a digit or a group at every character of a report; a literal word is found
    fast, and the pattern is then tried only around it."""
    out, seen = [], set()
    for w in anchor.finditer(text):
        for m in pattern.finditer(text, max(0, w.start() - before), w.end() + after):
            if m.span() not in seen and m.start() <= w.start():
                seen.add(m.span())
                out.append(m)
    return sorted(out, key=lambda m: m.start())


def compiled(params: BaseModel, name: str) -> re.Pattern | None:
    """The alternation of a rule's pattern list ``name`` (compiled once per distinct list)."""
    return rx_cached(tuple(getattr(params, name)))


# --- figures ------------------------------------------------------------------------------
def close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9


def joint_tolerance(*figs) -> float:
    """The rounding two or more stated figures may carry between them: half a unit of each one's
    last digit, except that a figure written as an integer beside ones with decimals is exact
    (预算 1000 万元 beside 已使用 696.5 万元: the writer who gives tenths writes the whole
    number when it is whole). Figures or ``RoleFigure``s, with ``decimals`` and ``tolerance``."""
    finest = max(f.decimals for f in figs)
    return sum(f.tolerance for f in figs if f.decimals or not finest)


def has_figure(analysis: Analysis, a: int, b: int) -> bool:
    return bool(analysis.figures_in(a, b))


def unit_of(f: RoleFigure) -> str:
    """The unit the report states an amount in: its figure's, a table cell's, else 元."""
    if f.figure is not None and f.figure.kind == "amount":
        return f.figure.unit
    return f.unit or "元"


def amount(value: float, like: RoleFigure) -> str:
    """An amount in 元 stated in the unit the report uses for ``like``: "13.64 万元"."""
    return in_unit(value, unit_of(like))


def amount_both(value: float, like: RoleFigure) -> str:
    """As ``amount``, with 元 beside it for evidence: "13.64 万元（136400 元）"."""
    return in_unit_both(value, unit_of(like))


def identity_figures(a: Analysis) -> dict[str, RoleFigure]:
    """The project's budget, spending and balance (as far as the report gives them)."""
    out = {}
    budget = a.budget.budget_figure
    if budget:
        out["budget"] = budget
    for role in ("spent", "balance"):
        f = a.budget.first(role)
        if f:
            out[role] = f
    return out


def identity_holds(a: Analysis, v: dict[str, RoleFigure]) -> bool:
    """预算 − 支出 = 结余 under some reading of the budget (with or without 上年结转)."""
    s, r = v["spent"], v["balance"]
    return any(close(b.value - s.value, r.value, joint_tolerance(b, s, r))
               for b in a.budget.budget_alternatives() or [v["budget"]])


def slip_candidates(values: dict[str, RoleFigure]) -> Iterator[tuple[str, float]]:
    """(role, factor) pairs where scaling that one figure by 10⁴ or 10⁻⁴ makes a failing
    预算 − 支出 = 结余 hold: a 元/万元 slip rather than an arithmetic error."""
    b, s, r = values.get("budget"), values.get("spent"), values.get("balance")
    if not (b and s and r):
        return
    if close(b.value - s.value, r.value, b.tolerance + s.tolerance + r.tolerance):
        return
    fits = []
    for role in ("budget", "spent", "balance"):
        for factor in (1e4, 1e-4):
            v = {k: values[k].value * (factor if k == role else 1) for k in ("budget", "spent", "balance")}
            tol = sum(values[k].tolerance * (factor if k == role else 1) for k in ("budget", "spent", "balance"))
            residual = abs(v["budget"] - v["spent"] - v["balance"])
            if residual <= tol + 1e-9 and v["balance"] >= -tol:
                fits.append((residual / max(tol, 1e-9), role, factor))
    # the best fit first: 32 万元 − 318472 万元 is "fixed" by 32 万元 × 10⁴ only within the
    # slack that scaling gives its rounding; 318472 元 makes it hold exactly
    for _, role, factor in sorted(fits, key=lambda f: f[0]):
        yield role, factor


# --- text ---------------------------------------------------------------------------------
def explained(a: Analysis, p) -> bool:
    """True when a sentence (or a 自评表 cell) names the topic and gives a reason: ``p.topic``
    and ``p.reasons`` are the rule's pattern lists."""
    topic, reasons = compiled(p, "topic"), compiled(p, "reasons")
    # a 自评表 gives its reasons in the 偏差原因 column
    for t in a.tables:
        if any(topic.search(c.text) and reasons.search(c.text) for row in t.rows for c in row):
            return True
    return any(topic.search(s.text) and reasons.search(s.text) for s in a.sentences)


# --- the corpus types ---------------------------------------------------------------------
class CorpusParams(BaseParams):
    """corpus_copy, corpus_profile: sentences found in other reports of the index."""

    kinds: list[str] = []  # section kinds this rule covers (empty: all but exclude_kinds)
    exclude_kinds: list[str] = []
    min_reports: int = 1
    listed: int = 3  # reports named in the evidence


def corpus_kind_ok(p: CorpusParams, kind: str) -> bool:
    if p.kinds and kind not in p.kinds:
        return False
    return kind not in p.exclude_kinds


class YoyParams(BaseParams):
    """corpus_yoy, corpus_stale: the same unit's report of an earlier year."""

    min_share: float = 0.6  # of a paragraph's sentences that repeat the earlier report
    # the cover, the unit's profile and the project's standing description repeat every year
    exclude_kinds: list[str] = ["front", "unit", "project"]
