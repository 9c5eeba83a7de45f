"""``review()``: run the rules over a report and return its findings, silenced ones removed."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.analysis.view import Analysis
from drafter.review.checks import RULE_TYPES
from drafter.errors import RuleError
from drafter.findings import Finding, Level, ReviewResult
from drafter.documents.load import Report, from_text, load
from drafter.review.registry import Rule, load_rules

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


@dataclass
class ReviewState:
    """What flows between the review's stages."""

    analysis: Analysis
    findings: list[Finding] = field(default_factory=list)


def _as_report(source: Report | str | Path) -> Report:
    if isinstance(source, Report):
        return source
    if isinstance(source, str) and "\n" in source:
        return from_text(source)
    return load(source)


def _stage(kinds: tuple[str, ...] | None, rules: list[Rule]):
    """A stage running the rules whose type starts with one of ``kinds`` (None: the others)."""
    prefixes = ("corpus_", "llm_")
    mine = [r for r in rules if (r.extends.startswith(kinds) if kinds else not r.extends.startswith(prefixes))]

    def run(state: ReviewState) -> ReviewState:
        for rule in mine:
            state.findings.extend(RULE_TYPES[rule.extends].check(rule, state.analysis))
        return state

    return run


def review_stages(*, rules: list[Rule] | None = None, accept: list[AcceptEntry] | None = None,
                  min_level: Level | str = Level.info, index=None, claims=None) -> list:
    """The review as a row of stages: analyse → rules → corpus check → model claim check →
    finish (merge, silence, filter). Each stage is a plain function of the previous output."""
    rules = load_rules() if rules is None else rules
    floor = Level(min_level)

    def analyse(source) -> ReviewState:
        analysis = Analysis(_as_report(source))
        if index is not None:
            from drafter.corpus.copy import CorpusMatcher

            analysis.corpus = CorpusMatcher(index, analysis)
        analysis.claims = claims  # a drafter.llm.claims.ClaimChecker for review --llm
        return ReviewState(analysis)

    def finish(state: ReviewState) -> ReviewResult:
        report = state.analysis.report
        findings = _merge(state.findings)
        markers = _markers(report.text)
        kept = [f for f in findings if not _silenced(f, report, accept or [], markers)]
        silenced = len(findings) - len(kept)
        kept = [f for f in kept if f.level.rank >= floor.rank]
        return ReviewResult(file=report.path, findings=kept, silenced=silenced)

    return [analyse, _stage(None, rules), _stage(("corpus_",), rules), _stage(("llm_",), rules), finish]


def review_chain(**options):
    """The review as a LangChain runnable (``invoke``, ``batch``, ``|``): the drafting chain
    reuses it to check its drafts."""
    from langchain_core.runnables import RunnableLambda

    first, *rest = review_stages(**options)
    chain = RunnableLambda(first)
    for stage in rest:
        chain = chain | RunnableLambda(stage)
    return chain


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
    With ``index`` (a ``drafter.corpus.index.CorpusIndex``) the corpus rules compare it with the
    reports in the index; with ``claims`` (a ``drafter.llm.claims.ClaimChecker``) a model judges its
    outcome claims. The same stages as ``review_chain``, called directly."""
    value = source
    for stage in review_stages(rules=rules, accept=accept, min_level=min_level, index=index, claims=claims):
        value = stage(value)
    return value


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, span), in text order."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.start, f.end), f)
    return sorted(seen.values(), key=lambda f: (f.start, f.end, f.rule))


def _markers(text: str) -> list[tuple[set[str], bool, int, int]]:
    """The report's inline ignore markers: (rule ids, whole file?, start and end of what they
    cover: the marker's own line and the next non-empty paragraph)."""
    out = []
    for m in _INLINE.finditer(text):
        ids = {i.strip() for i in (m.group("ids") or "").split(",") if i.strip()}
        line_start = text.rfind("\n", 0, m.start()) + 1
        nxt = text.find("\n", m.end())
        nxt = len(text) if nxt < 0 else nxt
        while nxt < len(text) and text[nxt] == "\n":
            nxt += 1
        para_end = text.find("\n", nxt)
        out.append((ids, bool(m.group("all")), line_start, len(text) if para_end < 0 else para_end))
    return out


def _silenced(f: Finding, report: Report, accept: list[AcceptEntry], markers: list[tuple[set[str], bool, int, int]]) -> bool:
    for e in accept:
        if e.rule in (f.rule, "*") and e.quote in f.quote and fnmatch.fnmatch(report.path, e.file):
            return True
    for ids, whole_file, start, end in markers:
        if ids and f.rule not in ids:
            continue
        if whole_file or start <= f.start < end:
            return True
    return False


def default_accept() -> list:
    """The accept list in the working folder (``.drafter-accept.yml``), if there is one."""
    default = Path(".drafter-accept.yml")
    return load_accept(default) if default.is_file() else []
