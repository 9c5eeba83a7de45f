"""Run an eval suite: every variant (prompt folder × backend) over every case, review and
drafting, each finished case saved at once under ``evals/results/<run-id>/cases/`` so an
interrupted run continues where it stopped (``--run-id``). Writes ``results.json`` and a
self-contained ``report.html``.

A run continues only with what it started with: ``run.json`` keeps the run's fingerprint (the
suite, every rule, every prompt file), and continuing a run with other rules, options or prompts
is refused, naming what differs, never results of two settings mixed in one summary.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from pydantic import BaseModel

from drafter.errors import DrafterError, InputError
from drafter.evals.inject import inject_all, variant_report
from drafter.evals.metrics import Tally, judge_clean, judge_injected, scores
from drafter.evals.suite import Assertion, Case, Suite, Variant, load_labels
from drafter.files import write_text_atomic
from drafter.safeload import load_json

DRAFT_METRICS = ("figure_precision", "figure_recall", "derived_correct", "section_coverage", "boilerplate_per_1k",
                 "unsupported", "figures_errors", "chrf", "rougeL", "length_ratio", "judge_fluency", "judge_register")


class AssertionResult(BaseModel):
    metric: str
    variant: str
    value: float | None
    passed: bool
    score: float | None
    reason: str


def _write_json(path: Path, data) -> None:
    """Written whole or not at all: a killed run leaves no half case."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))


def _finished_case(path: Path) -> dict:
    """A case a run has finished (written by ``_write_json``); one that something else cut
    short or damaged is an ``InputError`` naming it."""
    try:
        data = load_json(path.read_text(encoding="utf-8"), str(path))
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise InputError(str(path), "用例结果文件不完整或已损坏（不是完整的 JSON）：删除这个文件后用同一个 --run-id "
                                    "继续，这个用例会重新运行")
    return data


def _finding_json(j) -> dict:
    f = j.finding
    return {"rule": f.rule, "category": f.category, "level": f.level.value, "start": f.start, "end": f.end,
            "quote": f.quote, "verdict": j.verdict}


def _judged_findings(findings):
    # info-level findings are notes, not claims of a defect: they are not judged; a claim check
    # that failed is counted as a failure (llm_failures), not as a finding
    return [f for f in findings if f.level.value != "info" and f.rule != FAILED_CHECK]


FAILED_CHECK = "llm-check-failed"


def _failed_checks(findings) -> int:
    return sum(1 for f in findings if f.rule == FAILED_CHECK)


# --- the two kinds of case ---------------------------------------------------------------
def review_case(case: Case, suite: Suite, variant: Variant, rules, claims=None) -> dict:
    """The case's report as it is (with its hand labels), then one report per injected defect;
    with ``claims`` (a ``drafter.llm.claims.ClaimChecker``) a model judges the outcome claims too."""
    from drafter.documents.load import load
    from drafter.review.engine import review

    report = load(case.report)
    labels = load_labels(case, report.text)
    first = review(report, rules=rules, claims=claims).findings
    failures = _failed_checks(first)
    clean = _judged_findings(first)
    t, judged, found = judge_clean(clean, labels, len(report.text) - report.body_start)
    out = {"case": case.id, "kind": "review", "chars": len(report.text) - report.body_start,
           "clean": {"labels": [dict(lab.model_dump(), found=ok, quote=report.text[lab.start:lab.end])
                                for lab, ok in zip(labels, found)],
                     "findings": [_finding_json(j) for j in judged]},
           "injected": []}
    total = Tally()
    total.add(t)
    for inj in inject_all(report, suite.inject.seed, suite.inject.kinds):
        variant_rep = variant_report(report, inj)
        raw = review(variant_rep, rules=rules, claims=claims).findings
        failures += _failed_checks(raw)
        after = _judged_findings(raw)
        ti, judged_i, ok = judge_injected(clean, after, inj.label, inj.edit)
        total.add(ti)
        out["injected"].append({
            "kind": inj.kind, "label": inj.label.model_dump(), "quote": inj.text[inj.label.start : inj.label.end],
            "found": ok, "findings": [_finding_json(j) for j in judged_i if j.verdict != "pre-existing"],
        })
    out["tally"] = total.to_json()
    if claims is not None:
        out["llm_failures"] = failures  # reviews whose claim check did not complete (per batch)
    return out


