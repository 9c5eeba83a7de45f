"""Labelled excerpts: real published reports as they were pasted (a JSON file each: ``text``,
``labels`` of verified defects, ``checks`` of identities that hold), the way a reviewer is
measured on text nobody here wrote.

    {"url": "...", "kind": "report" | "table", "text": "...",
     "labels": [{"category": "figures", "quote": "...", "why": "..."}],
     "checks": [{"quote": "...", "holds": "30+30+30=90"}]}

A label is caught when an error- or warning-level finding of its category overlaps its quote
(by offsets, or by quote containment when the quote does not occur verbatim). Labels are not
exhaustive, so only ``figures`` has a precision: its findings on labels against its findings on
``checks`` (identities that hold). Every other error/warning finding is "other": not necessarily
wrong, counted per 10,000 characters so a reviewer that cries wolf shows."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import InputError
from drafter.findings import Finding
from drafter.safeload import load_json

CATEGORIES = ("figures", "score", "unsupported", "boilerplate")
STRONG = ("error", "warning")


class ExcerptLabel(BaseModel):
    model_config = ConfigDict(extra="ignore")
    category: str
    quote: str
    why: str = ""


class ExcerptCheck(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quote: str
    holds: str = ""


class Excerpt(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = ""
    url: str | None = None
    kind: str = "report"
    text: str
    labels: list[ExcerptLabel] = []
    checks: list[ExcerptCheck] = []


def excerpt_files(patterns: list[str]) -> list[Path]:
    """The ``NN.json`` files of the folders (or files) the patterns name, sorted."""
    out: list[Path] = []
    for pattern in patterns:
        for p in sorted(glob.glob(pattern)):
            path = Path(p)
            out.extend(sorted(f for f in path.glob("*.json") if re.fullmatch(r"(?<!\d)\d+\.json", f.name))
                       if path.is_dir() else [path])
    return out


def load_excerpt(path: Path) -> Excerpt:
    try:
        data = load_json(path.read_text(encoding="utf-8"), str(path))
        excerpt = Excerpt(**data)
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise InputError(str(path),
                         f"不是标注片段（含 text、labels、checks 的 JSON）：{exc.__class__.__name__}") from None
    except ValidationError as exc:
        from drafter.facts.problems import describe_error

        raise InputError(str(path), describe_error(exc.errors()[0])) from None
    excerpt.id = excerpt.id or f"{path.parent.name}/{path.stem}"
    return excerpt


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def overlaps(f: Finding, text: str, quote: str) -> bool:
    pos = text.find(quote)
    if pos >= 0 and f.start < pos + len(quote) and pos < f.end:
        return True
    fq, nq = _norm(f.quote), _norm(quote)
    return len(fq) >= 4 and len(nq) >= 4 and (fq in nq or nq in fq)


def judge_excerpt(excerpt: Excerpt, findings: list[Finding]) -> dict:
    """The excerpt's labels caught or missed, figures findings on identities that hold, and the
    other error/warning findings."""
    text = excerpt.text
    strong = [f for f in findings if f.level.value in STRONG]
    used: set[int] = set()
    labels = []
    for lab in excerpt.labels:
        hits = [i for i, f in enumerate(strong) if overlaps(f, text, lab.quote)]
        used.update(hits)
        caught = any(strong[i].category == lab.category for i in hits)
        labels.append({"category": lab.category, "quote": lab.quote, "found": caught, "why": lab.why})
    false = []
    for chk in excerpt.checks:
        for i, f in enumerate(strong):
            if f.category == "figures" and overlaps(f, text, chk.quote):
                used.add(i)
                false.append({"rule": f.rule, "quote": f.quote, "holds": chk.holds})
    right = sum(1 for i, f in enumerate(strong) if f.category == "figures"
                and any(overlaps(f, text, lab.quote) for lab in excerpt.labels if lab.category == "figures"))
    other = [{"rule": f.rule, "category": f.category, "level": f.level.value, "quote": f.quote, "message": f.message}
             for i, f in enumerate(strong) if i not in used]
    return {"case": excerpt.id, "kind": "excerpt", "chars": len(text), "labels": labels, "false_alarms": false,
            "figures_on_labels": right, "other": other}


def summarise_excerpts(cases: list[dict]) -> dict | None:
    """Recall per category, figures precision, false alarms on holding identities, other
    error/warning findings per 10,000 characters."""
    if not cases:
        return None
    chars = sum(c["chars"] for c in cases)
    out: dict = {"cases": len(cases), "chars": chars}
    for cat in CATEGORIES:
        labs = [lab for c in cases for lab in c["labels"] if lab["category"] == cat]
        found = sum(1 for lab in labs if lab["found"])
        out[cat] = {"labels": len(labs), "found": found, "recall": found / len(labs) if labs else None}
    right = sum(c["figures_on_labels"] for c in cases)
    false = sum(len(c["false_alarms"]) for c in cases)
    out["figures"]["precision"] = right / (right + false) if right + false else None
    out["false_alarms_on_checks"] = false
    out["other"] = sum(len(c["other"]) for c in cases)
    out["other_per_10k"] = out["other"] * 10000 / chars if chars else None
    return out
