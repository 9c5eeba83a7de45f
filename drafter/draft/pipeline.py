"""Drafting: facts in, a full report out. A row of stages with typed inputs and outputs:

    plan (``plan``: the template's sections) → per section (``stages``): compose (offline:
    deterministic sentences, ``compose``; openai: a chat model writing prose from the facts) →
    exemplars (retrieved from the index) → figure guard (``guard``: every figure must be a facts
    or derived figure; required figures present; on a violation the section is regenerated once
    with the findings, then replaced by the deterministic text) → assemble → review.

With ``runs_dir`` a run writes its artifacts under ``runs_dir/<id>/`` (facts, prompts sent, raw
outputs, draft, findings) so it can be inspected (``artifacts``); without it nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from drafter.analysis.templates import get_template
from drafter.draft.artifacts import new_run_id, write_run
from drafter.draft.compose import assemble, money, numbers_of
from drafter.draft.guard import allowed_of
from drafter.draft.plan import SectionDraft, normalize_key, plan_sections
from drafter.draft.stages import DraftContext, ModelCall, section_chain
from drafter.errors import DrafterError
from drafter.findings import ReviewResult
from drafter.text.figures import fmt

__all__ = ["Draft", "ModelCall", "draft"]


class Draft(BaseModel):
    run_id: str
    template: str
    backend: str
    notice: str = ""  # what the drafter decided for the user (a table-form template switched)
    sections: list[SectionDraft]
    markdown: str
    review: ReviewResult | None = None
    calls: int = 0
    prompt_chars: int = 0

    @property
    def placeholders(self) -> int:
        """The 【待补充…】 places left for the user."""
        from drafter.draft.artifacts import count_placeholders

        return count_placeholders(self.markdown)


def draft(facts, *, template_id: str | None = None, model: ModelCall | None = None,
          backend: str = "offline", prompts_dir: str | Path | None = None, retriever=None, section: str | None = None,
          runs_dir: str | Path | None = None, jobs: int = 4, review_draft: bool = True) -> Draft:
    """Draft a report. ``model`` is None for the offline composer; ``runs_dir``: where to write the
    run's artifacts (nothing is written without it)."""
    from drafter.documents.report import from_text
    from drafter.facts.derive import derive
    from drafter.llm.prompts import load_prompt
    from drafter.review.engine import review_chain
    from drafter.review.registry import load_rules

    derived = derive(facts)
    numbers, allowed = numbers_of(facts, derived), allowed_of(derived)
    template = get_template(template_id or facts.template)
    notice = ""
    if template.form != "sections":
        if template_id:
            raise DrafterError(f"模板 {template.id} 是自评表（表格）：起草只写分节的报告"
                               f"（用 --template 选择 {'、'.join(section_templates())}）")
        # facts imported from a 自评表 name the table's template: the report is drafted in the
        # default section template, and the user is told
        notice = (f"facts 的模板 {template.id} 是自评表（表格），报告按 {DEFAULT_SECTION_TEMPLATE} 起草；"
                  f"可用 --template 选择 {'、'.join(section_templates())}")
        template = get_template(DEFAULT_SECTION_TEMPLATE)
    plans = plan_sections(template)
    if section:
        key = normalize_key(section)
        chosen = [p for p in plans if p.key == key or p.heading.endswith(section) or p.title == section]
        if not chosen:
            raise DrafterError(f"模板 {template.id} 没有章节“{section}”；可用的章节：{'，'.join(p.key for p in plans)}")
        plans = chosen
    run_id = new_run_id()
    run = Path(runs_dir) / run_id if runs_dir is not None else None
    ctx = DraftContext(facts=facts, numbers=numbers, allowed=allowed, model=model, retriever=retriever)
    if model is not None:
        ctx.prompt = load_prompt("section", prompts_dir)
        ctx.figures_list = "、".join(sorted({*(money(a, numbers.unit) for a in allowed.amounts),
                                             *(f"{fmt(p)}%" for p in allowed.percents)}))
        ctx.guard_rules = load_rules(disable={"missing-section"})
    sections = section_chain(ctx).batch(plans, config={"max_concurrency": max(1, jobs) if model is not None else 1})
    markdown = assemble(facts, template, sections)
    result = None
    if review_draft:
        # the review chain checks the draft; a one-section draft is not missing the other sections
        rules = load_rules(disable={"missing-section"}) if section else None
        name = str(run / "draft.md") if run is not None else "draft.md"
        # it honours the markers the user wrote in the facts, never one that came from elsewhere
        result = review_chain(rules=rules, trusted_markers="\n".join(derived.texts)).invoke(
            from_text(markdown, path=name))
    if run is not None:
        write_run(run, facts=facts, sections=sections, markdown=markdown, result=result)
    return Draft(run_id=run_id, template=template.id, backend=backend, notice=notice, sections=sections,
                 markdown=markdown, review=result)


DEFAULT_SECTION_TEMPLATE = "gd-annex5"


def section_templates() -> list[str]:
    """The ids of the templates a report can be drafted in (form: sections)."""
    from drafter.analysis.templates import load_templates

    return sorted(t.id for t in load_templates().values() if t.form == "sections")
