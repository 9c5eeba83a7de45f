"""``drafter eval``: run an eval suite (``drafter eval SUITE.yaml [options]``, the same as
``drafter eval run SUITE.yaml``), or compare two runs (``drafter eval compare RUN_A RUN_B``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from drafter.cli.console import out
from drafter.cli.options import disable_option, model_options, prompts_option
from drafter.errors import DrafterError, InputError


class SuiteOrCommand(click.Group):
    """A group whose first argument, when it names none of its commands, is the argument of
    the default command: ``drafter eval SUITE.yaml`` is ``drafter eval run SUITE.yaml``."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


_out_option = click.option("--out", "out_dir", default="evals/results", show_default=True,
                           help="Where runs are written (a run id names a folder there).")


@click.group(name="eval", cls=SuiteOrCommand, options_metavar="",
             subcommand_metavar="SUITE.yaml [OPTIONS] | compare RUN_A RUN_B")
def eval_group():
    """Score review and drafting against reference reports.

    \b
    drafter eval SUITE.yaml [OPTIONS]   run a suite (exit 1 when an assertion fails)
    drafter eval compare RUN_A RUN_B    compare two runs
    """


@eval_group.command(name="run")
@click.argument("suite_file", metavar="SUITE.yaml")
@prompts_option(repeatable=True)
@click.option("--backend", "backends", multiple=True,
              help="offline, openai or endpoint:NAME (repeatable; crossed with --prompts).")
@model_options("--backend openai", endpoint=False)
@click.option("--jobs", type=int, default=2, show_default=True, help="Cases run at once (model calls overlap).")
@click.option("--run-id", help="Name the run; an existing run of that id continues where it stopped.")
@_out_option
@disable_option(" for this run")
@click.option("--judge", is_flag=True, help="Also have a model judge each draft's fluency and register (model-judged; "
              "the first non-offline --backend, else openai, with --model/--base-url).")
@click.option("--claim-check", is_flag=True, help="The model variants' reviews also let the model judge each outcome "
              "claim (review --llm, with each prompt folder's claim_check prompt).")
def run_cmd(suite_file, prompt_dirs, backends, model, base_url, jobs, run_id, out_dir, disable, judge, claim_check):
    """Run a suite (the default: drafter eval SUITE.yaml). Exit 1 when an assertion fails."""
    from drafter.evals import render as eval_render
    from drafter.evals.suite import Variant, load_suite
    from drafter.review.registry import load_rules

    suite = load_suite(suite_file)
    if prompt_dirs or backends:
        for d in prompt_dirs:
            if not Path(d).is_dir():
                raise InputError(d, "找不到这个提示词文件夹")
        suite.variants = [
            Variant(name=f"{Path(p).name}@{b}", backend=b, prompts=p, model=model, base_url=base_url,
                    claim_check=claim_check and b != "offline")
            for p in (prompt_dirs or ("prompts/v1",)) for b in (backends or ("offline",))
        ]
    elif claim_check:
        suite.variants = [v.model_copy(update={"claim_check": v.backend != "offline"}) for v in suite.variants]
    if claim_check and not any(v.claim_check for v in suite.variants):
        raise DrafterError("--claim-check 需要一个模型变体：请加上 --backend openai（或 endpoint:NAME）")
    if judge:
        from drafter.evals.suite import JudgeSpec

        backend = next((b for b in backends if b != "offline"), "openai")
        suite.judge = JudgeSpec(backend=backend, model=model, base_url=base_url)
    rules = load_rules()
    unknown = [r for r in disable if r not in {x.id for x in rules}]
    if unknown:
        raise DrafterError(f"--disable：没有规则 {'、'.join(unknown)}（drafter rules 列出全部规则）")
    rules = [r for r in rules if r.id not in disable]
    summary = eval_render.run_with_progress(suite, out_dir=out_dir, run_id=run_id, jobs=jobs, rules=rules)
    eval_render.print_summary(out, summary, Path(out_dir) / summary["run_id"])
    sys.exit(0 if summary["passed"] else 1)


@eval_group.command(name="compare")
@click.argument("run_a")
@click.argument("run_b")
@_out_option
def compare_cmd(run_a, run_b, out_dir):
    """Compare two runs (a run folder, its id under --out, or its results.json): the metrics
    side by side, and what one run found that the other missed."""
    from drafter.evals import render as eval_render
    from drafter.evals.compare import compare
    from drafter.evals.runner import load_results

    diff = compare(load_results(run_a, out_dir), load_results(run_b, out_dir))
    if not diff["pairs"]:
        raise DrafterError("两次运行没有同名的变体（也不是各只有一个变体）：无可比较")
    eval_render.print_compare(out, diff)
