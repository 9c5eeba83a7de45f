"""The eval run as one self-contained HTML page (inline CSS and SVG charts, no scripts from
anywhere): per-category precision/recall bars, variants side by side, and every miss and
false alarm with its quote. All report text is escaped (Jinja2 autoescape)."""

from __future__ import annotations

from pathlib import Path

from drafter.evals.metrics import CATEGORIES
from drafter.files import write_text_atomic

TEMPLATE = Path(__file__).parent.parent / "data" / "eval_report.html.j2"
DRAFT_LABELS = {
    "figure_precision": "数字准确率（草稿中的数字都来自事实）",
    "figure_recall": "数字召回率（预算、支出、结余、执行率都写到）",
    "derived_correct": "推算数字正确率",
    "section_coverage": "模板章节覆盖率",
    "boilerplate_per_1k": "套话密度（每千字）",
    "unsupported": "无依据表述（条）",
    "figures_errors": "数字错误（条）",
    "chrf": "chrF（与参考报告）",
    "rougeL": "ROUGE-L（字）",
    "length_ratio": "长度比",
    "judge_fluency": "模型评分：流畅度（1–5）",
    "judge_register": "模型评分：公文语体（1–5）",
}


def _env():
    from jinja2 import Environment, select_autoescape

    return Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render(summary: dict) -> str:
    variants = list(summary["variants"])
    bars = []
    for c in CATEGORIES:
        row = {"category": c, "values": []}
        for v in variants:
            r = (summary["variants"][v].get("review") or {}).get(c) or {}
            row["values"].append({"variant": v, "precision": r.get("precision"), "recall": r.get("recall"),
                                  "findings": r.get("findings", 0), "labels": r.get("labels", 0)})
        bars.append(row)
    problems = []
    for v in variants:
        for cid, data in summary["variants"][v]["cases"]["review"].items():
            for lab in data["clean"]["labels"]:
                if not lab["found"]:
                    problems.append({"variant": v, "case": cid, "what": "漏报（原文缺陷）", "category": lab["category"],
                                     "quote": lab["quote"], "why": lab["reason"]})
            for f in data["clean"]["findings"]:
                if f["verdict"] == "false-alarm":
                    problems.append({"variant": v, "case": cid, "what": "误报（原文）", "category": f["category"],
                                     "quote": f["quote"], "why": f["rule"]})
            for inj in data["injected"]:
                if not inj["found"]:
                    problems.append({"variant": v, "case": cid, "what": f"漏报（注入 {inj['kind']}）",
                                     "category": inj["label"]["category"], "quote": inj["quote"],
                                     "why": inj["label"]["reason"]})
                for f in inj["findings"]:
                    if f["verdict"] == "false-alarm":
                        problems.append({"variant": v, "case": cid, "what": f"误报（注入 {inj['kind']} 后）",
                                         "category": f["category"], "quote": f["quote"], "why": f["rule"]})
    for v in variants:
        for cid, data in summary["variants"][v]["cases"].get("excerpt", {}).items():
            for lab in data["labels"]:
                if not lab["found"]:
                    problems.append({"variant": v, "case": cid, "what": "漏报（真实报告）", "category": lab["category"],
                                     "quote": lab["quote"], "why": lab["why"]})
            for f in data["false_alarms"]:
                problems.append({"variant": v, "case": cid, "what": "误报（成立的等式）", "category": "figures",
                                 "quote": f["quote"], "why": f"{f['rule']}：{f['holds']}"})
            for f in data["other"]:
                problems.append({"variant": v, "case": cid, "what": "其他发现（未标注）", "category": f["category"],
                                 "quote": f["quote"], "why": f"{f['rule']}：{f['message']}"})
    for v in variants:
        # every finding of the reviewer on a draft, named by its case: a draft should have none
        for cid, d in summary["variants"][v]["cases"].get("draft", {}).items():
            for f in d.get("findings", []):
                level = f.get("level")
                problems.append({"variant": v, "case": cid, "what": "起草稿的发现" + (f"（{level}）" if level else ""),
                                 "category": f["category"], "quote": f["quote"],
                                 "why": f["rule"] + (f"：{f['message']}" if f.get("message") else "")})
    drafting = []
    for m, label in DRAFT_LABELS.items():
        drafting.append({"metric": m, "label": label,
                         "values": [(summary["variants"][v].get("draft") or {}).get(m) for v in variants]})
    draft_cases = []
    for v in variants:
        for cid, d in summary["variants"][v]["cases"]["draft"].items():
            draft_cases.append({"variant": v, "case": cid, **{k: d["metrics"].get(k) for k in DRAFT_LABELS},
                                "unknown": "、".join(d["metrics"].get("unknown_figures") or [])})
    template = _env().from_string(TEMPLATE.read_text(encoding="utf-8"))
    excerpts = any(summary["variants"][v].get("excerpts") for v in variants)
    has_review = any(summary["variants"][v].get("review") for v in variants)
    has_draft = any(summary["variants"][v].get("draft") for v in variants)
    return template.render(summary=summary, variants=variants, bars=bars, problems=problems, drafting=drafting,
                           draft_cases=draft_cases, excerpts=excerpts, has_review=has_review, has_draft=has_draft,
                           fmt=_fmt)


def _fmt(v, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def write_report(summary: dict, path: str | Path) -> Path:
    return write_text_atomic(path, render(summary))
