"""Eval metrics: the reviewer's findings against labelled defects, and a draft against its
facts and its reference report. Pure functions of their inputs.

Review: a finding matches a label when their spans overlap and the finding's category is one
the label accepts (an inflated self-score caught as a score stated twice is caught); recall
counts a label as found when a finding matches it. For an injected report only the findings
that the injection brought are judged (those of the clean report are judged once, on the
clean report): a finding is correct when it matches the label, or, for a planted figure or
score error, when it is a figures/score finding the wrong figure rightly sets off elsewhere
(the stated rate, the other mention of the same 结余). Anything else is a false alarm.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import yaml

from drafter.evals.inject import Label
from drafter.findings import Finding

CATEGORIES = ("figures", "score", "unsupported", "boilerplate", "structure")
# planted errors in figures whose consequences other rules rightly report
FIGURE_KINDS = {"break-identity", "swap-unit", "inflate-score"}


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] <= a[0] < b[1])


def matches(f: Finding, label: Label, categories: list[str] | None = None) -> bool:
    if f.category not in (categories or label.categories()):
        return False
    return any(overlaps((f.start, f.end), span) for span in [(label.start, label.end), *label.also])


@dataclass
class Tally:
    """Counts per category: findings judged correct / false, labels found / missed."""

    tp: Counter = field(default_factory=Counter)  # correct findings, by the finding's category
    fp: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)  # labels found, by the label's category
    missed: Counter = field(default_factory=Counter)
    clean_chars: int = 0
    clean_false_alarms: int = 0

    def add(self, other: "Tally") -> None:
        for name in ("tp", "fp", "found", "missed"):
            getattr(self, name).update(getattr(other, name))
        self.clean_chars += other.clean_chars
        self.clean_false_alarms += other.clean_false_alarms

    def to_json(self) -> dict:
        return {"tp": dict(self.tp), "fp": dict(self.fp), "found": dict(self.found), "missed": dict(self.missed),
                "clean_chars": self.clean_chars, "clean_false_alarms": self.clean_false_alarms}

    @classmethod
    def from_json(cls, d: dict) -> "Tally":
        return cls(Counter(d["tp"]), Counter(d["fp"]), Counter(d["found"]), Counter(d["missed"]), d["clean_chars"],
                   d["clean_false_alarms"])


@dataclass
class Judged:
    finding: Finding
    verdict: str  # "match" | "consequence" | "false-alarm" | "pre-existing"
    label: int | None = None  # index of the matched label


def judge_clean(findings: list[Finding], labels: list[Label], chars: int) -> tuple[Tally, list[Judged], list[bool]]:
    """A report as it is, with its hand-labelled defects (none for a clean reference)."""
    t = Tally(clean_chars=chars)
    judged = []
    for f in findings:
        hit = next((i for i, lab in enumerate(labels) if matches(f, lab)), None)
        judged.append(Judged(f, "match" if hit is not None else "false-alarm", hit))
        if hit is None:
            t.fp[f.category] += 1
            t.clean_false_alarms += 1
        else:
            t.tp[f.category] += 1
    found = [any(j.label == i for j in judged) for i in range(len(labels))]
    for lab, ok in zip(labels, found):
        (t.found if ok else t.missed)[lab.category] += 1
    return t, judged, found


def map_back(pos: int, edit: tuple[int, int, int], *, end: bool = False) -> int:
    """A position of the edited text in the text before the edit (start, old_end, new_length);
    a position inside the new text maps to the old text's start (or, for an end, its end)."""
    s, e, n = edit
    if pos <= s:
        return pos
    if pos >= s + n:
        return pos - n + (e - s)
    return e if end else s


def judge_injected(before: list[Finding], after: list[Finding], label: Label,
                   edit: tuple[int, int, int]) -> tuple[Tally, list[Judged], bool]:
    """The findings on a report with one planted defect: those already on the clean report are
    left out (judged there); the others match the label, are its consequences, or are false."""
    known = Counter((f.rule, f.start, f.end) for f in before)
    t = Tally()
    judged = []
    for f in after:
        key = (f.rule, map_back(f.start, edit), map_back(f.end, edit, end=True))
        if known[key] > 0:
            known[key] -= 1
            judged.append(Judged(f, "pre-existing"))
            continue
        if matches(f, label):
            judged.append(Judged(f, "match", 0))
            t.tp[f.category] += 1
        elif label.kind in FIGURE_KINDS and f.category in ("figures", "score"):
            judged.append(Judged(f, "consequence"))
            t.tp[f.category] += 1
        else:
            judged.append(Judged(f, "false-alarm"))
            t.fp[f.category] += 1
    found = any(j.verdict == "match" for j in judged)
    (t.found if found else t.missed)[label.category] += 1
    return t, judged, found


