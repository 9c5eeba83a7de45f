"""The thin command line: parse arguments, call the library, render. Errors become one line
on stderr and exit code 2; ``--debug`` re-raises them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from drafter.errors import DrafterError, InputError
from drafter.findings import Level

out = Console(soft_wrap=False)


def _fail(message: str) -> None:
    """One plain line on stderr (no markup: file names may contain brackets; no wrapping)."""
    click.echo(f"drafter: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """drafter: review and draft 财政支出项目绩效自评报告, offline by default."""
    ctx.obj = {"debug": debug}


def expand(paths: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(files, empty folders): files as given; folders become the reports inside them
    (recursively, sorted; Word's ``~$`` lock files are skipped)."""
    from drafter.documents.load import reports_in

    files: list[str] = []
    empty: list[str] = []
    for p in paths:
        if Path(p).is_dir():
            found = [str(f) for f in reports_in(p)]
            files.extend(found)
            if not found:
                empty.append(p)
        else:
            files.append(p)
    return files, empty


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["rich", "line", "json", "md", "docx"]), default="rich", show_default=True,
              help="docx: a copy of the report with every finding as a Word comment (needs -o OUT.docx).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="With --format docx: the commented Word file to write.")
@click.option("--min-level", type=click.Choice([lv.value for lv in Level]), default="info", show_default=True)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(), help="Extra folder of rule YAML files.")
@click.option("--disable", multiple=True, help="Rule id to switch off (repeatable).")
@click.option("--accept", "accept_file", type=click.Path(), help="Accept list (YAML) of findings to silence.")
@click.option("--max-mb", type=float, default=20.0, show_default=True, help="Largest file to read.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Corpus index folder (default .drafter/index when it exists).")
@click.option("--chroma-url", help="Use a Chroma server (http://HOST:PORT) as the corpus index.")
@click.option("--no-index", is_flag=True, help="Do not compare with the corpus index.")
@click.option("--llm", "use_llm", is_flag=True, help="Also let a model judge each outcome claim (needs --model or DRAFTER_MODEL).")
@click.option("--model", help="Model for --llm (OpenAI-compatible).")
@click.option("--base-url", help="Base URL for --llm (or DRAFTER_BASE_URL).")
@click.option("--endpoint", help="A named endpoint from the config file for --llm.")
@click.option("--facts", "facts_file", type=click.Path(), help="A facts file the claims may also be supported by (--llm).")
@click.option("--prompts", "prompts_dir", type=click.Path(file_okay=False), help="Prompt folder (default prompts/v1).")
@click.pass_context
def review(ctx, files, fmt, min_level, rule_dirs, disable, accept_file, max_mb, index_dir, chroma_url, no_index,
           use_llm, model, base_url, endpoint, facts_file, prompts_dir, output):
    """Review reports (.md .txt .docx .pdf, or folders of them).

    With a corpus index (see `drafter index`) passages copied from other reports are flagged too.
    Exit code 1 when an error-level finding remains, 2 when a file cannot be used."""
    from drafter.review import printers as render
    from drafter.documents.load import load
    from drafter.review.engine import load_accept
    from drafter.review.engine import review as run_review
    from drafter.review.registry import load_rules

    debug = ctx.obj["debug"]
    try:
        rules = load_rules(list(rule_dirs), set(disable))
        accept = load_accept(accept_file) if accept_file else _default_accept()
        index = None if no_index else _review_index(index_dir, chroma_url)
        claims = _claim_checker(model, base_url, endpoint, facts_file, prompts_dir) if use_llm else None
    except DrafterError as exc:
        if debug:
            raise
        _fail(str(exc))
        sys.exit(2)
    results, texts, reports = [], {}, []
    paths, empty = expand(files)
    problem = _docx_output_problem(fmt, output, paths)
    if problem:
        _fail(problem)
        sys.exit(2)
    for folder in empty:
        _fail(f"{folder}: no .md, .txt, .docx or .pdf files in this folder")
    bad = bool(empty)
    if not paths:
        sys.exit(2)
    for path in paths:
        try:
            report = load(path, max_bytes=int(max_mb * 1024 * 1024))
            results.append(run_review(report, rules=rules, accept=accept, min_level=min_level, index=index, claims=claims))
            texts[report.path] = report.text
            reports.append(report)
        except InputError as exc:
            if debug:
                raise
            _fail(str(exc))
            bad = True
    if fmt == "docx":
        bad = _write_docx(reports, results, output, debug) or bad
    elif fmt == "json":
        click.echo(render.to_json(results, single=len(paths) == 1))
    elif fmt == "line":
        text = render.to_lines(results)
        if text:
            click.echo(text)
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
        return "-o/--output is for --format docx (the other formats print to stdout)" if output else None
    if not output:
        return "--format docx writes a Word file: give -o OUT.docx"
    if Path(output).suffix.lower() != ".docx":
        return f"{output}: the output of --format docx must end in .docx"
    if len(paths) > 1:
        return f"--format docx writes one commented copy of one report (got {len(paths)} files)"
    if paths and Path(output).exists() and Path(paths[0]).exists() and Path(output).resolve() == Path(paths[0]).resolve():
        return f"{output}: this is the report itself; the original is never modified, choose another output file"
    return None


