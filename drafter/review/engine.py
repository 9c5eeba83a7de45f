"""``review()``: run the rules over a report and return its findings, silenced ones removed.

The review is a row of stages: analyse → rules of stage text → corpus → llm → finish (merge,
silence, filter). Rules of stage ``text`` are given the report's ``Analysis``; the others a
``ReviewContext`` (the analysis, the corpus matcher, the claim checker)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.analysis.view import Analysis
from drafter.documents.load import MAX_BYTES, Report, from_text, load
from drafter.errors import InputError, RuleError
from drafter.findings import CorpusUse, Finding, Level, ReviewResult
from drafter.review.context import ReviewContext
from drafter.review.registry import RULE_TYPES, STAGES, Rule, load_rules
from drafter.safeload import load_yaml

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
        data = load_yaml(p.read_text(encoding="utf-8"), str(p)) or []
    except FileNotFoundError:
        raise RuleError(str(p), "找不到接受清单") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(str(p), f"不是有效的 YAML（{exc.__class__.__name__}）") from None
    if not isinstance(data, list):
        raise RuleError(str(p), "接受清单须为 YAML 列表，每项含 rule、quote、file、reason")
    try:
        return [AcceptEntry(**e) if isinstance(e, dict) else AcceptEntry(rule=str(e)) for e in data]
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RuleError(str(p), f"entry {err['loc']}: {err['msg']}") from None


@dataclass
class ReviewState:
    """What flows between the review's stages."""

    context: ReviewContext
    findings: list[Finding] = field(default_factory=list)

    @property
    def analysis(self) -> Analysis:
        return self.context.analysis


def as_report(source: Report | str | Path | None = None, *, text: str | None = None, path: str | Path | None = None,
              guess_text: bool = False, max_bytes: int | None = None, caller: str = "drafter.review") -> Report:
    """The report a library call is about: a ``Report``; a path (str or ``Path``) to a file;
    or ``text=`` (the report's text, ``path=`` the name it is shown under). With
    ``guess_text`` a str holding a newline is taken as text too (the old way of
    ``review(text)``, kept for callers that rely on it). A str that names no file is an
    ``InputError`` that says to pass text as ``text=``."""
    if text is not None:
        if source is not None:
            raise TypeError(f"{caller}(): give a report (a path or a Report) or text=, not both")
        if not isinstance(text, str):
            raise TypeError(f"{caller}(): text= is the report's text (a str), got {type(text).__name__}")
        name = str(path) if path is not None else "<text>"
        return from_text(text, path=name, fmt="txt" if Path(name).suffix.lower() in (".txt", ".text") else "md")
    if path is not None:
        raise TypeError(f"{caller}(): path= names the report given as text=; a file is given as {caller}(path)")
    if isinstance(source, Report):
        return source
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(source, Path):
        return load(source, max_bytes=max_bytes)
    if isinstance(source, str):
        if guess_text and "\n" in source:
            return from_text(source)
        if _is_file(source):
            return load(source, max_bytes=max_bytes)
        name = source if len(source) <= 60 else source[:40] + "…"
        raise InputError(name, f"找不到这个文件（要{'审核' if caller.endswith('review') else '读取'}报告文字，"
                               f"请用 text= 传入：{caller}(text=...)）")
    if source is None:
        raise TypeError(f"{caller}() needs a report: a path, text=..., or a Report")
    raise TypeError(f"{caller}(): a report is a path, text=... or a Report, not {type(source).__name__}")


def _is_file(name: str) -> bool:
    """True when ``name`` is an existing path (a folder too: ``load`` says what is wrong with
    it); a name no file system accepts (too long, a NUL) is not."""
    try:
        return Path(name).exists()
    except (OSError, ValueError):
        return False


def _stage(stage: str, rules: list[Rule]):
    """A stage running the rules whose type declares ``stage``: text rules read the analysis,
    corpus and llm rules the review context."""
    mine = [(r, RULE_TYPES[r.extends].check) for r in rules if RULE_TYPES[r.extends].stage == stage]

    def run(state: ReviewState) -> ReviewState:
        subject = state.context.analysis if stage == "text" else state.context
        for rule, check in mine:
            state.findings.extend(check(rule, subject))
        return state

    run.__name__ = f"{stage}_rules"
    return run


