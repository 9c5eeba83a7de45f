"""Deterministic, seeded generator of synthetic 财政支出项目绩效自评报告 (Guangdong 附件5).

Used by the tests and the benchmarks (thousands of ~8,000-character reports); not part of the
package. Every report is built from the phrase pools of ``phrases.yml`` and ``kinds.yml``
(loaded once by ``tests.support.phrases``: shared sentences that recur across reports the way
copied reports do, plus unit- and project-specific details; the slots are rendered by
``tests.support.render``), and its arithmetic holds by construction:

* 调整后预算 − 支出 = 结余, exactly, in whole 元;
* a stated 预算执行率 is 支出 / 调整后预算 rounded half-up to 2 decimals (exact halves are never
  generated, so any rounding rule agrees);
* 万元 figures have at most 2 decimals, so they convert to whole 元;
* every "N unit（label a unit、label b unit…）" adds up; "A unit，为年度目标 T unit的 R%" and
  "N unit，合格 M unit，合格率 R%" are exact;
* the self-score never exceeds 100 − (1 − 执行率) × 10 (it is that cap rounded down, minus
  stated deductions), and a stated breakdown adds up to it;
* an execution rate below 90% and a mid-year adjustment are always explained, and
  "将拨款全部用于" appears only when nothing is left over; no forecasts (预计).

Budget sentences, with X = ``fmt_money(amount, unit)`` ("27000 元" or "2.76 万元"):

* 项目基本情况: "年初县级财政预算资金预算为 {initial}，全年未作调整。" or
  "年初县级财政预算资金预算为 {initial}，{reason}，年中调减|追加 {delta}，调整后预算为 {adjusted}。"
  ("年初预算为 {initial}…" when followed by "全年预算资金 {adjusted}（当年财政拨款 a、上年结转资金 b…）。");
* 资金支出情况: "{year} 年本项目支出 {spent}，结余 {balance}，预算执行率为 {rate:.2f}%。"
  (the rate clause is left out in some reports with execution ≥ 90%);
* 资金分用途使用绩效: "按用途划分，全年支出 {spent}（label a、label b、label c）。";
* 自评分数: "自评 {score} 分。", optionally "其中，产出指标得分 … 分，效益指标得分 … 分，
  满意度指标得分 … 分，预算执行率得分 … 分，评价等级为“优”。".

The budget amounts use the report's ``facts["budget_unit"]``, spending amounts its
``facts["spend_unit"]`` (万元 budgets state spending in 元 or 万元). ``SynthReport.facts`` holds
the ground truth in whole 元.

``python -m tests.support.synth --n 3 --seed 1 --out DIR`` (from the project root) writes reports
for inspection.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from tests.support.phrases import (
    ACHIEVEMENT_LEADS,
    ACT_PREFIXES,
    ADJUST_DOWN_REASONS,
    ADJUST_UP_REASONS,
    ADJUSTMENT_ISSUE,
    AREA_CODES,
    BACKGROUNDS,
    BALANCE_NOTES,
    BUDGET_ARRANGED,
    CLOSINGS,
    COMMON_ACHIEVEMENTS,
    COMMON_ISSUES,
    COUNTY_A,
    COUNTY_B,
    COUNTY_WIDE_MARKERS,
    DEDUCTION_REASONS,
    ELABORATIONS,
    GENERIC_ACTS,
    GIVEN,
    GOAL_INDICATORS,
    KIND_KEYS,
    KINDS,
    LAST_DUTY,
    LOW_EXECUTION_ISSUE,
    LOW_EXECUTION_REASONS,
    PAY_ON_TIME,
    SATISFACTION_GOAL,
    SOURCE_LABELS,
    SURNAMES,
    TEMPLATE_RESIDUE,
    THEMES_COMMON,
    THEMES_OWN,
    THRIFT,
    TOWN_A,
    TOWN_B,
    USES_SENTENCE,
    VAGUE_ISSUE,
)
from tests.support.render import (
    cn_numeral,
    count,
    fmt_money,
    fmt_points,
    is_half,
    pct,
    render_template,
    split_total,
)

__all__ = [
    "KIND_KEYS",
    "KINDS",
    "SECTION_HEADINGS",
    "SynthReport",
    "fmt_money",
    "fmt_points",
    "generate_corpus",
    "generate_report",
    "main",
    "pct",
]

TEMPLATE = "gd-annex5"

SECTION_HEADINGS = (
    "附件 5",
    "# 财政支出项目绩效自评报告",
    "## 一、基本情况",
    "### （一）项目单位基本情况",
    "### （二）项目基本情况",
    "## 二、自评情况",
    "### （一）自评分数",
    "### （二）资金使用绩效",
    "#### 1. 资金支出情况。",
    "#### 2. 资金完成绩效目标情况。",
    "#### 3. 资金分用途使用绩效。",
    "### （三）资金使用绩效存在的问题",
    "## 三、改进意见",
)


class SynthReport(BaseModel):
    """One generated report: Markdown ``text``, ``meta`` (front matter + kind/county) and the
    ground-truth ``facts`` (money in whole 元)."""

    model_config = ConfigDict(frozen=True)

    text: str
    meta: dict
    facts: dict


# ---------------------------------------------------------------------------------------------
# Budget and score
# ---------------------------------------------------------------------------------------------

_EXEC_BANDS = ((10000, 10000), (9500, 9999), (9000, 9499), (5500, 8999))
_EXEC_WEIGHTS = (25, 40, 20, 15)


def _budget(rng: random.Random, scale: tuple[int, int]) -> dict:
    lo, hi = scale
    wan = rng.random() < (0.65 if hi >= 100 else 0.3)
    budget_unit = "万元" if wan else "元"
    g = rng.choices((10000, 1000, 100), weights=(4, 3, 3) if wan else (2, 5, 3))[0]
    lo_u, hi_u = lo * 10000 // g, hi * 10000 // g
    initial = min(rng.randint(lo_u, hi_u), rng.randint(lo_u, hi_u)) * g
    adjustment = rng.choices(("none", "down", "up"), weights=(60, 28, 12))[0]
    delta = 0
    if adjustment != "none":
        delta = max(g, initial * rng.randint(5, 35) // 100 // g * g)
    adjusted = initial - delta if adjustment == "down" else initial + delta
    spend_unit = "元" if not wan or rng.random() < 0.45 else "万元"
    q = 100 if spend_unit == "万元" else 1
    band = rng.choices(_EXEC_BANDS, weights=_EXEC_WEIGHTS)[0]
    spent = adjusted
    if band[0] < 10000:
        for _ in range(100):
            spent = rng.randint(adjusted * band[0] // 10000, adjusted * band[1] // 10000) // q * q
            if 0 < spent < adjusted and not is_half(spent, adjusted):
                break
        else:  # pragma: no cover - practically unreachable
            spent = adjusted
    return {
        "initial": initial,
        "adjusted": adjusted,
        "delta": delta,
        "adjustment": adjustment,
        "spent": spent,
        "balance": adjusted - spent,
        "budget_unit": budget_unit,
        "spend_unit": spend_unit,
        "rate": pct(spent, adjusted),
    }


def _grade(h: int) -> str:
    return "优" if h >= 9000 else "良" if h >= 8000 else "中" if h >= 6000 else "差"


def _score(rng: random.Random, spent: int, adjusted: int) -> dict:
    """Self-score in hundredths of a point; never above 100 − (1 − spent/adjusted) × 10."""
    exec_h = 1000 * spent // adjusted  # the 10-point execution indicator, rounded down
    cap_h = 9000 + exec_h
    if rng.random() < 0.35:
        deductions = [rng.choice((0, 0, 0, 50, 100, 150, 200)) for _ in range(3)]
        parts = {"产出指标": 5000 - deductions[0], "效益指标": 3000 - deductions[1],
                 "满意度指标": 1000 - deductions[2], "预算执行率": exec_h}
        total = sum(parts.values())
        reasons = [
            (name, d, rng.choice(DEDUCTION_REASONS))
            for name, d in zip(("产出指标", "效益指标", "满意度指标"), deductions)
            if d
        ]
        return {"h": total, "parts": parts, "reasons": reasons}
    extra = 0 if rng.random() < 0.7 else rng.choice((50, 100, 150, 200, 300))
    raw = cap_h - extra
    h = raw // 100 * 100 if rng.random() < 0.4 else raw // 10 * 10
    reasons = [("", extra, rng.choice(DEDUCTION_REASONS))] if extra else []
    return {"h": h, "parts": None, "reasons": reasons}


def _score_number(h: int) -> int | float:
    return h // 100 if h % 100 == 0 else h / 100


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def _pick_unit(rng: random.Random, unit: dict | None) -> tuple[str, dict, str, str, dict]:
    spec = dict(unit or {})
    kind_key = spec.get("kind") or rng.choice(KIND_KEYS)
    if kind_key not in KINDS:
        raise ValueError(f"unknown unit kind {kind_key!r}; known: {', '.join(KIND_KEYS)}")
    kind = KINDS[kind_key]
    county = spec.get("county") or rng.choice(COUNTY_A) + rng.choice(COUNTY_B) + "县"
    name = spec.get("name") or county + rng.choice(kind["names"])
    wanted = spec.get("project")
    matches = [p for p in kind["projects"] if p["name"] == wanted]
    project = matches[0] if matches else rng.choice(kind["projects"])
    if wanted and not matches:
        project = {**project, "name": wanted}
    return kind_key, kind, county, name, project


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))


def _item_tag(item: tuple) -> str | None:
    return item[2] if len(item) > 2 else None


def _acts_sentence(rng: random.Random, pools: list[list[tuple]]) -> str:
    """"全年检查农资经营门店 150 家次，开展农机安全检查 300 台次。" from the first non-empty pool."""
    pool = next((p for p in pools if p), None)
    if not pool:
        return ""
    picked = [pool.pop() for _ in range(min(len(pool), rng.choice((1, 2, 2, 3))))]
    parts = "，".join(f"{phrase} {count(rng, lo, hi)} {unit}" for phrase, unit, lo, hi in picked)
    return f"{rng.choice(ACT_PREFIXES)}{parts}。"


def _achievements(rng: random.Random, kind: dict, project: dict, render, room: int) -> list[str]:
    """Achievement paragraphs, added until about ``room`` more characters are used.

    Items come from the project, the unit kind and the shared pool; a paragraph holds one item
    under its own heading, or two to five under a theme ("一是…二是…", as in real reports). Each
    item may be followed by an activity sentence and shared elaboration sentences. Items sharing
    a tag state the same metric, so at most one of them is used.
    """
    own = list(kind["ach"])
    common, elaborations = list(COMMON_ACHIEVEMENTS), list(ELABORATIONS)
    if not kind.get("county_wide", True):
        common = [c for c in common if not any(w in c[1] for w in COUNTY_WIDE_MARKERS)]
        elaborations = [e for e in elaborations if not any(w in e for w in COUNTY_WIDE_MARKERS)]
    rng.shuffle(own)
    rng.shuffle(common)
    own = own + list(reversed(project.get("ach", ())))  # popped from the end: project items first
    kind_acts, generic_acts = list(kind["acts"]), list(GENERIC_ACTS)
    rng.shuffle(kind_acts)
    rng.shuffle(generic_acts)
    rng.shuffle(elaborations)
    themes_own, themes_common = list(THEMES_OWN), list(THEMES_COMMON)
    rng.shuffle(themes_own)
    rng.shuffle(themes_common)
    bold = rng.random() < 0.6
    used_tags: set[str] = set()
    paragraphs: list[str] = []

    def body(item: tuple, from_own: bool) -> str:
        text = render(item[1])
        if from_own or rng.random() < 0.8:
            text += _acts_sentence(rng, [kind_acts, generic_acts] if from_own else [generic_acts, kind_acts])
        for _ in range(min(len(elaborations), rng.choices((0, 1, 2, 3), weights=(20, 40, 30, 10))[0])):
            text += render(elaborations.pop())
        return text

    while own or common:
        from_own = bool(own) and (not common or rng.random() < 0.5)
        src, themes = (own, themes_own) if from_own else (common, themes_common)
        size = (rng.choice((1, 2, 3, 4)) if from_own else rng.choice((3, 4, 5))) if themes else 1
        items: list[tuple] = []
        while src and len(items) < size:
            item = src.pop()
            tag = _item_tag(item)
            if tag not in used_tags:
                items.append(item)
                if tag:
                    used_tags.add(tag)
        if not items:
            continue
        k = len(paragraphs) + 1
        if len(items) == 1:
            heading, text = render(items[0][0]), body(items[0], from_own)
        else:
            heading = render(themes.pop().replace("{domain}", kind["domain"]))
            text = "".join(f"{cn_numeral(j)}是{render(it[0])}。{body(it, from_own)}" for j, it in enumerate(items, 1))
        para = (f"**{k}.{heading}。**" if bold else f"（{cn_numeral(k)}）{heading}。") + text
        if paragraphs and len(para) / 2 > room:
            break
        paragraphs.append(para)
        room -= len(para) + 2
    return paragraphs


def _joined(items: list[str], style: str) -> list[str]:
    """Problems or improvements as paragraphs: one each ("（一）…" or "1、…") or one
    "一是…；二是…。"."""
    if style == "cn":
        return [f"（{cn_numeral(k)}）{s}" for k, s in enumerate(items, 1)]
    if style == "num":
        return [f"{k}、{s}" for k, s in enumerate(items, 1)]
    body = "；".join(f"{cn_numeral(k)}是{s.removeprefix('主要是').rstrip('。')}" for k, s in enumerate(items, 1))
    return [body + "。"]


def generate_report(
    rng: random.Random,
    *,
    target_chars: int = 8000,
    year: int | None = None,
    unit: dict | None = None,
) -> SynthReport:
    """One synthetic report drawn from ``rng``.

    ``unit`` may fix any of ``kind`` (a key of ``KINDS``), ``county``, ``name`` (the full unit
    name) and ``project`` (a project name; an unknown name is used with a random project of the
    kind). The text length lands within ±15% of ``target_chars`` for targets of about
    3,000–9,000 characters (larger targets run out of distinct achievement items and stop short,
    at roughly 9,000–10,000).
    """
    kind_key, kind, county, unit_name, project = _pick_unit(rng, unit)
    year = year if year is not None else rng.randint(2019, 2024)
    ntown = rng.randint(6, 16)
    towns = rng.sample([a + b + "镇" for a in TOWN_A for b in TOWN_B], 2)
    ctx = {
        "county": county,
        "unit": unit_name,
        "project": project["name"],
        "year": year,
        "prev": year - 1,
        "town": towns[0],
        "town2": towns[1],
        "ntown": ntown,
        "nvillage": ntown * rng.randint(8, 18),
    }

    def r(template: str) -> str:
        return render_template(rng, template, ctx)

    b = _budget(rng, project["scale"])
    bu, su = b["budget_unit"], b["spend_unit"]
    low = b["spent"] * 10 < b["adjusted"] * 9
    rate_stated = low or rng.random() < 0.75
    boilerplate: list[str] = []
    residue: list[str] = []

    # --- header and 一、基本情况 ------------------------------------------------------------
    head = [
        f"---\nunit: {unit_name}\nproject: {project['name']}\nyear: {year}\ntemplate: {TEMPLATE}\n---",
        "附件 5",
        "# 财政支出项目绩效自评报告",
        f"({year} 年度)",
        f"项目名称：{project['name']}",
        f"项目单位：{unit_name}（公章）",
        f"（{kind.get('level', '一级预算单位')}）",
        f"填报人姓名：{_person(rng)}",
        f"联系电话：{rng.choice(AREA_CODES)}-{rng.randint(2000000, 8999999)}",
        f"填报日期：{year + 1} 年 {rng.randint(1, 4)} 月 {rng.randint(1, 28)} 日",
        "## 一、基本情况",
    ]
    if rng.random() < 0.3:
        head.append(TEMPLATE_RESIDUE[0])
        residue.append(TEMPLATE_RESIDUE[0])
    offices = [kind.get("head_office", "办公室")] + rng.sample(kind["offices"], rng.randint(2, len(kind["offices"])))
    ctx["offices"] = "、".join(offices)
    ctx["n_offices"] = len(offices)
    duties = kind["duties"]
    keep = sorted(rng.sample(range(len(duties)), rng.randint(max(4, len(duties) - 3), len(duties))))
    duty_lines = [duties[i] for i in keep] + [kind.get("last_duty", LAST_DUTY)]
    head += ["### （一）项目单位基本情况", r(kind["intro"]), "主要职责："]
    head += [f"{k}、{d}" for k, d in enumerate(duty_lines, 1)]

    head.append("### （二）项目基本情况")
    desc = r(rng.choice(BACKGROUNDS).replace("{domain}", kind["domain"])) if rng.random() < 0.7 else ""
    desc += r("".join(project["desc"]))
    if rng.random() < 0.6:
        desc += USES_SENTENCE.format(uses="、".join(project["uses"]))
    head.append(desc)
    effect = rng.choice(kind["effect"])
    goal = "绩效目标：" + project["goal"]
    if rng.random() < 0.5:
        goal += GOAL_INDICATORS.format(effect=effect)
    if rng.random() < 0.4 and "满意度" not in goal:
        goal += SATISFACTION_GOAL
    head.append(goal)

    initial_txt, adjusted_txt, delta_txt = (fmt_money(b[k], bu) for k in ("initial", "adjusted", "delta"))
    sources = None
    if rng.random() < 0.4:
        labels = rng.choice(SOURCE_LABELS)
        amounts = split_total(rng, b["adjusted"], len(labels), 100)
        sources = [[lab, amt] for lab, amt in zip(labels, amounts)]
        budget_text = f"年初预算为 {initial_txt}"
    else:
        budget_text = f"年初县级财政预算资金预算为 {initial_txt}"
    if b["adjustment"] == "none":
        budget_text += "，全年未作调整。"
    else:
        reason = rng.choice(ADJUST_DOWN_REASONS if b["adjustment"] == "down" else ADJUST_UP_REASONS)
        verb = "调减" if b["adjustment"] == "down" else "追加"
        budget_text += f"，{reason}，年中{verb} {delta_txt}，调整后预算为 {adjusted_txt}。"
    if sources:
        inner = "、".join(f"{lab} {fmt_money(amt, bu)}" for lab, amt in sources)
        budget_text += f"全年预算资金 {adjusted_txt}（{inner}）。"
    if rng.random() < 0.5:
        budget_text = BUDGET_ARRANGED + budget_text
        boilerplate.append(BUDGET_ARRANGED)
    head.append(budget_text)

    # --- 二、自评情况 -----------------------------------------------------------------------
    score = _score(rng, b["spent"], b["adjusted"])
    score_text = f"自评 {fmt_points(score['h'])} 分。"
    if score["parts"]:
        parts = "，".join(f"{k}得分 {fmt_points(v)} 分" for k, v in score["parts"].items())
        score_text += f"其中，{parts}，评价等级为“{_grade(score['h'])}”。"
        score_text += "".join(f"{name}扣 {fmt_points(d)} 分，主要是{why}。" for name, d, why in score["reasons"])
    else:
        if score["reasons"]:
            _, d, why = score["reasons"][0]
            score_text += f"除预算执行率因素外，因{why}扣 {fmt_points(d)} 分。"
        if rng.random() < 0.5:
            score_text += f"评价等级为“{_grade(score['h'])}”。"
    mid = ["## 二、自评情况", "### （一）自评分数", score_text, "### （二）资金使用绩效", "#### 1. 资金支出情况。"]

    spend = f"“{project['name']}”项目"
    if rng.random() < 0.5:
        thrift = rng.choice(THRIFT)
        boilerplate.append(thrift)
        spend += f"{thrift}，为最大限度提升项目效果，"
        spend += f"将拨款全部用于{project['use']}。" if b["balance"] == 0 else f"将拨款主要用于{project['use']}。"
    else:
        spend += f"资金全部用于{project['use']}。" if b["balance"] == 0 else f"资金主要用于{project['use']}。"
    spent_txt = fmt_money(b["spent"], su)
    spend += f"{year} 年本项目支出 {spent_txt}，结余 {fmt_money(b['balance'], su)}"
    spend += f"，预算执行率为 {b['rate']}%。" if rate_stated else "。"
    low_reason = rng.choice(LOW_EXECUTION_REASONS)
    if low:
        spend += f"预算执行率低于 90%，主要原因是{low_reason}。"
    if b["balance"] and rng.random() < 0.6:
        spend += rng.choice(BALANCE_NOTES)
    mid.append(spend)
    mid.append("#### 2. 资金完成绩效目标情况。")
    if rng.random() < 0.5:
        mid.append(r(rng.choice(ACHIEVEMENT_LEADS)))

    # --- 3. 资金分用途, 问题, 改进 --------------------------------------------------------------
    tail = ["#### 3. 资金分用途使用绩效。"]
    uses = None
    if rng.random() < 0.75:
        labels = project["uses"]
        amounts = split_total(rng, b["spent"], len(labels), 100 if su == "万元" else 1)
        uses = [[lab, amt] for lab, amt in zip(labels, amounts)]
        inner = "、".join(f"{lab} {fmt_money(amt, su)}" for lab, amt in uses)
        tail.append(f"按用途划分，全年支出 {spent_txt}（{inner}）。")
    if rng.random() < 0.7:
        tail.append(f"{PAY_ON_TIME}，确保{effect}。")
        boilerplate.append(PAY_ON_TIME)
    else:
        tail.append(f"项目资金严格按照预算批复用途使用，确保{effect}。")

    issues = rng.sample(kind["issues"], rng.randint(1, 3)) + rng.sample(COMMON_ISSUES, rng.randint(0, 2))
    if b["adjustment"] != "none":
        verb = "调减" if b["adjustment"] == "down" else "追加"
        issues.insert(0, (ADJUSTMENT_ISSUE[0].format(verb=verb, delta=delta_txt), ADJUSTMENT_ISSUE[1]))
    if low:
        issues.insert(0, (LOW_EXECUTION_ISSUE[0].format(rate=b["rate"], reason=low_reason), LOW_EXECUTION_ISSUE[1]))
    issues = issues[:5]
    problems = [p for p, _ in issues]
    improvements = [i for _, i in issues]
    if rng.random() < 0.15:
        vague = VAGUE_ISSUE.format(domain=kind["domain"])
        problems.append(f"主要是{vague}。")
        boilerplate.append(vague)
    style = rng.choice(("cn", "num", "joined", "joined"))
    tail.append("### （三）资金使用绩效存在的问题")
    tail += _joined(problems, style)
    tail.append("## 三、改进意见")
    if rng.random() < 0.3:
        tail.append(TEMPLATE_RESIDUE[1])
        residue.append(TEMPLATE_RESIDUE[1])
    tail += _joined(improvements, style)
    if rng.random() < 0.5:
        closing = rng.choice(CLOSINGS)
        tail.append(closing)
        boilerplate.append(closing)

    # --- achievements: pad to the target length ------------------------------------------
    fixed = head + mid + tail
    length = sum(map(len, fixed)) + 2 * len(fixed) - 1  # "\n\n" joins, final "\n"
    achievements = _achievements(rng, kind, project, r, target_chars - length)

    text = "\n\n".join(head + mid + achievements + tail) + "\n"
    facts = {
        "initial": b["initial"],
        "adjusted": b["adjusted"],
        "spent": b["spent"],
        "balance": b["balance"],
        "execution_rate": float(b["rate"]),
        "self_score": _score_number(score["h"]),
        "achievements": achievements,
        # Extras for checking the text against the truth.
        "adjustment": b["adjustment"],
        "delta": b["delta"],
        "budget_unit": bu,
        "spend_unit": su,
        "rate_stated": rate_stated,
        "grade": _grade(score["h"]),
        "score_parts": {k: _score_number(v) for k, v in score["parts"].items()} if score["parts"] else None,
        "sources": sources,
        "uses": uses,
        "problems": problems,
        "improvements": improvements,
        "boilerplate": boilerplate,
        "template_residue": residue,
    }
    meta = {
        "unit": unit_name,
        "project": project["name"],
        "year": year,
        "template": TEMPLATE,
        "kind": kind_key,
        "county": county,
    }
    return SynthReport(text=text, meta=meta, facts=facts)


def generate_corpus(n: int, seed: int = 0, target_chars: int = 8000) -> Iterator[SynthReport]:
    """``n`` reports, streamed. Report ``i`` depends only on (seed, i), so a prefix of a larger
    corpus equals the smaller corpus."""
    for i in range(n):
        # "drafter.synth" is where the generator used to live; the seed string stays so that every
        # seed keeps producing the same reports.
        yield generate_report(random.Random(f"drafter.synth:{seed}:{i}"), target_chars=target_chars)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.support.synth",
                                 description="Write synthetic 绩效自评报告 as Markdown files.")
    ap.add_argument("--n", type=int, default=3, help="number of reports")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chars", type=int, default=8000, help="target length in characters")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for i, rep in enumerate(generate_corpus(args.n, args.seed, args.chars)):
        path = args.out / f"synth-{args.seed}-{i:05d}-{rep.meta['kind']}.md"
        path.write_text(rep.text, encoding="utf-8")
    print(f"wrote {args.n} reports to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
