"""Batch review: many reports in parallel worker processes, results in the input's order, and
for each report a summary row (its figures, the score they allow, finding counts, a risk).

``review_batch(paths, setup=BatchSetup(...), jobs=N)`` yields one ``BatchItem`` per path, in
the order given, whatever order the workers finish in: a report's findings are those of
``drafter.review`` with the same options. A file that cannot be read, or a report whose review
raises, is an item with a ``problem`` (the batch goes on); a worker process that dies (killed,
out of memory) is replaced, and the report it was reviewing is found by reviewing the reports
that were in flight one at a time, then named as a problem.

The summary's arithmetic is the reviewer's own: budget roles and 执行率 from
``Analysis.budget`` (``drafter.analysis.budget``), the highest score from ``score_ceiling``
with the weight of 预算执行率 that the rule ``score_vs_execution`` uses."""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field

from pydantic import BaseModel

from drafter.documents.load import MAX_BYTES, Report, load
from drafter.errors import InputError
from drafter.findings import CATEGORIES, Level, ReviewResult
from drafter.limits import OverTime, work_limits

# the 风险 column: what each thing weighs (README, "Batch review")
RISK_WEIGHTS = {"error": 10.0, "warning": 3.0, "leftover": 5.0, "gap": 2.0}
LEFTOVER_RULES = ("template-instruction",)  # findings that are template text left in the report
PLACEHOLDERS = ("【待补充", "【待核实")  # drafter's own placeholders, left unfilled


class ReportSummary(BaseModel):
    """One report's row in the 汇总 sheet. Amounts are in ``amount_unit`` (the unit the report
    states its budget in); ``rate`` is a fraction; None where the report does not say."""

    file: str
    unit: str = ""
    project: str = ""
    year: int | None = None
    amount_unit: str = "元"
    budget: float | None = None
    spent: float | None = None
    balance: float | None = None
    rate: float | None = None
    self_score: float | None = None
    ceiling: float | None = None  # the highest total score the execution rate allows
    gap: float | None = None  # self_score − ceiling, when both are known
    counts: dict[str, dict[str, int]] = {}  # category → {"error": n, "warning": n}
    leftovers: int = 0  # 待补充 placeholders and template instructions left in the text
    risk: float = 0.0

    @property
    def errors(self) -> int:
        return sum(c["error"] for c in self.counts.values())

    @property
    def warnings(self) -> int:
        return sum(c["warning"] for c in self.counts.values())


class BatchItem(BaseModel):
    """One path of the batch: its review and summary, or the problem that stopped it."""

    index: int
    file: str
    result: ReviewResult | None = None
    summary: ReportSummary | None = None
    report: Report | None = None  # kept when the batch is asked to (the rich and docx printers need it)
    problem: str = ""
    detail: str = ""  # the traceback of a review that raised (shown with --debug)

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class BatchSetup:
    """What every worker needs to review like ``drafter.review``: picklable, built into rules,
    accept list, index and claim checker once per process. ``extras`` is a module-level function
    (or a ``functools.partial`` of one) returning ``{"index": …, "claims": …}``, called in each
    process (a corpus index or a model client is not shared across processes)."""

    rule_dirs: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    accept_file: str | None = None  # None: .drafter-accept.yml in the working folder, if any
    min_level: str = Level.info.value
    max_bytes: int = MAX_BYTES
    keep_reports: bool = False
    extras: Callable[[], dict] | None = None
    # per report, in a worker process (the web server's batches): seconds and megabytes more
    # address space; a report past either is a problem of its own item, the batch goes on
    time_limit: float | None = None
    memory_limit_mb: int | None = None

    @property
    def limited(self) -> bool:
        return bool(self.time_limit or self.memory_limit_mb)

    def build(self) -> "Tools":
        from drafter.review.engine import default_accept, load_accept, review_stages
        from drafter.review.registry import load_rules

        rules = load_rules(list(self.rule_dirs), set(self.disable))
        accept = load_accept(self.accept_file) if self.accept_file else default_accept()
        extras = self.extras() if self.extras else {}
        stages = review_stages(rules=rules, accept=accept, min_level=self.min_level,
                               index=extras.get("index"), claims=extras.get("claims"))
        weight = next((r.params.exec_weight for r in rules if r.extends == "score_vs_execution"), 10.0)
        return Tools(self, stages, float(weight))