def review_stages(*, rules: list[Rule] | None = None, accept: list[AcceptEntry] | None = None,
                  min_level: Level | str = Level.info, index=None, claims=None,
                  trusted_markers: str | None = None) -> list:
    """The review as a row of stages: analyse → rules → corpus check → model claim check →
    finish (merge, silence, filter). Each stage is a plain function of the previous output;
    the first takes a ``Report``, a path, or (the old way) the text as a str with a newline.
    With ``trusted_markers`` only the inline markers that also stand in that text are honoured
    (a draft's review: the markers its user wrote in the facts, never one a model wrote)."""
    rules = load_rules() if rules is None else rules
    floor = Level(min_level)

    def analyse(source) -> ReviewState:
        analysis = Analysis(as_report(source, guess_text=True))
        corpus = None
        if index is not None:
            from drafter.corpus.copy import CorpusMatcher

            corpus = CorpusMatcher(index, analysis)
        # claims: a drafter.llm.claims.ClaimChecker for review --llm
        return ReviewState(ReviewContext(analysis, corpus=corpus, claims=claims))

    def finish(state: ReviewState) -> ReviewResult:
        report = state.analysis.report
        findings = _merge(state.findings)
        markers = _markers(report.text, trusted_markers)
        kept = [f for f in findings if not _silenced(f, report, accept or [], markers)]
        silenced = len(findings) - len(kept)
        kept = [f for f in kept if f.level.rank >= floor.rank]
        matcher = state.context.corpus
        corpus = CorpusUse(reports=matcher.index.reports(), index=matcher.index.where) if matcher else None
        return ReviewResult(file=report.path, findings=kept, silenced=silenced, corpus=corpus)

    return [analyse, *(_stage(stage, rules) for stage in STAGES), finish]


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
    source: Report | str | Path | None = None,
    *,
    text: str | None = None,
    path: str | Path | None = None,
    rules: list[Rule] | None = None,
    accept: list[AcceptEntry] | None = None,
    min_level: Level | str = Level.info,
    index=None,
    claims=None,
    trusted_markers: str | None = None,
) -> ReviewResult:
    """Review a report: ``review("报告.docx")`` (a path, str or ``Path``), ``review(text=…)``
    (the report's text; ``path=`` the name its findings are shown under), or a ``Report``.
    A str naming no file is an ``InputError`` (pass text as ``text=``); a str holding a
    newline is still taken as the text, the old way of calling it.

    ``rules`` default to the built-in rules (read once per process); with ``index`` (a
    ``drafter.corpus.index.CorpusIndex``) the corpus rules compare the report with the reports
    in the index; with ``claims`` (a ``drafter.llm.claims.ClaimChecker``) a model judges its
    outcome claims; with ``trusted_markers`` only the inline markers that also stand in that text
    are honoured. The same stages as ``review_chain``, called directly."""
    value = as_report(source, text=text, path=path, guess_text=True)
    for stage in review_stages(rules=rules, accept=accept, min_level=min_level, index=index, claims=claims,
                               trusted_markers=trusted_markers):
        value = stage(value)
    return value


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, span), in text order."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.start, f.end), f)
    return sorted(seen.values(), key=lambda f: (f.start, f.end, f.rule))


def _markers(text: str, trusted: str | None = None) -> list[tuple[set[str], bool, int, int]]:
    """The report's inline ignore markers: (rule ids, whole file?, start and end of what they
    cover: the marker's own line and the next non-empty paragraph); with ``trusted``, only
    those written there too."""
    out = []
    for m in _INLINE.finditer(text):
        if trusted is not None and m.group(0) not in trusted:
            continue
        ids = {i.strip() for i in (m.group("ids") or "").split(",") if i.strip()}
        line_start = text.rfind("\n", 0, m.start()) + 1
        nxt = text.find("\n", m.end())
        nxt = len(text) if nxt < 0 else nxt
        while nxt < len(text) and text[nxt] == "\n":
            nxt += 1
        para_end = text.find("\n", nxt)
        out.append((ids, bool(m.group("all")), line_start, len(text) if para_end < 0 else para_end))
    return out


def _silenced(f: Finding, report: Report, accept: list[AcceptEntry],
              markers: list[tuple[set[str], bool, int, int]]) -> bool:
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