def _write_docx(reports, results, output: str, debug: bool) -> bool:
    """Write the commented copy; True when it could not be written."""
    from drafter.documents.docx_comments import write_commented_docx

    if not results:
        return True
    try:
        placements = write_commented_docx(reports[0], results[0], output)
    except DrafterError as exc:
        if debug:
            raise
        _fail(str(exc))
        return True
    moved = sum(1 for p in placements if not p.exact)
    note = f"，其中 {moved} 条无法定位原文，放在最近的段落" if moved else ""
    out.print(f"写入 {output}：{len(placements)} 条批注{note}", highlight=False)
    return False


def _claim_checker(model, base_url, endpoint, facts_file, prompts_dir):
    from drafter.llm.claims import claim_checker
    from drafter.llm.chat import endpoint_from_env

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


def _default_accept():
    from drafter.review.engine import default_accept

    return default_accept()


@main.command(name="index")
@click.argument("paths", nargs=-1)
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Index folder (default .drafter/index).")
@click.option("--chroma-url", help="Use a Chroma server (http://HOST:PORT) instead of a local folder.")
@click.option("--embedding", help="hash (default), hash:DIM, openai:MODEL[@URL] or st:/model/folder.")
@click.option("--remove", "remove", multiple=True, help="Remove a file's chunks from the index (repeatable).")
@click.option("--stats", is_flag=True, help="Show what is in the index.")
@click.option("--rebuild", is_flag=True, help="Start the index over (an index of an older drafter, another embedding).")
@click.pass_context
def index_cmd(ctx, paths, index_dir, chroma_url, embedding, remove, stats, rebuild):
    """Index past reports (files or folders) for retrieval and copy detection."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from drafter.config import load_config
    from drafter.corpus.index import CorpusIndex, report_files, wipe

    if not (paths or remove or stats):
        _fail("give report files or folders to index, --remove FILE, or --stats")
        sys.exit(2)
    try:
        config = load_config(index=index_dir, chroma_url=chroma_url, embedding=embedding)
        if rebuild:
            wipe(config)
        idx = CorpusIndex(config)
        results = [idx.remove(f) for f in remove]
        files = report_files(paths)
        missing = [str(f) for f in files if not f.exists()]
        for m in missing:
            _fail(f"{m}: no such file")
        files = [f for f in files if f.exists()]
        if files:
            with Progress(TextColumn("[bold]索引"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                          TimeRemainingColumn(), console=out, transient=True, disable=len(files) < 3) as bar:
                task = bar.add_task("", total=len(files))

                def advance(r):
                    bar.update(task, description=Path(r.path).name[:40])
                    bar.advance(task)

                results.extend(idx.add_many(files, advance))
    except DrafterError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        sys.exit(2)
    if results:
        counts = {k: sum(1 for r in results if r.status == k) for k in ("added", "replaced", "unchanged", "removed", "skipped")}
        chunks = sum(r.chunks for r in results if r.status in ("added", "replaced"))
        out.print(f"{idx.where}: " + "，".join(f"{k} {v}" for k, v in counts.items() if v) + f"；新写入 {chunks} 个片段")
        for r in results:
            if r.status == "skipped":
                out.print(f"  [yellow]skipped[/] {r.path}: {r.reason}", highlight=False)
    if stats:
        st = idx.stats()
        out.print(f"{st['where']}  embedding {st['embedding']}  files {st['files']}  chunks {st['chunks']}  "
                  f"units {st['units']}  years {', '.join(map(str, st['years'])) or '-'}")
        table = Table("unit", "project", "year", "chunks")
        table.add_column("file", overflow="fold")  # the whole path, wrapped: its end names the file
        for src, f in sorted(st["by_file"].items()):
            table.add_row(f["unit"], f["project"], str(f["year"] or ""), str(f["chunks"]), _shown_path(src))
        out.print(table)
    sys.exit(2 if missing or any(r.status == "skipped" for r in results) else 0)


def _shown_path(path: str) -> str:
    """A path relative to the working directory when it is under it, else as it is."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