def excerpt_case(excerpt, rules, claims=None) -> dict:
    """A labelled excerpt of a real report, reviewed as pasted (``drafter.evals.excerpts``)."""
    from drafter.documents.report import from_text
    from drafter.evals.excerpts import judge_excerpt
    from drafter.review.engine import review

    findings = review(from_text(excerpt.text, path=f"{excerpt.id}.txt", fmt="txt"), rules=rules, claims=claims).findings
    data = judge_excerpt(excerpt, [f for f in findings if f.rule != FAILED_CHECK])
    if claims is not None:
        data["llm_failures"] = _failed_checks(findings)
    return data


def draft_case(case: Case, variant: Variant, run_dir: Path, rules, call_factory, judge=None) -> dict:
    from drafter.analysis.templates import get_template
    from drafter.documents.load import from_text, load
    from drafter.draft.pipeline import draft
    from drafter.evals.metrics import draft_metrics
    from drafter.facts.derive import derive
    from drafter.facts.model import load_facts
    from drafter.review.engine import review

    facts = load_facts(case.facts)
    template = get_template(facts.template)
    template_id = None if template.form == "sections" else "gd-annex5"  # a table form is drafted as sections
    started = time.perf_counter()
    model = call_factory(variant) if variant.backend != "offline" else None
    result = draft(facts, template_id=template_id, model=model, backend="offline" if model is None else "openai",
                   prompts_dir=variant.prompts, runs_dir=run_dir / "runs", jobs=2, review_draft=False)
    seconds = time.perf_counter() - started
    reference = load(case.report)
    findings = _judged_findings(review(from_text(result.markdown, path="draft.md"), rules=rules).findings)
    metrics = draft_metrics(result.markdown, reference.text[reference.body_start :], facts, derive(facts), findings,
                            get_template(template_id or facts.template))
    if judge is not None:  # model-judged, marked as such in the metric names (judge_*)
        from drafter.evals.judge import judge_draft
        from drafter.llm.prompts import load_prompt

        judge_call = call_factory(Variant(name="judge", backend=judge.backend, model=judge.model,
                                          base_url=judge.base_url))
        metrics.update(judge_draft(judge_call, load_prompt("judge", judge.prompts), result.markdown))
    return {"case": case.id, "kind": "draft", "template": template_id or facts.template, "metrics": metrics,
            "calls": result.calls, "prompt_chars": result.prompt_chars, "seconds": round(seconds, 3),
            "findings": [{"rule": f.rule, "category": f.category, "level": f.level.value, "quote": f.quote,
                          "message": f.message} for f in findings],
            "placeholders": result.placeholders}


# --- the run -------------------------------------------------------------------------------
def default_call_factory(cache_dir: Path) -> Callable[[Variant], object]:
    from drafter.llm import chat

    def make(v: Variant):
        name = v.backend.split(":", 1)[1] if v.backend.startswith("endpoint:") else None
        if v.backend not in ("openai",) and name is None:
            raise DrafterError(f"variant {v.name}：后端 {v.backend} 不是 offline、openai 或 endpoint:NAME")
        return chat.build_chat(chat.endpoint_from_env(v.model, v.base_url, name), cache_dir)

    return make


