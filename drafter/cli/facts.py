"""``drafter facts import`` and ``drafter facts extract``: facts files from a 自评表 .xlsx or
from last year's report."""

from __future__ import annotations

import click

from drafter.cli.options import output_option

_OUTPUT_HELP = "Write the facts YAML here (default: stdout)."


@click.group(name="facts")
def facts_group():
    """Facts files: import a 自评表 .xlsx, or extract facts from last year's report."""


@facts_group.command(name="import")
@click.argument("table", type=click.Path())
@output_option(_OUTPUT_HELP)
def facts_import(table, output):
    """Read a national-format 项目支出绩效自评表 (.xlsx) into a facts file."""
    from drafter.facts.io import import_table

    _write_facts(import_table(table), output)


@facts_group.command(name="extract")
@click.argument("report", type=click.Path())
@output_option(_OUTPUT_HELP)
def facts_extract(report, output):
    """Extract the figures and bullet points of an existing report into a facts file."""
    from drafter.facts.io import extract_facts

    _write_facts(extract_facts(report), output)


def _write_facts(facts, output: str | None) -> None:
    """The facts as YAML, to ``output`` or to stdout."""
    import tempfile
    from pathlib import Path

    from drafter.facts.io import dump_facts

    if output:
        dump_facts(facts, output)
        return
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "facts.yaml"
        dump_facts(facts, p)
        click.echo(p.read_text(encoding="utf-8"), nl=False)
