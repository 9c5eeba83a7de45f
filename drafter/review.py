"""``review()``: run the rules over a report and return its findings, silenced ones removed."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.analysis import Analysis
from drafter.checks import RULE_TYPES
from drafter.errors import RuleError
from drafter.findings import Finding, Level, ReviewResult
from drafter.report import Report, from_text, load
from drafter.rules import Rule, load_rules

# <!-- drafter-ignore: rule-a, rule-b -->  or  【drafter-ignore: rule-a】 on a line silences
# those rules (or all, when no id is given) on that line and the next paragraph.
_INLINE = re.compile(r"(?:<!--|【)\s*drafter-ignore(?P<all>-file)?\s*(?::\s*(?P<ids>[\w\-, ]+?))?\s*(?:-->|】)")


class AcceptEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    quote: str = ""  # the finding's quote must contain this
    file: str = "*"  # glob on the report path
    reason: str = ""


def load_accept(path: str | Path) -> list[AcceptEntry]:
    """An accept list: a YAML list of {rule, quote, file, reason}."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or []
    except FileNotFoundError:
        raise RuleError(str(p), "accept list not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(str(p), f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, list):
        raise RuleError(str(p), "an accept list is a YAML list of entries with rule, quote, file, reason")
    try:
        return [AcceptEntry(**e) if isinstance(e, dict) else AcceptEntry(rule=str(e)) for e in data]
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RuleError(str(p), f"entry {err['loc']}: {err['msg']}") from None


def review(
    source: Report | str | Path,
    *,
    rules: list[Rule] | None = None,
    accept: list[AcceptEntry] | None = None,
    min_level: Level | str = Level.info,
    index=None,
    claims=None,
) -> ReviewResult:
    """Review a report (a ``Report``, a path, or the text itself when it is a str with a newline).
    With ``index`` (a ``drafter.index.CorpusIndex``) the corpus rules compare it with the
    reports in the index; with ``claims`` (a ``drafter.claims.ClaimChecker``) a model judges its
    outcome claims."""
    if isinstance(source, Report):
        report = source
    elif isinstance(source, str) and "\n" in source:
        report = from_text(source)
    else:
        report = load(source)
    rules = load_rules() if rules is None else rules
    analysis = Analysis(report)
    if index is not None:
        from drafter.corpus_check import CorpusMatcher

        analysis.corpus = CorpusMatcher(index, analysis)
    analysis.claims = claims  # a drafter.claims.ClaimChecker for review --llm
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(RULE_TYPES[rule.extends].check(rule, analysis))
    findings = _merge(findings)
    kept = [f for f in findings if not _silenced(f, report, accept or [])]
    silenced = len(findings) - len(kept)
    floor = Level(min_level)
    kept = [f for f in kept if f.level.rank >= floor.rank]
    return ReviewResult(file=report.path, findings=kept, silenced=silenced)


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, span), in text order."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.start, f.end), f)
    return sorted(seen.values(), key=lambda f: (f.start, f.end, f.rule))


def _silenced(f: Finding, report: Report, accept: list[AcceptEntry]) -> bool:
    for e in accept:
        if e.rule in (f.rule, "*") and e.quote in f.quote and fnmatch.fnmatch(report.path, e.file):
            return True
    text = report.text
    for m in _INLINE.finditer(text):
        ids = {i.strip() for i in (m.group("ids") or "").split(",") if i.strip()}
        if ids and f.rule not in ids:
            continue
        if m.group("all"):
            return True
        line_start = text.rfind("\n", 0, m.start()) + 1
        # the marker's own line and the next non-empty paragraph
        nxt = text.find("\n", m.end())
        nxt = len(text) if nxt < 0 else nxt
        while nxt < len(text) and text[nxt] == "\n":
            nxt += 1
        para_end = text.find("\n", nxt)
        para_end = len(text) if para_end < 0 else para_end
        if line_start <= f.start < para_end:
            return True
    return False
