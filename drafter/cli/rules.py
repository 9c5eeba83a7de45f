"""``drafter rules``: the rules in force."""

from __future__ import annotations

import click

from drafter.cli.console import out


@click.command(name="rules")
def list_rules():
    """List the rules in force."""
    from rich.table import Table

    from drafter.review.registry import load_rules

    table = Table("id", "type", "category", "level", "message")
    for r in load_rules():
        table.add_row(r.id, r.extends, r.category, r.level.value, r.message)
    out.print(table)
