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
@click.option("--unit", help="The unit's name, when the report does not give it (项目单位).")
@click.option("--project", help="The project's name, when the report does not give it (项目名称).")
@click.option("--year", type=click.IntRange(1990, 2100), help="The report's year, when it does not say.")
def facts_extract(report, output, unit, project, year):
    """Extract the figures and bullet points of an existing report into a facts file. What the
    report does not give is written as 【待补充】 for you to fill in."""
    from drafter.facts.io import extract_data

    data, missing = extract_data(report, unit=unit, project=project, year=year)
    _write_data(data, output)
    if missing:
        click.echo(f"{report}: 待补充 {len(missing)} 处（报告中没有找到：{'、'.join(missing)}），"
                   "请在 facts 文件中填写，或用 --unit/--project/--year 给出", err=True)


@facts_group.command(name="schema")
def facts_schema():
    """Print the JSON Schema of a facts file (for editors: YAML and JSON language servers)."""
    import json

    from drafter.facts.model import facts_json_schema

    click.echo(json.dumps(facts_json_schema(), ensure_ascii=False, indent=2))


def _write_facts(facts, output: str | None) -> None:
    """The facts as YAML, to ``output`` or to stdout."""
    from drafter.facts.io import facts_to_data

    _write_data(facts_to_data(facts), output)


def _write_data(data: dict, output: str | None) -> None:
    from drafter.facts.io import data_text, dump_data

    if output:
        dump_data(data, output)
    else:
        click.echo(data_text(data, "yaml"), nl=False)
