"""The thin command line: parse arguments, call the library, render. One module per command
(review, index, draft, facts, serve, eval, rules); the options several commands share are
declared once in ``options``.

Errors have one boundary, ``DrafterGroup.invoke``: a ``DrafterError`` raised in any command
becomes one line on stderr (``drafter: message``) and exit code 2; ``--debug`` re-raises it."""

from __future__ import annotations

import click

from drafter.cli.console import fail
from drafter.errors import DrafterError


class DrafterGroup(click.Group):
    """The top-level group: turns a ``DrafterError`` from any command (or sub-group) into one
    line on stderr and exit code 2, unless ``--debug`` was given."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DrafterError as exc:
            if ctx.params.get("debug"):
                raise
            fail(str(exc))
            ctx.exit(2)


@click.group(cls=DrafterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """drafter: review and draft 财政支出项目绩效自评报告, offline by default."""
    from drafter.secrets import redact_logs

    redact_logs()  # no log line of this process shows an API key
    ctx.obj = {"debug": debug}


def _register() -> None:
    from drafter.cli import draft, eval, facts, index, review, rules, serve

    for command in (review.review, index.index_cmd, draft.draft_cmd, facts.facts_group, serve.serve_cmd,
                    eval.eval_group, rules.list_rules):
        main.add_command(command)


_register()
