"""The stages of one section's draft, each a module-level function of a typed state, so each can
be called and tested alone: compose (the deterministic text) → exemplars (retrieved passages of
the same section kind) → generate (the model) → guard (the answer stripped of markers and
headings, ``sanitise``; figures checked; one retry with the problems; then the deterministic
text). ``section_chain`` joins them as a LangChain runnable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from pydantic import BaseModel

from drafter.draft import guard, sanitise
from drafter.draft.compose import Numbers, compose_parts, required
from drafter.draft.plan import SectionDraft, SectionPlan

ModelCall = Callable[[str, str], str]


class SectionState(BaseModel):
    """What flows between a section's stages."""

    plan: SectionPlan
    offline: str
    tables: str = ""  # the program's tables, appended after a model's prose as composed
    must: list[str] = []
    exemplars: str = ""
    prompt: str = ""
    raw: list[str] = []

    offline_only: bool = False

    @property
    def done(self) -> bool:
        """Sections the program writes itself: placeholders, tables, and everything offline."""
        return (self.offline_only or not self.plan.kind or self.plan.kind == "uses"
                or self.offline.startswith("【待补充") or not self.prose)

    @property
    def prose(self) -> str:
        """The composed text without its tables: what a model may rewrite."""
        return self.offline[: len(self.offline) - len(self.tables)].rstrip() if self.tables else self.offline


@dataclass
class DraftContext:
    """What every section's stages share: the facts, the figures computed from them, the figures
    a section may carry, and the model, prompt, retriever and guard rules when there are."""

    facts: object
    numbers: Numbers
    allowed: guard.Allowed
    model: ModelCall | None = None
    prompt: object = None  # a drafter.llm.prompts.Prompt
    figures_list: str = ""
    retriever: object = None
    guard_rules: list = field(default_factory=list)


def stage_compose(ctx: DraftContext, plan: SectionPlan) -> SectionState:
    prose, tables = compose_parts(plan, ctx.facts, ctx.numbers)
    return SectionState(plan=plan, offline="\n\n".join(x for x in (prose, tables) if x), tables=tables,
                        must=required(plan, ctx.numbers, ctx.numbers.unit), offline_only=ctx.model is None)


def stage_exemplars(ctx: DraftContext, st: SectionState) -> SectionState:
    if st.done or ctx.retriever is None:
        return st
    # exemplars of the same section type, from similar projects
    r = ctx.retriever
    r = r.model_copy(update={"section_kind": st.plan.kind}) if "section_kind" in type(r).model_fields else r
    docs = r.invoke(f"{ctx.facts.project.name} {st.plan.title}")
    return st.model_copy(update={"exemplars": "\n---\n".join(d.page_content for d in docs[:2])})


def render(ctx: DraftContext, st: SectionState, feedback: str | None = None) -> tuple[str, str]:
    """The (system, user) messages for one section."""
    facts = ctx.facts
    return ctx.prompt.render(project=facts.project.name, year=str(facts.year), section_title=st.plan.title,
                             figures=ctx.figures_list or "（无）", facts=st.prose, exemplars=st.exemplars or None,
                             feedback=feedback)


def stage_generate(ctx: DraftContext, st: SectionState) -> SectionState:
    if st.done:
        return st
    system, user = render(ctx, st)
    return st.model_copy(update={"prompt": user, "raw": [ctx.model(system, user)]})


def stage_guard(ctx: DraftContext, st: SectionState) -> SectionDraft:
    if st.done:
        return SectionDraft(plan=st.plan, text=st.offline, source="offline")
    # the model's answer is data: no marker, comment or heading of it reaches the check or the draft
    first = sanitise.model_text(st.raw[0])
    problems = guard.check(first, ctx.allowed, st.must, st.plan, ctx.guard_rules)
    if not problems:
        return SectionDraft(plan=st.plan, text=_with_tables(first, st), source="model", exemplars=st.exemplars,
                            prompt=st.prompt, raw=st.raw)
    system, user = render(ctx, st, "上一稿有以下问题，请改正后重写：\n" + "\n".join(f"- {p}" for p in problems))
    raw = [*st.raw, ctx.model(system, user)]
    second = sanitise.model_text(raw[1])
    again = guard.check(second, ctx.allowed, st.must, st.plan, ctx.guard_rules)
    if not again:
        return SectionDraft(plan=st.plan, text=_with_tables(second, st), source="model-retried", violations=problems,
                            exemplars=st.exemplars, prompt=user, raw=raw)
    return SectionDraft(plan=st.plan, text=_with_tables(guard.replace_offending(second, st.prose, ctx.allowed), st),
                        source="offline-fallback", violations=problems + again, exemplars=st.exemplars,
                        prompt=user, raw=raw)


def _with_tables(text: str, st: SectionState) -> str:
    return "\n\n".join(x for x in (text.strip(), st.tables) if x)


def section_chain(ctx: DraftContext):
    """compose | exemplars | generate | guard, as an LCEL runnable sequence."""
    from langchain_core.runnables import RunnableLambda

    stages = (stage_compose, stage_exemplars, stage_generate, stage_guard)
    first, *rest = (RunnableLambda(partial(s, ctx)) for s in stages)
    for r in rest:
        first = first | r
    return first