def scores(t: Tally) -> dict:
    """Precision, recall and F1 per category, and false alarms per 10,000 characters of clean
    text. A category with nothing to measure gets None, never a silent 0 or NaN."""
    out: dict = {}
    for c in CATEGORIES:
        flagged = t.tp[c] + t.fp[c]
        labelled = t.found[c] + t.missed[c]
        p = t.tp[c] / flagged if flagged else None
        r = t.found[c] / labelled if labelled else None
        f1 = (2 * p * r / (p + r) if p is not None and r is not None and p + r > 0
              else (0.0 if p == 0 or r == 0 else None))
        out[c] = {"precision": p, "recall": r, "f1": f1, "findings": flagged, "labels": labelled}
    out["false_alarms_per_10k"] = t.clean_false_alarms * 10000 / t.clean_chars if t.clean_chars else None
    return out


# --- drafting ----------------------------------------------------------------------------
def chrf(hypothesis: str, reference: str) -> float:
    from sacrebleu.metrics import CHRF

    return CHRF().sentence_score(hypothesis, [reference]).score / 100


def rouge_l(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 over characters (whitespace dropped)."""
    from rapidfuzz.distance import LCSseq

    h, r = "".join(hypothesis.split()), "".join(reference.split())
    if not h or not r:
        return 0.0
    lcs = LCSseq.similarity(h, r)
    p, rec = lcs / len(h), lcs / len(r)
    return 2 * p * rec / (p + rec) if p + rec else 0.0


def draft_metrics(draft_text: str, reference_text: str, facts, derived, findings: list[Finding], template) -> dict:
    """Figure precision/recall against the facts, derived-figure correctness, template
    coverage, boilerplate density, unsupported claims, similarity to the reference."""
    from drafter.analysis.templates import title_matches
    from drafter.analysis.view import Analysis
    from drafter.documents.load import from_text
    from drafter.draft.guard import allowed_of
    from drafter.text.figures import extract

    allowed = allowed_of(derived)
    allowed.add_text(yaml.safe_dump(facts.model_dump(mode="json"), allow_unicode=True))  # the user's notes
    for ind in facts.indicators:  # an indicator's values as a table row writes them ("398元/米", "1.86万户")
        actual = "" if ind.actual is None else (
            ind.actual if isinstance(ind.actual, str) else f"{ind.actual}{ind.unit or ''}")
        allowed.add_text(f"{ind.target.text} {actual}")
    figs = [f for f in extract(draft_text) if not f.approx and f.kind in ("amount", "percent", "score", "count")]
    admitted = [f for f in figs if allowed.admits(f)]
    # the facts' own figures a draft must carry: budget, spending, balance, rate
    must = [f for f in derived.figures()
            if f.key in ("budget.initial", "budget.adjusted", "budget.spent", "budget.balance", "execution.rate")]
    present = [m for m in must if any(_same(f, m) for f in figs)]
    a = Analysis(from_text(draft_text, path="draft.md"))
    b = a.budget
    checks = {"结余": (b.first("balance"), float(derived.balance)), "支出": (b.first("spent"), float(derived.spent)),
              "执行率": (b.first("rate"), float(derived.execution_percent))}
    stated = {k: (f, v) for k, (f, v) in checks.items() if f is not None}
    correct = sum(1 for f, v in stated.values() if abs(f.value - v) <= f.tolerance + 1e-6)
    wanted = [ts for _, ts in template.walk()]
    headings = [s.title for s in a.all_sections]
    covered = sum(1 for ts in wanted if any(title_matches(h, ts) for h in headings))
    chars = max(1, len("".join(draft_text.split())))
    by_cat = Counter(f.category for f in findings)
    return {
        "figure_precision": len(admitted) / len(figs) if figs else None,
        "figure_recall": len(present) / len(must) if must else None,
        "derived_correct": correct / len(stated) if stated else None,
        "section_coverage": covered / len(wanted) if wanted else None,
        "boilerplate_per_1k": by_cat["boilerplate"] * 1000 / chars,
        "unsupported": by_cat["unsupported"],
        "figures_errors": sum(1 for f in findings if f.category == "figures" and f.level.value == "error"),
        "chrf": chrf(draft_text, reference_text),
        "rougeL": rouge_l(draft_text, reference_text),
        "length_ratio": len("".join(draft_text.split())) / max(1, len("".join(reference_text.split()))),
        "unknown_figures": [f.text for f in figs if not allowed.admits(f)][:20],
    }


def _same(f, m) -> bool:
    if f.kind != m.kind:
        return False
    if f.kind == "amount":
        return abs(f.yuan - m.value) <= max(f.tolerance, 0.01)
    return (abs(f.value - m.value) <= max(f.tolerance, 0.005)
            or (m.exact is not None and abs(f.value - m.exact) <= f.tolerance))