def run_suite(suite: Suite, *, out_dir: str | Path = "evals/results", run_id: str | None = None, jobs: int = 2,
              progress: Callable[[str, int, int], None] | None = None,
              call_factory: Callable[[Variant], object] | None = None, rules=None) -> dict:
    """Run (or continue) a suite; returns the results also written to results.json."""
    from drafter.review.registry import load_rules

    rules = rules if rules is not None else load_rules()
    run_id = run_id or time.strftime("%Y%m%d-%H%M%S") + f"-{suite.name}"
    run_dir = Path(out_dir) / run_id
    cases = suite.all_cases()
    call_factory = call_factory or default_call_factory(Path(out_dir) / ".cache")
    tasks = []
    excerpts = []
    if suite.excerpts:
        from drafter.evals.excerpts import excerpt_files, load_excerpt

        excerpts = [load_excerpt(f) for f in excerpt_files(suite.excerpts)]
    for v in suite.variants:
        for c in cases:
            if suite.review:
                tasks.append((v, c, "review"))
            if suite.draft and c.facts:
                tasks.append((v, c, "draft"))
        tasks.extend((v, e, "excerpt") for e in excerpts)
    stamp = fingerprint(suite, rules)
    if (run_dir / "run.json").exists():
        _same_settings(run_dir, run_id, stamp)
    else:
        _write_json(run_dir / "run.json", {"run_id": run_id, "suite": suite.model_dump(), "fingerprint": stamp,
                                           "started": time.strftime("%Y-%m-%d %H:%M:%S")})

    def claim_checker(v: Variant):
        from drafter.llm.claims import ClaimChecker
        from drafter.llm.prompts import load_prompt

        return ClaimChecker(call_factory(v), load_prompt("claim_check", v.prompts), model_name=v.model or v.name)
    done = 0
    lock = threading.Lock()
    results: dict[tuple[str, str, str], dict] = {}

    def one(v: Variant, c, kind: str) -> dict:
        path = run_dir / "cases" / v.name / f"{kind}-{c.id.replace('/', '-')}.json"
        if path.exists():
            return _finished_case(path)
        if kind == "excerpt":
            data = excerpt_case(c, rules, claims=claim_checker(v) if v.claim_check else None)
        elif kind == "review":
            data = review_case(c, suite, v, rules, claims=claim_checker(v) if v.claim_check else None)
        else:
            data = draft_case(c, v, run_dir, rules, call_factory, suite.judge)
        _write_json(path, data)
        return data

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, *t): t for t in tasks}
        for fut in as_completed(futures):
            v, c, kind = futures[fut]
            results[(v.name, c.id, kind)] = fut.result()
            with lock:
                done += 1
                if progress:
                    progress(f"{v.name} {kind} {c.id}", done, len(tasks))
    summary = summarise(suite, results)
    summary["run_id"] = run_id
    summary["assertions"] = [a.model_dump() for a in check_assertions(suite.assertions, summary)]
    summary["passed"] = all(a["passed"] for a in summary["assertions"])
    _write_json(run_dir / "results.json", summary)
    from drafter.evals.html import write_report

    write_report(summary, run_dir / "report.html")
    return summary


# --- what a run's results depend on ------------------------------------------------------------
_NOT_RESULTS = {"path", "description", "assertions"}  # a suite's keys that change no case's result


def fingerprint(suite: Suite, rules) -> dict:
    """What every case's result depends on: the suite (its cases, variants, injections, judge),
    each rule as loaded (after ``--disable`` and ``--rules``), each prompt folder's files."""
    from drafter.llm.prompts import prompt_folder

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def folder(value: str) -> str:
        try:
            files = sorted(prompt_folder(value).glob("*.yml"))
        except DrafterError:
            return "missing"
        return digest("".join(f"{f.name}\n{f.read_text(encoding='utf-8')}" for f in files))

    prompts = {v.name: folder(v.prompts) for v in suite.variants}
    if suite.judge is not None:
        prompts["judge"] = folder(suite.judge.prompts)
    return {
        "suite": suite.model_dump(mode="json", exclude=_NOT_RESULTS),
        "rules": {r.id: digest(json.dumps(r.model_dump(mode="json", exclude={"path"}), ensure_ascii=False,
                                          sort_keys=True, default=str)) for r in rules},
        "prompts": prompts,
    }


def _same_settings(run_dir: Path, run_id: str, stamp: dict) -> None:
    """A run continued with other settings would mix two kinds of result: refused, naming what
    differs (a run of an older drafter kept only its suite: that much is compared)."""
    try:
        started = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise DrafterError(f"{run_dir / 'run.json'}: 不是 drafter eval 的 run.json："
                           "请另选 --run-id，或删除这个文件夹重新开始") from None
    old = started.get("fingerprint") or {
        "suite": {k: v for k, v in (started.get("suite") or {}).items() if k not in _NOT_RESULTS}}
    found = _changes("", old.get("suite"), stamp["suite"])
    if "rules" in old:
        had, have = old["rules"], stamp["rules"]
        parts = [f"{word} {'、'.join(ids[:5])}{' 等' if len(ids) > 5 else ''}" for word, ids in (
            ("多了", sorted(set(have) - set(had))), ("少了", sorted(set(had) - set(have))),
            ("改了", sorted(i for i in set(had) & set(have) if had[i] != have[i]))) if ids]
        if parts:
            found.append("规则" + "，".join(parts))
    for name in sorted(set(old.get("prompts", {})) & set(stamp["prompts"])):
        if old["prompts"][name] != stamp["prompts"][name]:
            found.append(f"{name} 的提示词文件改了")
    if found:
        raise DrafterError(f"{run_dir}: 运行 {run_id} 是用另一套设置开始的，接着跑会把两种结果混在一起："
                           f"{'；'.join(found[:6])}{'；等' if len(found) > 6 else ''}。"
                           "换一个 --run-id，或删除这个文件夹重新开始")


