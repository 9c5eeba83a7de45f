"""``drafter review``: review reports, print the findings in one of the formats, or write a
commented Word copy."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from drafter.cli.console import err, fail, out
from drafter.cli.options import (
    disable_option,
    index_options,
    max_mb_option,
    model_options,
    output_option,
    prompts_option,
)
from drafter.documents.load import expand
from drafter.findings import Level
from drafter.review.printers._common import corpus_line

SMALL_BATCH = 16  # with an index or --llm, fewer reports than this are reviewed in one process


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["rich", "line", "json", "md", "docx"]), default="rich",
              show_default=True,
              help="docx: a copy of the report with every finding as a Word comment (needs -o OUT.docx).")
@output_option("With --format docx: the commented Word file to write.")
@click.option("--min-level", type=click.Choice([lv.value for lv in Level]), default="info", show_default=True)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), help="Extra folder of rule YAML files.")
@disable_option()
@click.option("--accept", "accept_file", type=click.Path(), help="Accept list (YAML) of findings to silence.")
@max_mb_option("file to read")
@index_options()
@click.option("--llm", "use_llm", is_flag=True,
              help="Also let a model judge each outcome claim (needs --model or DRAFTER_MODEL).")
@model_options("--llm")
@click.option("--facts", "facts_file", type=click.Path(),
              help="A facts file the claims may also be supported by (--llm).")
@prompts_option()
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Reports reviewed at once, in parallel processes (default: the number of cores; "
                   "one for fewer than 16 reports with a corpus index or --llm).")
@click.option("--summary", type=click.Path(dir_okay=False),
              help="Also write a workbook of the batch: FILE.xlsx (汇总, 问题清单, 未能审核) or FILE.csv (汇总).")
@click.pass_context
def review(ctx, files, fmt, min_level, rule_dirs, disable, accept_file, max_mb, index_dir, chroma_url, no_index,
           use_llm, model, base_url, endpoint, facts_file, prompts_dir, output, jobs, summary):
    """Review reports (.md .txt .docx .pdf, or folders of them).

    With a corpus index (see `drafter index`) passages copied from other reports are flagged too.
    Exit code 1 when an error-level finding remains, 2 when a file cannot be used."""
    from drafter.review import printers as render
    from drafter.review.batch import BatchSetup
    from drafter.review.workbook import check_summary_path, write_summary

    if summary:
        check_summary_path(summary)
    paths, empty, unusable = expand(files)
    problem = _docx_output_problem(fmt, output, paths)
    if problem:
        fail(problem)
        sys.exit(2)
    for folder in empty:
        fail(f"{folder}: 这个文件夹里没有 .md、.txt、.docx 或 .pdf 文件")
    for exc in unusable:
        fail(str(exc))
    bad = bool(empty or unusable)
    if not paths:
        sys.exit(2)
    setup = BatchSetup(
        rule_dirs=tuple(rule_dirs), disable=tuple(disable), accept_file=accept_file, min_level=min_level,
        max_bytes=int(max_mb * 1024 * 1024), keep_reports=fmt in ("rich", "docx"),
        extras=_extras_of(index_dir, chroma_url, no_index, use_llm, model, base_url, endpoint, facts_file,
                          prompts_dir),
    )
    if jobs is None and setup.extras is not None and len(paths) < SMALL_BATCH:
        jobs = 1  # a worker opening the index (or a model client) costs more than it saves here
    try:
        items = _run_batch(paths, setup, jobs)
    except KeyboardInterrupt:
        fail("已中断：未输出审核结果，也未写入任何文件")
        sys.exit(130)
    results, texts, reports = [], {}, []
    for item in items:
        if not item.ok:
            if ctx.obj["debug"] and item.detail:
                click.echo(item.detail, err=True)
            fail(f"{item.file}: {item.problem}")
            bad = True
            continue
        for warning in item.read_warnings:  # text the reader could not take in is never lost silently
            fail(f"{item.file}：{warning}")
        results.append(item.result)
        if item.report is not None:
            texts[item.report.path] = item.report.text
            reports.append(item.report)
    if summary:
        try:
            write_summary(items, summary)  # a temporary file renamed: never half a workbook
        except KeyboardInterrupt:
            fail(f"已中断：未写入 {summary}，也未输出审核结果")
            sys.exit(130)
        failed = sum(1 for i in items if not i.ok)
        note = f"，{failed} 份未能审核" if failed else ""
        click.echo(f"写入 {summary}：{len(results)} 份报告{note}", err=True)
    if fmt == "docx":
        bad = _write_docx(reports, results, output) or bad
    elif fmt == "json":
        click.echo(render.to_json(results, single=len(paths) == 1))
    elif fmt == "line":
        text = render.to_lines(results)
        if text:
            click.echo(text)
        if results:  # stdout stays one finding a line; whether the copy check ran goes to stderr
            click.echo(corpus_line(results), err=True)
    elif fmt == "md":
        click.echo(render.to_markdown(results))
    else:
        render.print_rich(results, texts, out)
    if bad:
        sys.exit(2)
    sys.exit(1 if any(r.has_errors for r in results) else 0)


def _docx_output_problem(fmt: str, output: str | None, paths: list[str]) -> str | None:
    """What is wrong with the arguments of ``review --format docx -o OUT.docx``, if anything."""
    if fmt != "docx":
        return "-o/--output 只用于 --format docx（其他格式输出到标准输出）" if output else None
    if not output:
        return "--format docx 输出 Word 文件：请用 -o OUT.docx 指定文件"
    if Path(output).suffix.lower() != ".docx":
        return f"{output}: --format docx 的输出文件名须以 .docx 结尾"
    if len(paths) > 1:
        return f"--format docx 一次只为一份报告输出批注副本（收到 {len(paths)} 个文件）"
    target, report = Path(output), Path(paths[0]) if paths else None
    if report is not None and target.exists() and report.exists() and target.resolve() == report.resolve():
        return f"{output}: 这就是报告本身；原文件不会被改动，请另选输出文件"
    return None


def _write_docx(reports, results, output: str) -> bool:
    """Write the commented copy; True when there is nothing to write (no report could be read).
    A copy that cannot be written raises (one line and exit 2 at the CLI's boundary)."""
    from drafter.documents.docx_comments import write_commented_docx

    if not results:
        return True
    placements = write_commented_docx(reports[0], results[0], output)
    moved = sum(1 for p in placements if not p.exact)
    note = f"，其中 {moved} 条无法定位原文，放在最近的段落" if moved else ""
    out.print(f"写入 {output}：{len(placements)} 条批注{note}；{corpus_line(results)}", highlight=False,
              markup=False)
    return False


def _run_batch(paths: list[str], setup, jobs: int | None) -> list:
    """The batch's items in the input's order, with a progress bar on a terminal (stderr)."""
    from drafter.review.batch import review_batch

    if len(paths) < 2 or not err.is_terminal:
        return list(review_batch(paths, setup=setup, jobs=jobs))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("审核"), BarColumn(), MofNCompleteColumn(), TextColumn("未能审核 {task.fields[failed]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("审核", total=len(paths), failed=0)
        failed = 0

        def done(item) -> None:
            nonlocal failed
            failed += not item.ok
            progress.update(task, advance=1, failed=failed)

        return list(review_batch(paths, setup=setup, jobs=jobs, on_done=done))


def _extras_of(index_dir, chroma_url, no_index, use_llm, *llm):
    """What builds the index and claim checker in each process, or None when the review has
    neither (the rules alone: workers then start as copies of this process)."""
    if not use_llm and (no_index or _review_index(index_dir, chroma_url) is None):
        return None
    return partial(_extras, index_dir, chroma_url, no_index, use_llm, *llm)


def _extras(index_dir, chroma_url, no_index, use_llm, model, base_url, endpoint, facts_file, prompts_dir) -> dict:
    """The corpus index and claim checker of a review, built in each process that reviews."""
    index = None if no_index else _review_index(index_dir, chroma_url)
    claims = _claim_checker(model, base_url, endpoint, facts_file, prompts_dir) if use_llm else None
    return {"index": index, "claims": claims}


def _claim_checker(model, base_url, endpoint, facts_file, prompts_dir):
    from drafter.llm.chat import endpoint_from_env
    from drafter.llm.claims import claim_checker

    facts_text = ""
    if facts_file:
        from drafter.facts.model import load_facts

        facts_text = load_facts(facts_file).model_dump_json(exclude_none=True)
    return claim_checker(endpoint_from_env(model, base_url, endpoint), facts_text=facts_text, prompts_dir=prompts_dir)


def _review_index(index_dir: str | None, chroma_url: str | None):
    """The corpus index to review against: the one named, else the configured one when it
    exists; None when there is none (review then runs on the rules alone)."""
    from drafter.config import load_config, open_index

    return open_index(load_config(index=index_dir, chroma_url=chroma_url), index_dir)


