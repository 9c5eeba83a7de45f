"""``drafter draft``: a report from a facts file, offline or through a model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from drafter.cli.console import out
from drafter.cli.options import model_options, output_option, prompts_option
from drafter.errors import DrafterError


@click.command(name="draft")
@click.argument("facts_file", type=click.Path())
@click.option("--template", help="Report structure (default: the facts' template).")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default="offline", show_default=True)
@model_options("--backend openai")
@click.option("--section", help="Draft one section only (its key like 二/（二）/1, or its title).")
@output_option("Write the draft to OUT.md or OUT.docx.")
@click.option("--runs", "runs_dir", default="runs", show_default=True, help="Where run artifacts go.")
@prompts_option()
@click.option("--jobs", type=int, default=4, show_default=True, help="Sections drafted at once (openai).")
@click.option("--cache", "cache_dir", default=".drafter/cache", show_default=True,
              help="Response cache folder (openai).")
def draft_cmd(facts_file, template, backend, model, base_url, endpoint, section, output, runs_dir, prompts_dir, jobs,
              cache_dir):
    """Draft a report from a facts file (YAML/JSON): every figure computed in code and checked."""
    from drafter.draft.pipeline import draft
    from drafter.facts.model import load_facts
    from drafter.review import printers as render

    if output and Path(output).suffix.lower() not in (".md", ".docx"):
        raise DrafterError(f"{output}: the output must end in .md or .docx")
    facts = load_facts(facts_file)
    call = None
    if backend == "openai":
        from drafter.llm import chat

        call = chat.build_chat(chat.endpoint_from_env(model, base_url, endpoint), cache_dir)
    result = draft(facts, template_id=template, model=call, backend=backend, prompts_dir=prompts_dir,
                   section=section, runs_dir=runs_dir, jobs=jobs)
    if output:
        if output.lower().endswith(".docx"):
            from drafter.documents.docx_write import markdown_to_docx

            markdown_to_docx(result.markdown, output)
        else:
            from drafter.files import write_text_atomic

            write_text_atomic(output, result.markdown)
    if result.notice:
        click.echo(result.notice, err=True)
    if not output:
        click.echo(result.markdown)
    else:
        out.print(f"写入 {output}（run {result.run_id}，{backend}）", highlight=False)
    for s in result.sections:
        if s.violations:
            out.print(f"[yellow]{s.plan.heading}[/]：{s.source}；" + "；".join(s.violations), highlight=False)
    if result.review is not None:
        render.print_rich([result.review], {result.review.file: result.markdown}, out)
    if result.placeholders:
        out.print(f"待补充 {result.placeholders} 处", highlight=False)
    sys.exit(0)