@main.command(name="draft")
@click.argument("facts_file", type=click.Path())
@click.option("--template", help="Report structure (default: the facts' template).")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default="offline", show_default=True)
@click.option("--model", help="Model name for --backend openai (or DRAFTER_MODEL).")
@click.option("--base-url", help="OpenAI-compatible base URL (or DRAFTER_BASE_URL); the default key is never sent to it.")
@click.option("--endpoint", help="A named endpoint from the config file (drafter.yml: endpoints).")
@click.option("--section", help="Draft one section only (its key like 二/（二）/1, or its title).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="Write the draft to OUT.md or OUT.docx.")
@click.option("--runs", "runs_dir", default="runs", show_default=True, help="Where run artifacts go.")
@click.option("--prompts", "prompts_dir", type=click.Path(file_okay=False), help="Prompt folder (default prompts/v1).")
@click.option("--jobs", type=int, default=4, show_default=True, help="Sections drafted at once (openai).")
@click.option("--cache", "cache_dir", default=".drafter/cache", show_default=True, help="Response cache folder (openai).")
@click.pass_context
def draft_cmd(ctx, facts_file, template, backend, model, base_url, endpoint, section, output, runs_dir, prompts_dir, jobs, cache_dir):
    """Draft a report from a facts file (YAML/JSON): every figure computed in code and checked."""
    from drafter.review import printers as render
    from drafter.draft.pipeline import draft
    from drafter.facts.model import load_facts

    try:
        if output and Path(output).suffix.lower() not in (".md", ".docx"):
            raise DrafterError(f"{output}: the output must end in .md or .docx")
        facts = load_facts(facts_file)
        call = None
        if backend == "openai":
            from drafter.llm.chat import CachedChat, chat_model, endpoint_from_env

            ep = endpoint_from_env(model, base_url, endpoint)
            call = CachedChat(chat_model(ep), cache_dir, key=f"{ep.base_url}|{ep.model}")
        result = draft(facts, template_id=template, model=call, backend=backend, prompts_dir=prompts_dir,
                       section=section, runs_dir=runs_dir, jobs=jobs)
        if output:
            if output.lower().endswith(".docx"):
                from drafter.documents.docx_write import markdown_to_docx

                markdown_to_docx(result.markdown, output)
            else:
                from drafter.files import write_text_atomic

                write_text_atomic(output, result.markdown)
    except DrafterError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        sys.exit(2)
    if not output:
        click.echo(result.markdown)
    else:
        out.print(f"写入 {output}（run {result.run_id}，{backend}）", highlight=False)
    for s in result.sections:
        if s.violations:
            out.print(f"[yellow]{s.plan.heading}[/]：{s.source}；" + "；".join(s.violations), highlight=False)
    if result.review is not None:
        render.print_rich([result.review], {result.review.file: result.markdown}, out)
    sys.exit(0)


@main.group(name="facts")
def facts_group():
    """Facts files: import a 自评表 .xlsx, or extract facts from last year's report."""


@facts_group.command(name="import")
@click.argument("table", type=click.Path())
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="Write the facts YAML here (default: stdout).")
@click.pass_context
def facts_import(ctx, table, output):
    """Read a national-format 项目支出绩效自评表 (.xlsx) into a facts file."""
    from drafter.facts.io import import_table

    _facts_out(ctx, lambda: import_table(table), output)


