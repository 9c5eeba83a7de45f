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
def index_cmd(paths, index_dir, chroma_url, embedding, remove, stats, rebuild):
    """Index past reports (files or folders) for retrieval and copy detection."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from drafter.config import load_config
    from drafter.corpus.index import CorpusIndex, wipe
    from drafter.documents.load import expand

    if not (paths or remove or stats):
        fail("give report files or folders to index, --remove FILE, or --stats")
        sys.exit(2)
    config = load_config(index=index_dir, chroma_url=chroma_url, embedding=embedding)
    if rebuild:
        wipe(config)
    idx = CorpusIndex(config)
    results = [idx.remove(f) for f in remove]
    found, _, unusable = expand(paths)
    files = [Path(f) for f in found]
    missing = [str(f) for f in files if not f.exists()]
    for m in missing:
        fail(f"{m}: no such file")
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

            results.extend(idx.add_many(files, advance))
    if results:
        statuses = ("added", "replaced", "unchanged", "removed", "skipped")
        counts = {k: sum(1 for r in results if r.status == k) for k in statuses}
        chunks = sum(r.chunks for r in results if r.status in ("added", "replaced"))
        shown = "，".join(f"{k} {v}" for k, v in counts.items() if v)
        out.print(f"{idx.where}: {shown}；新写入 {chunks} 个片段")
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
    sys.exit(2 if missing or unusable or any(r.status == "skipped" for r in results) else 0)


def _shown_path(path: str) -> str:
    """A path relative to the working directory when it is under it, else as it is."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path