@dataclass
class Tools:
    setup: BatchSetup
    stages: list = field(repr=False)
    exec_weight: float = 10.0


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def review_path(index: int, path: str, tools: Tools) -> BatchItem:
    """Review one file into a ``BatchItem``; nothing it raises escapes (a bad report is a problem
    of its own item)."""
    try:
        report = load(path, max_bytes=tools.setup.max_bytes)
        first, *middle, finish = tools.stages
        state = first(report)
        for stage in middle:
            state = stage(state)
        result = finish(state)
        summary = summarise(report, state.analysis, result, exec_weight=tools.exec_weight)
        return BatchItem(index=index, file=path, result=result, summary=summary,
                         report=report if tools.setup.keep_reports else None)
    except InputError as exc:
        return BatchItem(index=index, file=path, problem=exc.problem)
    except MemoryError:
        if tools.setup.limited:
            raise  # past the allowance: the worker's to name
        return _crashed(index, path, MemoryError("内存不足"))
    except Exception as exc:  # one report's crash never stops the batch
        return _crashed(index, path, exc)


def _crashed(index: int, path: str, exc: BaseException) -> BatchItem:
    return BatchItem(index=index, file=path, problem=f"审核时出错（{type(exc).__name__}：{exc}），未能审核",
                     detail="".join(traceback.format_exception(exc)))


def summarise(report: Report, analysis, result: ReviewResult, *, exec_weight: float = 10.0) -> ReportSummary:
    """The 汇总 row of a reviewed report."""
    from drafter.analysis.budget import score_ceiling
    from drafter.corpus.chunking import identity
    from drafter.text.figures import AMOUNT_SCALE

    ident = identity(report, analysis)
    b = analysis.budget
    budget, spent, stated_balance = b.budget_figure, b.first("spent"), b.first("balance")
    unit = next((f.figure.unit for f in (budget, spent, stated_balance)
                 if f is not None and f.figure is not None and f.figure.unit in AMOUNT_SCALE), "元")
    scale = AMOUNT_SCALE[unit]

    def amount(yuan: float | None) -> float | None:
        return None if yuan is None else round(yuan / scale, 6)

    if stated_balance is not None:
        balance = stated_balance.value
    elif budget is not None and spent is not None:
        balance = budget.value - spent.value
    else:
        balance = None
    rate = b.execution
    self_score = b.value("self_score")
    ceiling = None if rate is None else round(score_ceiling(rate, exec_weight)[1], 2)
    gap = None if ceiling is None or self_score is None else round(self_score - ceiling, 2)
    counts = {c: {"error": 0, "warning": 0} for c in CATEGORIES}
    leftovers = sum(report.text.count(p) for p in PLACEHOLDERS)
    for f in result.findings:
        if f.level.value in ("error", "warning"):
            counts[f.category][f.level.value] += 1
        if f.rule in LEFTOVER_RULES:
            leftovers += 1
    summary = ReportSummary(
        file=result.file, unit=ident["unit"], project=ident["project"], year=analysis.year,
        amount_unit=unit, budget=amount(budget.value if budget else None), spent=amount(spent.value if spent else None),
        balance=amount(balance), rate=rate, self_score=self_score, ceiling=ceiling, gap=gap, counts=counts,
        leftovers=leftovers,
    )
    summary.risk = risk(summary)
    return summary


def risk(s: ReportSummary) -> float:
    """Which report to read first: 10 per error, 3 per warning, 5 per placeholder or template
    instruction left, and 2 per point the self-score is above what the figures allow."""
    w = RISK_WEIGHTS
    gap = max(0.0, s.gap or 0.0)
    return round(w["error"] * s.errors + w["warning"] * s.warnings + w["leftover"] * s.leftovers + w["gap"] * gap, 2)


def by_risk(items: Iterable[BatchItem]) -> list[BatchItem]:
    """The reviewed items, highest risk first (ties in input order)."""
    return sorted((i for i in items if i.summary is not None), key=lambda i: (-i.summary.risk, i.index))


# --- running ------------------------------------------------------------------------------

_TOOLS: Tools | None = None  # this process's tools (a worker's, or the parent's before a fork)
_STARTED = None  # a worker's shared flags: _STARTED[index] = 1 once it has begun that report


def _worker_init(setup: BatchSetup, started) -> None:
    global _TOOLS, _STARTED
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _STARTED = started
    if _TOOLS is None or _TOOLS.setup != setup or setup.extras is not None:
        _TOOLS = setup.build()  # a forked worker reuses its parent's rules, but opens its own index


