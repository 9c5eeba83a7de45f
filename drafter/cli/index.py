"""``drafter index``: add past reports to the corpus index, remove them, show what is in it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from drafter.cli.console import fail, out
from drafter.cli.options import index_options


@click.command(name="index")
@click.argument("paths", nargs=-1)
@index_options(optional=False)
@click.option("--embedding", help="hash (default), hash:DIM, openai:MODEL[@URL] or st:/model/folder.")
@click.option("--remove", "remove", multiple=True, help="Remove a file's chunks from the index (repeatable).")
@click.option("--stats", is_flag=True, help="Show what is in the index.")
@click.option("--rebuild", is_flag=True, help="Start the index over (an index of an older drafter, another embedding).")
@click.option("--wait", type=click.FloatRange(min=0), default=60, show_default=True,
              help="Seconds to wait while another drafter index writes the same folder.")
@click.option("--force", "force", multiple=True,
              help="Index this file even if it does not look like a report (no title, budget figures or "
                   "template sections; repeatable).")
def index_cmd(paths, index_dir, chroma_url, embedding, remove, stats, rebuild, wait, force):
    """Index past reports (files or folders) for retrieval and copy detection."""
    from contextlib import nullcontext

    from drafter.config import load_config
    from drafter.corpus.lock import writing

    paths = (*paths, *(f for f in force if f not in paths))
    if not (paths or remove or stats):
        fail("请给出要建立索引的报告文件或文件夹，或用 --remove FILE、--stats")
        sys.exit(2)
    config = load_config(index=index_dir, chroma_url=chroma_url, embedding=embedding)
    # one writer at a time per folder, from the wipe to the last write
    writes = paths or remove or rebuild
    lock = writing(config.index, wait, _waiting(config.index)) if writes and not config.chroma_url else nullcontext()
    with lock:
        _index(config, paths, remove, stats, rebuild, wait, force)


def _waiting(folder):
    return lambda who: out.print(f"{folder}: 另一个 drafter index 正在写入（{who}），等待它结束……", highlight=False)


def _index(config, paths, remove, stats, rebuild, wait, force):
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from drafter.corpus.index import CorpusIndex, wipe
    from drafter.documents.load import expand

    if rebuild:
        wipe(config)
    idx = CorpusIndex(config)
    idx.wait = wait
    if paths or remove:
        repaired = idx.ensure_vectors()
        if repaired:
            out.print(f"{idx.where}: 补写了 {repaired} 个缺失的向量（此前有进程同时写入，或向量文件受损）")
    results = [idx.remove(f) for f in remove]
    found, _, unusable = expand(paths)
    files = [Path(f) for f in found]
    missing = [str(f) for f in files if not f.exists()]
    for m in missing:
        fail(f"{m}: 找不到这个文件")
    for exc in unusable:
        fail(str(exc))
    files = [f for f in files if f.exists()]
    if files:
        with Progress(TextColumn("[bold]索引"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeRemainingColumn(), console=out, transient=True, disable=len(files) < 3) as bar:
            task = bar.add_task("", total=len(files))

            def advance(r):
                bar.update(task, description=Path(r.path).name[:40])
                bar.advance(task)

            results.extend(idx.add_many(files, advance, force=force))
    if results:
        statuses = ("added", "replaced", "unchanged", "removed", "ignored", "skipped")
        counts = {k: sum(1 for r in results if r.status == k) for k in statuses}
        chunks = sum(r.chunks for r in results if r.status in ("added", "replaced"))
        shown = "，".join(f"{k} {v}" for k, v in counts.items() if v)
        out.print(f"{idx.where}: {shown}；新写入 {chunks} 个片段")
        for r in results:
            if r.status in ("skipped", "ignored"):
                out.print(f"  [yellow]{r.status}[/] {escape(r.path)}: {escape(r.reason)}", highlight=False,
                          soft_wrap=True)
    if stats:
        st = idx.stats()
        out.print(f"{st['where']}  embedding {st['embedding']}  files {st['files']}  reports {st['reports']}  "
                  f"chunks {st['chunks']}  "
                  f"units {st['units']}  years {', '.join(map(str, st['years'])) or '-'}")
        table = Table("unit", "project", "year", "chunks")
        table.add_column("file", overflow="fold")  # the whole path, wrapped: its end names the file
        for src, f in sorted(st["by_file"].items()):
            table.add_row(f["unit"], f["project"], str(f["year"] or ""), str(f["chunks"]), _shown_path(src))
        out.print(table)
        lost = idx.missing_vectors()
        if lost:
            out.print(f"[yellow]缺少向量的片段：{len(lost)} 个[/]（检索会漏掉它们）：再运行一次 "
                      f"drafter index 报告文件夹 --index {idx.where} 会补写", highlight=False)
    sys.exit(2 if missing or unusable or any(r.status == "skipped" for r in results) else 0)


def _shown_path(path: str) -> str:
    """A path relative to the working directory when it is under it, else as it is."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path
