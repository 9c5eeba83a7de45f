"""Two eval runs side by side: every metric's change, and what got better or worse case by case
(defects found or missed, false alarms raised or gone, drafting metrics that moved)."""

from __future__ import annotations

from drafter.evals.metrics import CATEGORIES
from drafter.evals.runner import DRAFT_METRICS

LOWER_IS_BETTER = {"boilerplate_per_1k", "unsupported", "figures_errors", "false_alarms_per_10k"}


def pairs(a: dict, b: dict) -> list[tuple[str, str]]:
    """Variants to compare: those of the same name, else the only variant of each run."""
    common = [v for v in a["variants"] if v in b["variants"]]
    if common:
        return [(v, v) for v in common]
    if len(a["variants"]) == 1 and len(b["variants"]) == 1:
        return [(next(iter(a["variants"])), next(iter(b["variants"])))]
    return []


def metric_rows(va: dict, vb: dict) -> list[dict]:
    rows = []
    for c in CATEGORIES:
        for m in ("precision", "recall", "f1"):
            x = ((va.get("review") or {}).get(c) or {}).get(m)
            y = ((vb.get("review") or {}).get(c) or {}).get(m)
            rows.append(_row(f"review.{c}.{m}", x, y, lower=False))
    rows.append(_row("review.false_alarms_per_10k", (va.get("review") or {}).get("false_alarms_per_10k"),
                     (vb.get("review") or {}).get("false_alarms_per_10k"), lower=True))
    if "llm_failures" in (va.get("review") or {}) or "llm_failures" in (vb.get("review") or {}):
        rows.append(_row("review.llm_failures", (va.get("review") or {}).get("llm_failures"),
                         (vb.get("review") or {}).get("llm_failures"), lower=True))
    for m in DRAFT_METRICS:
        rows.append(_row(f"draft.{m}", (va.get("draft") or {}).get(m), (vb.get("draft") or {}).get(m),
                         lower=m in LOWER_IS_BETTER))
    return rows


def _row(name: str, x, y, lower: bool) -> dict:
    delta = y - x if x is not None and y is not None else None
    verdict = ""
    if delta is not None and abs(delta) > 1e-9:
        verdict = "better" if (delta < 0) == lower else "worse"
    return {"metric": name, "a": x, "b": y, "delta": delta, "verdict": verdict}


def case_changes(va: dict, vb: dict, tol: float = 0.01) -> list[dict]:
    """What changed case by case, worse first."""
    out = []
    ra, rb = va["cases"]["review"], vb["cases"]["review"]
    for cid in sorted(set(ra) & set(rb)):
        la = {(x["category"], x["quote"]): x["found"] for x in ra[cid]["clean"]["labels"]}
        lb = {(x["category"], x["quote"]): x["found"] for x in rb[cid]["clean"]["labels"]}
        for k in la.keys() & lb.keys():
            if la[k] != lb[k]:
                out.append({"case": cid, "what": "原文缺陷" + ("找到" if lb[k] else "漏掉"),
                            "detail": f"[{k[0]}] {k[1]}", "verdict": "better" if lb[k] else "worse"})
        ia = {i["kind"]: i for i in ra[cid]["injected"]}
        ib = {i["kind"]: i for i in rb[cid]["injected"]}
        for kind in ia.keys() & ib.keys():
            if ia[kind]["found"] != ib[kind]["found"]:
                out.append({"case": cid, "what": f"注入 {kind} " + ("找到" if ib[kind]["found"] else "漏掉"),
                            "detail": ib[kind]["quote"], "verdict": "better" if ib[kind]["found"] else "worse"})
        fa, fb = _false_alarms(ra[cid]), _false_alarms(rb[cid])
        for k in sorted(fb - fa):
            out.append({"case": cid, "what": "新误报", "detail": f"{k[0]}：{k[1]}", "verdict": "worse"})
        for k in sorted(fa - fb):
            out.append({"case": cid, "what": "误报消除", "detail": f"{k[0]}：{k[1]}", "verdict": "better"})
    da, db = va["cases"]["draft"], vb["cases"]["draft"]
    for cid in sorted(set(da) & set(db)):
        for m in DRAFT_METRICS:
            x, y = da[cid]["metrics"].get(m), db[cid]["metrics"].get(m)
            if x is None or y is None or abs(y - x) <= tol:
                continue
            better = (y < x) if m in LOWER_IS_BETTER else (y > x)
            out.append({"case": cid, "what": f"draft.{m}", "detail": f"{x:.3f} → {y:.3f}",
                        "verdict": "better" if better else "worse"})
    return sorted(out, key=lambda r: (r["verdict"] != "worse", r["case"], r["what"]))


def _false_alarms(case: dict) -> set[tuple[str, str]]:
    out = {(f["rule"], f["quote"]) for f in case["clean"]["findings"] if f["verdict"] == "false-alarm"}
    for inj in case["injected"]:
        out |= {(f["rule"], f["quote"]) for f in inj["findings"] if f["verdict"] == "false-alarm"}
    return out


def compare(a: dict, b: dict) -> dict:
    out = {"a": a.get("run_id"), "b": b.get("run_id"), "pairs": []}
    for x, y in pairs(a, b):
        va, vb = a["variants"][x], b["variants"][y]
        out["pairs"].append({"a": x, "b": y, "metrics": metric_rows(va, vb), "cases": case_changes(va, vb)})
    return out
