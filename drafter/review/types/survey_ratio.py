"""survey_ratio: a survey's 回收率 (returned ÷ issued) and 满意度 (satisfied ÷ valid, ÷ returned
or ÷ issued: every usual basis) recomputed from the counts the same paragraph gives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drafter.analysis.view import Analysis
from drafter.findings import Finding
from drafter.review.types._common import BaseParams
from drafter.text.figures import fmt

STAGE = "text"


class Params(BaseParams):
    # the cue right before a count (within a few characters, no punctuation between)
    issued: str = r"发放(?:调查)?(?:问卷|调查表)?|发出(?:问卷)?|调查(?:了)?"
    returned: str = r"回收(?:有效)?(?:问卷)?|收回(?:问卷)?"
    valid: str = r"有效(?:问卷|答卷|样本)?"
    satisfied: str = r"满意(?![度率])(?:的)?(?:问卷|票)?"
    # the cue right before a stated percentage
    return_rate: str = r"回收率"
    satisfaction: str = r"满意度|满意率"
    measure: str = r"份|人|户|人次|张|名|家"


_SURVEY_BOUND = re.compile(r"[≥≤>＞<＜]|不低于|不少于|达到?目标|以上|以下")


def check(rule, a: Analysis) -> Iterator[Finding]:
    """A 满意度 is wrong only when it fits none of its readings (one satisfied count or their
    sum, over valid, returned or issued)."""
    p: Params = rule.params
    cue = {role: re.compile(f"(?:{rx})\\s*$") for role, rx in
           (("issued", p.issued), ("returned", p.returned), ("valid", p.valid),
                                        ("satisfied", p.satisfied))}
    rate_cue = {"return": re.compile(f"(?:{p.return_rate})[为是达到了：:\\s]{{0,4}}$"),
                "satisfaction": re.compile(f"(?:{p.satisfaction})[为是达到了：:\\s]{{0,4}}$")}
    measure = re.compile(f"^(?:{p.measure})$")
    any_rate = re.compile(f"{p.return_rate}|{p.satisfaction}")
    for line in a.lines:
        if line.is_table or not any_rate.search(a.text, line.start, line.end):
            continue
        # a paragraph may report two surveys ("学员……；用人单位……"): counts are read per
        # sentence, and from the whole paragraph when the sentence lacks one
        cuts = [line.start] + [line.start + m.end()
                               for m in re.finditer(r"[。；;！？!?]", a.text[line.start : line.end])] + [line.end]
        whole = _survey_counts(a, line.start, line.end, cue, measure)
        for lo, hi in zip(cuts, cuts[1:]):
            yield from _survey_findings(rule, a, lo, hi, whole, cue, rate_cue, measure)


def _survey_counts(a: Analysis, lo: int, hi: int, cue: dict, measure: re.Pattern) -> dict[str, list]:
    counts: dict[str, list] = {"issued": [], "returned": [], "valid": [], "satisfied": []}
    for f in a.figures_in(lo, hi):
        if f.kind != "count" or not measure.match(f.unit or "") or f.approx:
            continue
        before = re.split(r"[，,。；;：:、（(]", a.text[max(lo, f.start - 8) : f.start])[-1]
        for role, rx in cue.items():
            if rx.search(before):
                counts[role].append(f)
                break
    return counts


def _survey_findings(rule, a: Analysis, lo: int, hi: int, whole: dict, cue: dict, rate_cue: dict, measure: re.Pattern):
    own = _survey_counts(a, lo, hi, cue, measure)
    counts = {role: own[role] or (whole[role] if len(whole[role]) == 1 else []) for role in own}
    rates = []
    for f in a.figures_in(lo, hi):
        if f.kind == "percent" and not _SURVEY_BOUND.search(a.text[max(lo, f.start - 6) : f.end + 3]):
            for kind, rx in rate_cue.items():
                if rx.search(a.text[max(lo, f.start - 10) : f.start]):
                    rates.append((kind, f))
    for kind, f in rates:
        if kind == "return":
            if len(counts["issued"]) != 1 or len(counts["returned"]) != 1:
                continue
            readings = [(counts["returned"][0].value, counts["issued"][0].value, "回收", "发放")]
            name = "回收率"
        else:
            sat = counts["satisfied"]
            if not sat:
                continue
            numerators = [(x.value, "满意") for x in sat] + (
                [(sum(x.value for x in sat), "满意合计")] if len(sat) > 1 else [])
            bases = [(b[0].value, label) for b, label in ((counts["valid"], "有效"), (counts["returned"], "回收"),
                                                             (counts["issued"], "发放"))
                     if len(b) == 1]
            readings = [(n, d, nl, dl) for n, nl in numerators for d, dl in bases]
            name = "满意度"
        readings = [r for r in readings if r[1] > 0 and r[0] <= r[1]]
        if not readings:
            continue
        tol = 0.5 * 10 ** -f.decimals + 1e-9
        if any(abs(n / d * 100 - f.value) <= tol for n, d, _, _ in readings):
            continue
        n, d, _, _ = readings[0]
        expected = n / d * 100
        yield a.finding(rule, f.start, f.end,
                        rule.say(name=name, stated=f.text, expected=f"{expected:.{max(f.decimals, 1)}f}%"),
                        evidence="；".join(f"{rl} {fmt(rn)} ÷ {rd_l} {fmt(rd)} = "
                                          f"{rn / rd * 100:.{max(f.decimals, 1)}f}%"
                                          for rn, rd, rl, rd_l in readings) + f"，报告写 {f.text}")
