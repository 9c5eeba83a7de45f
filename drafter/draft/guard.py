"""The figure guard: a model-written section may carry only figures of the facts or computed from
them, must carry the section's required figures, and must pass the reviewer's error-level rules."""

from __future__ import annotations

import re

from pydantic import BaseModel

from drafter.draft.plan import SectionPlan
from drafter.text.figures import Figure, extract

_SENTENCES = re.compile(r"[^。！？；\n]+[。！？；]?")


class Allowed(BaseModel):
    amounts: list[float] = []  # 元
    percents: list[float] = []
    counts: list[tuple[float, str]] = []
    scores: list[float] = []

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

    def add_text(self, text: str) -> None:
        for f in extract(text):
            if f.kind == "amount":
                self.amounts.append(f.yuan)
            elif f.kind == "percent":
                self.percents.append(f.value)
            elif f.kind == "score":
                self.scores.append(f.value)
            else:
                self.counts.append((f.value, f.unit))


def unknown_figures(text: str, allowed: Allowed) -> list[str]:
    return [f.text for f in extract(text) if not allowed.admits(f)]


def allowed_of(d) -> Allowed:
    """Every figure of the facts and the derived figures, as the guard compares them."""
    allowed = Allowed()
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
                     for f in review(section, rules=rules).findings if f.level.value == "error"]
    return problems


def replace_offending(text: str, fallback: str, allowed: Allowed) -> str:
    """The deterministic text stands in for the figures, marked for checking; the model's
    sentences that carry no unknown figure are kept after it."""
    kept = [s for s in _SENTENCES.findall(text) if not unknown_figures(s, allowed) and not extract(s)]
    return (fallback + "【待核实：模型改写稿含无法核对的数字，已改用程序生成的文字】"
            + ("\n\n" + "".join(kept) if kept else ""))