def _changes(path: str, old, new) -> list[str]:
    """The places where two dumped suites differ, as "where: old → new"."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [c for k in sorted(set(old) | set(new), key=str)
                for c in _changes(f"{path}.{k}" if path else str(k), old.get(k), new.get(k))]
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(x, dict) for x in old + new):
        def keyed(items):
            return {str(x.get("name", x.get("id", i))): x for i, x in enumerate(items)}
        a, b = keyed(old), keyed(new)
        out = [f"{path}：多了 {k}" for k in b if k not in a] + [f"{path}：少了 {k}" for k in a if k not in b]
        return out + [c for k in a if k in b for c in _changes(f"{path}[{k}]", a[k], b[k])]

    def shown(v) -> str:
        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + "…"

    return [f"{path}：{shown(old)} → {shown(new)}"]


def summarise(suite: Suite, results: dict) -> dict:
    variants = {}
    for v in suite.variants:
        tally = Tally()
        review_cases, draft_cases, excerpt_cases = {}, {}, {}
        for (vn, cid, kind), data in sorted(results.items()):
            if vn != v.name:
                continue
            if kind == "excerpt":
                excerpt_cases[cid] = data
            elif kind == "review":
                tally.add(Tally.from_json(data["tally"]))
                review_cases[cid] = data
            else:
                draft_cases[cid] = data
        drafting = {}
        for m in DRAFT_METRICS:
            values = [d["metrics"][m] for d in draft_cases.values() if d["metrics"].get(m) is not None]
            drafting[m] = sum(values) / len(values) if values else None
        if suite.judge is not None:  # a failed judgement counts, it is not a missing value
            drafting["judge_failures"] = sum(1 for d in draft_cases.values() if "judge_error" in d["metrics"])
        review = scores(tally) if review_cases else None
        if review is not None and v.claim_check:  # a failed check counts, it is not a clean review
            review["llm_failures"] = sum(d.get("llm_failures", 0) for d in review_cases.values())
        from drafter.evals.excerpts import summarise_excerpts

        variants[v.name] = {
            "variant": v.model_dump(),
            "review": review,
            "excerpts": summarise_excerpts(list(excerpt_cases.values())),
            "tally": tally.to_json(),
            "draft": drafting if draft_cases else None,
            "cases": {"review": review_cases, "draft": draft_cases, "excerpt": excerpt_cases},
        }
    return {"suite": suite.name, "variants": variants}


def metric_value(summary: dict, variant: str, metric: str) -> float | None:
    """``review.figures.recall``, ``review.false_alarms_per_10k``, ``excerpts.figures.recall``,
    ``excerpts.other_per_10k``, ``draft.chrf``…"""
    node = summary["variants"].get(variant)
    for part in metric.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, (int, float)) else None


def check_assertions(assertions: list[Assertion], summary: dict) -> list[AssertionResult]:
    """Each assertion on each variant (or its own): pass, score (the value) and a reason. A
    metric with no value fails: nothing measured is not a pass."""
    out = []
    for a in assertions:
        for name in ([a.variant] if a.variant else list(summary["variants"])):
            v = metric_value(summary, name, a.metric)
            bound = " and ".join(x for x in (f"≥ {a.min}" if a.min is not None else "",
                                             f"≤ {a.max}" if a.max is not None else "") if x)
            if v is None:
                out.append(AssertionResult(metric=a.metric, variant=name, value=None, passed=False, score=None,
                                           reason=f"{a.metric} has no value for {name} (nothing was measured)"))
                continue
            ok = (a.min is None or v >= a.min - 1e-12) and (a.max is None or v <= a.max + 1e-12)
            out.append(AssertionResult(metric=a.metric, variant=name, value=v, passed=ok, score=v,
                                       reason=f"{a.metric} = {v:.4g} {'meets' if ok else 'misses'} {bound}"))
    return out


def load_results(run: str | Path, out_dir: str | Path = "evals/results") -> dict:
    p = Path(run)
    for candidate in (p / "results.json", Path(out_dir) / str(run) / "results.json", p):
        if candidate.is_file():
            try:
                return load_json(candidate.read_text(encoding="utf-8"), str(candidate))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise DrafterError(f"{candidate}: 不是 drafter eval 的 results.json") from None
    raise DrafterError(f"{run}: 没有 results.json（请给出运行文件夹、它在 {out_dir} 下的编号，或这个文件）")
