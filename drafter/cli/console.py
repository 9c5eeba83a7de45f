"""Where the commands write: ``out`` (rich, stdout) for results, ``fail`` for one plain line
on stderr (never an API key: ``drafter.secrets.redact``)."""

from __future__ import annotations

import click
from rich.console import Console

from drafter.secrets import redact

out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=False)  # progress bars and notes, apart from the results


def fail(message: str) -> None:
    """One plain line on stderr (no markup: file names may contain brackets; no wrapping)."""
    click.echo(f"drafter: {redact(message)}", err=True)