@facts_group.command(name="extract")
@click.argument("report", type=click.Path())
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="Write the facts YAML here (default: stdout).")
@click.pass_context
def facts_extract(ctx, report, output):
    """Extract the figures and bullet points of an existing report into a facts file."""
    from drafter.facts.io import extract_facts

    _facts_out(ctx, lambda: extract_facts(report), output)


def _facts_out(ctx, make, output):
    from drafter.facts.io import dump_facts

    try:
        facts = make()
        if output:
            dump_facts(facts, output)
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as d:
                p = Path(d) / "facts.yaml"
                dump_facts(facts, p)
                click.echo(p.read_text(encoding="utf-8"), nl=False)
    except DrafterError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        sys.exit(2)


@main.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (a public one needs --token).")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--token", envvar="DRAFTER_TOKEN", help="Every request must carry this token (or set DRAFTER_TOKEN).")
@click.option("--max-mb", type=float, default=20.0, show_default=True, help="Largest upload.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Corpus index folder (default .drafter/index when it exists).")
@click.option("--chroma-url", help="Use a Chroma server (http://HOST:PORT) as the corpus index.")
@click.option("--no-index", is_flag=True, help="Do not compare with the corpus index.")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default="offline", show_default=True, help="Drafting backend.")
@click.option("--model", help="Model name for --backend openai (or DRAFTER_MODEL).")
@click.option("--base-url", help="OpenAI-compatible base URL (or DRAFTER_BASE_URL).")
@click.option("--endpoint", help="A named endpoint from the config file.")
@click.pass_context
def serve_cmd(ctx, host, port, token, max_mb, index_dir, chroma_url, no_index, backend, model, base_url, endpoint):
    """A web page (review and draft) and a JSON API under /api/, on 127.0.0.1:8000 by default."""
    import logging

    from drafter.web import WebSettings, create_app

    try:
        settings = WebSettings(max_bytes=int(max_mb * 1024 * 1024), token=token or None, index_dir=index_dir,
                               chroma_url=chroma_url, no_index=no_index, backend=backend, model=model,
                               base_url=base_url, endpoint=endpoint)
        app = create_app(settings)
    except DrafterError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        sys.exit(2)
    warning = _bind_warning(host, token)
    if warning:
        _fail(warning)
    import uvicorn

    # drafter's own access log (method, path, status; never a query string); other libraries
    # keep their default (warnings only)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logging.getLogger("drafter").addHandler(handler)
    logging.getLogger("drafter").setLevel(logging.INFO)
    info = app.state.backend.describe()
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"drafter serve: http://{shown}:{port}/{'?token=…' if token else ''}  "
               f"(起草 {info['draft']['label']}；语料 {info['index']['label']})", err=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info", server_header=False)


def _bind_warning(host: str, token: str | None) -> str | None:
    """The warning for a server other machines can reach without a token."""
    import ipaddress

    if token:
        return None
    try:
        local = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        local = False
    if local:
        return None
    return (f"warning: {host} is reachable from other machines and there is no --token: anyone who can reach it "
            "can upload reports; add --token (or bind 127.0.0.1)")


