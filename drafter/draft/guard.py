"""The figure guard: a model-written section may carry only figures of the facts or computed from
them, must carry the section's required figures, and must pass the reviewer's error-level rules.

Every number counts, not only amounts, percentages, scores and counts (``drafter.text.figures``):
a number with any other unit or none (3 倍, 2.5 秒, 99.99, 64 核, 三倍) must be a number of the
facts; a year or a date must be one the facts name (the report's year and the years beside it,
and the year's first and last day, go without saying); ordinals (一、 （二） 1. 一是 第三) number
places, not things (``drafter.draft.numbers``)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from drafter.draft.numbers import Number, numbers
from drafter.draft.plan import SectionPlan
from drafter.text.figures import AMOUNT_SCALE, Figure, extract

_SENTENCES = re.compile(r"[^。！？；\n]+[。！？；]?")


class Allowed(BaseModel):
    amounts: list[float] = []  # 元
    percents: list[float] = []
    counts: list[tuple[float, str]] = []
    scores: list[float] = []
    numbers: list[tuple[float, str]] = []  # the facts' other numbers: (value, unit; "" when bare)
    years: list[int] = []
    dates: list[tuple[int, int]] = []  # (month, day; 0 for a month alone)
    amount_unit: str = "元"  # the facts' unit: a bare number may be an amount in it

    def admits(self, f: Figure) -> bool:
        if f.kind == "amount":
            return any(abs(f.yuan - a) <= max(f.tolerance, 0.01) for a in self.amounts)
        if f.kind == "percent":
            return any(abs(f.value - p) <= max(f.tolerance, 0.005) for p in self.percents)
        if f.kind == "score":
            return any(abs(f.value - s) <= max(f.tolerance, 0.005) for s in self.scores)
        return any(abs(f.value - v) < 1e-9 and u == f.unit for v, u in self.counts) or any(
            abs(f.value - v) < 1e-9 for v, _ in self.counts
        )

    def admits_number(self, n: Number) -> bool:
        """A number that is not one of the figure module's figures (see the module's docstring)."""
        if n.role == "ordinal":
            return True
        if n.role == "year":
            return int(n.value) in self.years and (not n.month or self._date(n.month, n.day))
        if n.role == "date":
            return self._date(n.month, n.day)
        same = [u for v, u in (*self.numbers, *self.counts) if abs(v - n.value) < 1e-9]
        if n.unit:
            return any(u in (n.unit, "") for u in same)
        scale = AMOUNT_SCALE.get(self.amount_unit, 1.0)
        bare = (*self.amounts, *(a / scale for a in self.amounts), *self.percents, *self.scores, *self.years)
        return bool(same) or any(abs(v - n.value) < 1e-9 for v in bare)

    def _date(self, month: int, day: int) -> bool:
        if (month, day) in self.dates or (month, day) in ((1, 0), (1, 1), (12, 0), (12, 31)):
            return True
        return day == 0 and any(m == month for m, _ in self.dates)

    def add_text(self, text: str) -> None:
        """The figures and numbers of a text of the facts."""
        self.add_numbers(text)
        for f in extract(text):
            if f.kind == "amount":
                self.amounts.append(f.yuan)
            elif f.kind == "percent":
                self.percents.append(f.value)
            elif f.kind == "score":
                self.scores.append(f.value)
            else:
                self.counts.append((f.value, f.unit))


    def add_numbers(self, text: str) -> None:
        for n in numbers(text):
            if n.role == "year":
                self.years.append(int(n.value))
                if n.month:
                    self.dates.append((n.month, n.day))
            elif n.role == "date":
                self.dates.append((n.month, n.day))
            elif n.role == "quantity":
                self.numbers.append((n.value, n.unit))


# figures written in full-width digits are figures too (one character for one: offsets hold)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def unknown_figures(text: str, allowed: Allowed) -> list[str]:
    """The figures and numbers of ``text`` that are neither facts nor derived, as written."""
    flat = text.translate(_FULL_WIDTH)
    figures = extract(flat)
    found = [(f.start, text[f.start : f.end]) for f in figures if not allowed.admits(f)]
    found += [(n.start, text[n.start : n.end].strip()) for n in numbers(flat, [(f.start, f.end) for f in figures])
              if not allowed.admits_number(n)]
    return [t for _, t in sorted(found)]


def allowed_of(d) -> Allowed:
    """Every figure of the facts and the derived figures, as the guard compares them, and the
    facts' other numbers, years and dates."""
    allowed = Allowed(amount_unit=d.amount_unit)
    if d.year:
        allowed.years.extend([d.year - 1, d.year, d.year + 1])
    for text in d.texts:
        allowed.add_numbers(text)
    for f in d.figures():
        if f.kind == "amount":
            allowed.amounts.append(f.value)
        elif f.kind == "percent":
            allowed.percents.extend([f.value] + ([f.exact] if f.exact is not None else []))
        elif f.kind == "score":
            allowed.scores.extend([f.value] + ([f.exact] if f.exact is not None else []))
        else:
            allowed.counts.append((f.value, f.unit))
    return allowed


def check(text: str, allowed: Allowed, must: list[str], plan: SectionPlan | None = None, rules=None) -> list[str]:
    """What is wrong with a model-written section: figures that are neither facts nor derived,
    required figures left out, and the reviewer's error-level findings on the section."""
    problems = [f"出现了事实中没有的数字：{x}" for x in unknown_figures(text, allowed)]
    flat = re.sub(r"\s+", "", text)
    problems += [f"缺少必需的数字：{m}" for m in must if re.sub(r"\s+", "", m) not in flat]
    if plan is not None and rules is not None:
        from drafter.documents.load import from_text
        from drafter.review.engine import review

        section = from_text("#" * (plan.level + 1) + f" {plan.heading}\n\n{text}\n")
        problems += [f"审核错误：{f.message}（{f.quote}）"
                     for f in review(section, rules=rules, trusted_markers="").findings  # no marker of a model
                     if f.level.value == "error"]
    return problems


def replace_offending(text: str, fallback: str, allowed: Allowed) -> str:
    """The deterministic text stands in for the figures, marked for checking; the model's
    sentences that carry no unknown figure are kept after it."""
    kept = [s for s in _SENTENCES.findall(text) if not unknown_figures(s, allowed) and not extract(s)]
    return (fallback + "【待核实：模型改写稿含无法核对的数字，已改用程序生成的文字】"
            + ("\n\n" + "".join(kept) if kept else ""))
