"""``drafter rules``: the rules in force, as a table that fits the terminal (id and category
are never cut; a long message template ends in …) or as JSON for tools."""

from __future__ import annotations

import json

import click

from drafter.cli.console import out

_MESSAGE_MIN = 24  # columns


def rule_rows() -> list[dict]:
    """One dict per rule in force: what a tool needs to know about it."""
    from drafter.review.registry import load_rules

    return [{"id": r.id, "category": r.category, "level": r.level.value, "extends": r.extends,
             "stage": r.stage, "message": r.message, "link": r.link} for r in load_rules()]


@click.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
              help="rich: a table for the terminal; json: a list for tools.")
def list_rules(fmt: str):
    """List the rules in force."""
    rows = rule_rows()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.box import SIMPLE_HEAD
    from rich.table import Table

    # id, category and level are never cut: each column is as wide as its longest value; the
    # rule type is shown where the message still gets _MESSAGE_MIN columns, and the message
    # template takes the rest (cut with …: --format json has it in full)
    names = ["id", "category", "level", "extends"]
    widths = {n: max([len(n), *(len(r[n]) for r in rows)]) for n in names}
    widths = {n: w + 3 for n, w in widths.items()}  # a column's width counts its padding and rule

    def rest() -> int:  # what the message gets
        return out.width - sum(widths[n] for n in names)

    if rest() < _MESSAGE_MIN:
        names.remove("extends")
    table = Table(box=SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in names:
        table.add_column(name, no_wrap=True, overflow="fold", width=widths[name])
    table.add_column("message", no_wrap=True, overflow="ellipsis", width=max(_MESSAGE_MIN, rest()))
    for r in rows:
        table.add_row(*(r[n] for n in names), r["message"])
    out.print(table)