@main.command(name="eval", context_settings={"ignore_unknown_options": False})
@click.argument("target", nargs=-1, required=True)
@click.option("--prompts", "prompt_dirs", multiple=True, help="Prompt folder(s) to compare (repeatable; replaces the suite's variants).")
@click.option("--backend", "backends", multiple=True, help="offline, openai or endpoint:NAME (repeatable; crossed with --prompts).")
@click.option("--model", help="Model name for --backend openai (or DRAFTER_MODEL).")
@click.option("--base-url", help="OpenAI-compatible base URL for --backend openai (or DRAFTER_BASE_URL).")
@click.option("--jobs", type=int, default=2, show_default=True, help="Cases run at once (model calls overlap).")
@click.option("--run-id", help="Name the run; an existing run of that id continues where it stopped.")
@click.option("--out", "out_dir", default="evals/results", show_default=True, help="Where runs are written.")
@click.option("--disable", multiple=True, help="Rule id to switch off for this run (repeatable).")
@click.option("--judge", is_flag=True, help="Also have a model judge each draft's fluency and register (model-judged; "
              "the first non-offline --backend, else openai, with --model/--base-url).")
@click.option("--claim-check", is_flag=True, help="The model variants' reviews also let the model judge each outcome "
              "claim (review --llm, with each prompt folder's claim_check prompt).")
@click.pass_context
def eval_cmd(ctx, target, prompt_dirs, backends, model, base_url, jobs, run_id, out_dir, disable, judge, claim_check):
    """Score review and drafting against reference reports: drafter eval SUITE.yaml, or
    drafter eval compare RUN_A RUN_B. Exit 1 when an assertion of the suite fails."""
    from drafter.evals import render as eval_render

    try:
        if target[0] == "compare":
            if len(target) != 3:
                raise DrafterError("usage: drafter eval compare RUN_A RUN_B")
            from drafter.evals.compare import compare
            from drafter.evals.runner import load_results

            diff = compare(load_results(target[1], out_dir), load_results(target[2], out_dir))
            if not diff["pairs"]:
                raise DrafterError("the two runs share no variant name (and are not one variant each): nothing to compare")
            eval_render.print_compare(out, diff)
            return
        if len(target) != 1:
            raise DrafterError("usage: drafter eval SUITE.yaml [options]  or  drafter eval compare RUN_A RUN_B")
        from drafter.evals.suite import Variant, load_suite
        from drafter.review.registry import load_rules

        suite = load_suite(target[0])
        if prompt_dirs or backends:
            for d in prompt_dirs:
                if not Path(d).is_dir():
                    raise InputError(d, "no such prompt folder")
            suite.variants = [
                Variant(name=f"{Path(p).name}@{b}", backend=b, prompts=p, model=model, base_url=base_url,
                        claim_check=claim_check and b != "offline")
                for p in (prompt_dirs or ("prompts/v1",)) for b in (backends or ("offline",))
            ]
        elif claim_check:
            suite.variants = [v.model_copy(update={"claim_check": v.backend != "offline"}) for v in suite.variants]
        if claim_check and not any(v.claim_check for v in suite.variants):
            raise DrafterError("--claim-check needs a model variant: add --backend openai (or endpoint:NAME)")
        if judge:
            from drafter.evals.suite import JudgeSpec

            backend = next((b for b in backends if b != "offline"), "openai")
            suite.judge = JudgeSpec(backend=backend, model=model, base_url=base_url)
        rules = load_rules()
        unknown = [r for r in disable if r not in {x.id for x in rules}]
        if unknown:
            raise DrafterError(f"--disable: no rule {', '.join(unknown)} (drafter rules lists them)")
        rules = [r for r in rules if r.id not in disable]
        summary = eval_render.run_with_progress(suite, out_dir=out_dir, run_id=run_id, jobs=jobs, rules=rules)
    except DrafterError as exc:
        if ctx.obj["debug"]:
            raise
        _fail(str(exc))
        sys.exit(2)
    eval_render.print_summary(out, summary, Path(out_dir) / summary["run_id"])
    sys.exit(0 if summary["passed"] else 1)


@main.command(name="rules")
def list_rules():
    """List the rules in force."""
    from rich.table import Table

    from drafter.review.registry import load_rules

    table = Table("id", "type", "category", "level", "message")
    for r in load_rules():
        table.add_row(r.id, r.extends, r.category, r.level.value, r.message)
    out.print(table)


if __name__ == "__main__":
    main()