def _worker_review(index: int, path: str) -> BatchItem:
    _STARTED[index] = 1
    setup = _TOOLS.setup
    if not setup.limited:
        return review_path(index, path, _TOOLS)
    try:
        with work_limits(setup.time_limit, setup.memory_limit_mb):
            return review_path(index, path, _TOOLS)
    except OverTime:
        return BatchItem(index=index, file=path,
                         problem=f"审核超过每份报告 {setup.time_limit:g} 秒的时间限制，未能审核："
                                 "请拆分报告或删去异常长的段落、表格后再试")
    except MemoryError:
        return BatchItem(index=index, file=path,
                         problem=f"审核所需内存超过每份报告 {setup.memory_limit_mb} MB 的限制，未能审核："
                                 "请拆分报告后再试")


def review_batch(paths: list[str], *, setup: BatchSetup | None = None, jobs: int | None = None,
                 on_done: Callable[[BatchItem], None] | None = None, mp_context=None) -> Iterator[BatchItem]:
    """Review ``paths`` with ``jobs`` processes (default: the cores), yielding a ``BatchItem``
    per path in the input's order; ``on_done`` is called as each report finishes (in any
    order: for a progress display). One job reviews in this process. The setup is built here
    first, so bad rules or a bad accept list raise before any work starts. Interrupting the
    iteration (Ctrl-C) cancels what has not started and stops the workers."""
    global _TOOLS
    setup = setup or BatchSetup()
    tools = setup.build()
    jobs = max(1, min(jobs or default_jobs(), len(paths) or 1))
    if jobs == 1 and not setup.limited:  # limits are a worker's: a limited batch never runs here
        for i, path in enumerate(paths):
            item = review_path(i, str(path), tools)
            if on_done:
                on_done(item)
            yield item
        return
    _TOOLS = tools if setup.extras is None else None
    done: dict[int, BatchItem] = {}
    nxt = 0
    if mp_context is None and setup.extras is not None:
        import multiprocessing

        mp_context = multiprocessing.get_context("spawn")  # an index or model client is not to be forked
    with closing(_run_pool([(i, str(p)) for i, p in enumerate(paths)], setup, jobs, mp_context)) as items:
        for item in items:
            if on_done:
                on_done(item)
            done[item.index] = item
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1


def _context(mp_context):
    if mp_context is not None:
        return mp_context
    import multiprocessing

    # fork where there is one: the workers start at once with the rules already read
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _run_pool(todo: list[tuple[int, str]], setup: BatchSetup, jobs: int, mp_context) -> Iterator[BatchItem]:
    """The items of ``todo`` as the workers finish them. When a worker dies, the reports that
    had been started and not finished are reviewed again one at a time, each in a worker of its
    own (the one that kills its worker again is named, the others are reviewed), and the
    reports not yet started go on in parallel."""
    ctx = _context(mp_context)
    started = ctx.Array("b", max(i for i, _ in todo) + 1, lock=False)
    queue = list(todo)
    while queue:
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=(setup, started))
        given: set[int] = set()
        broken = False
        try:
            futures = {pool.submit(_worker_review, i, p): (i, p) for i, p in queue}
            for f in as_completed(futures):
                try:
                    item = f.result()
                except BrokenProcessPool:
                    broken = True
                    break
                except Exception as exc:  # raised outside the review (its result would not pickle…)
                    item = _crashed(*futures[f], exc)
                given.add(item.index)
                yield item
        except BaseException:  # Ctrl-C, or the caller stopped: cancel what has not started
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True, cancel_futures=True)
        if not broken:
            return
        for f, (i, _) in futures.items():  # finished before the break was seen
            if i not in given and f.done() and not f.cancelled() and f.exception() is None:
                given.add(i)
                yield f.result()
        left = [(i, p) for i, p in queue if i not in given]
        for i, path in left:
            if started[i]:
                yield _alone(i, path, setup, ctx, started)
        queue = [(i, p) for i, p in left if not started[i]]


def _alone(index: int, path: str, setup: BatchSetup, ctx, started) -> BatchItem:
    """Review one report in a worker of its own; a worker that dies names the report."""
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=_worker_init, initargs=(setup, started)) as pool:
        try:
            return pool.submit(_worker_review, index, path).result()
        except BrokenProcessPool:
            return BatchItem(index=index, file=path,
                             problem="审核这份报告的进程意外退出（可能是内存不足，或文件触发了解析程序的故障），未能审核")
