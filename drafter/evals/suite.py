"""An eval suite is data: cases (reference reports with their facts and hand-labelled
defects), the defects to inject, the variants to compare (prompt folder × backend), and the
assertions that gate a run.

    name: default
    references: ["evals/references/*.md"]           # each with <name>.facts.yaml beside it
    excerpts: ["../shared/real-dev/batch-*"]        # folders of labelled real excerpts (NN.json)
    cases:                                          # or listed one by one
      - {id: gd-zwxt, report: corpus/gd-2023-zwxt-gl.md, facts: examples/facts-zwxt.yaml,
         labels: evals/labels/gd-2023-zwxt-gl.yaml}
    inject: {seed: 7}
    variants: [{name: offline, backend: offline, prompts: v1}]  # a folder, or a built-in version
    assertions:
      - {metric: review.figures.recall, min: 0.95}

Paths are relative to the folder the run starts in (the repository), like the CLI's.
"""

from __future__ import annotations

import glob
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from drafter.errors import InputError
from drafter.evals.inject import KINDS, Label
from drafter.safeload import load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelSpec(_Strict):
    """A hand label: the quoted text (its ``nth`` occurrence, from 1) and its category."""

    category: str
    quote: str
    reason: str
    nth: int = 1
    accept: list[str] = []


class Case(_Strict):
    id: str
    report: str
    facts: str | None = None
    labels: str | None = None  # a YAML list of LabelSpec


class Inject(_Strict):
    seed: int = 7
    kinds: list[str] = list(KINDS)

    @model_validator(mode="after")
    def _known(self):
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"没有这些注入类型：{'、'.join(unknown)}；可用的有：{'、'.join(KINDS)}")
        return self


class Variant(_Strict):
    name: str
    backend: str = "offline"  # offline | openai (model/base URL from the environment) | endpoint:NAME
    prompts: str = "v1"  # a prompt folder, or a built-in version (drafter.llm.prompts.prompt_folder)
    model: str | None = None
    base_url: str | None = None
    # the variant's reviews also ask its model to judge each outcome claim (review --llm),
    # with the prompt folder's claim_check prompt
    claim_check: bool = False

    @model_validator(mode="after")
    def _claims_need_a_model(self):
        if self.claim_check and self.backend == "offline":
            raise ValueError(
                f"variant {self.name}：claim_check 需要模型后端（openai 或 endpoint:NAME），不能是 offline")
        return self


class JudgeSpec(_Strict):
    """The model that judges drafts' fluency and register (optional, model-judged)."""

    backend: str = "openai"  # openai (model/base URL from the environment) | endpoint:NAME
    model: str | None = None
    base_url: str | None = None
    prompts: str = "v1"  # a prompt folder, or a built-in version (drafter.llm.prompts.prompt_folder)


class Assertion(_Strict):
    """A threshold on an aggregate metric (``review.figures.recall``, ``draft.chrf``…) of
    every variant (or of one)."""

    metric: str
    min: float | None = None
    max: float | None = None
    variant: str | None = None

    @model_validator(mode="after")
    def _bound(self):
        if self.min is None and self.max is None:
            raise ValueError(f"对 {self.metric} 的断言需要 min 或 max")
        return self


class Suite(_Strict):
    name: str
    description: str = ""
    references: list[str] = []
    cases: list[Case] = []
    # labelled excerpts of real reports (drafter.evals.excerpts): folders or files of NN.json
    excerpts: list[str] = []
    inject: Inject = Inject()
    review: bool = True
    draft: bool = True
    variants: list[Variant] = [Variant(name="offline")]
    judge: JudgeSpec | None = None  # an LLM judge of the drafts (off by default)
    assertions: list[Assertion] = []
    path: str = ""

    def all_cases(self) -> list[Case]:
        out = list(self.cases)
        seen = {c.id for c in out}
        for pattern in self.references:
            for p in sorted(glob.glob(pattern)):
                path = Path(p)
                if path.name.lower() == "readme.md" or path.name.endswith(".facts.yaml"):
                    continue
                facts = path.with_name(path.stem + ".facts.yaml")
                labels = path.with_name(path.stem + ".labels.yaml")
                if path.stem in seen:
                    continue
                seen.add(path.stem)
                out.append(Case(id=path.stem, report=str(path), facts=str(facts) if facts.exists() else None,
                                labels=str(labels) if labels.exists() else None))
        return out


def load_suite(path: str | Path) -> Suite:
    p = Path(path)
    try:
        data = load_yaml(p.read_text(encoding="utf-8"), str(p))
    except OSError as exc:
        raise InputError(str(p), f"无法读取评测套件（{exc.strerror or exc}）") from None
    except yaml.YAMLError as exc:
        raise InputError(str(p), f"不是有效的 YAML（{exc.__class__.__name__}）") from None
    if not isinstance(data, dict):
        raise InputError(str(p), "评测套件须为映射，含 name、cases/references、variants、assertions")
    try:
        suite = Suite(**data, path=str(p))
    except ValidationError as exc:
        from drafter.facts.problems import describe_error

        raise InputError(str(p), describe_error(exc.errors()[0])) from None
    names = [v.name for v in suite.variants]
    if len(set(names)) != len(names):
        raise InputError(str(p), f"variants 的 name 不能重复：{'、'.join(names)}")
    if not suite.all_cases() and not suite.excerpts:
        raise InputError(str(p), "评测套件没有用例（references 没有匹配到文件，cases 为空）")
    if suite.excerpts:
        from drafter.evals.excerpts import excerpt_files

        if not excerpt_files(suite.excerpts):
            raise InputError(str(p), f"excerpts：{'、'.join(suite.excerpts)} 中没有 NN.json 文件（路径相对于"
                                     "运行时所在的文件夹）")
    for c in suite.all_cases():
        for f in (c.report, c.facts, c.labels):
            if f and not Path(f).exists():
                raise InputError(str(p), f"用例 {c.id}：{f} 不存在")
    return suite


def load_labels(case: Case, text: str) -> list[Label]:
    """A case's hand labels, located in the report text by their quotes."""
    if not case.labels:
        return []
    try:
        raw = load_yaml(Path(case.labels).read_text(encoding="utf-8"), case.labels) or []
        specs = [LabelSpec(**x) for x in raw]
    except (yaml.YAMLError, TypeError, ValidationError) as exc:
        raise InputError(case.labels,
                         f"标注须为 {{category, quote, reason}} 的列表（{exc.__class__.__name__}）") from None
    out = []
    for s in specs:
        pos = -1
        for _ in range(s.nth):
            pos = text.find(s.quote, pos + 1)
            if pos < 0:
                raise InputError(case.labels, f"在 {case.report} 中找不到引文（第 {s.nth} 处）：{s.quote[:40]}")
        out.append(Label(category=s.category, start=pos, end=pos + len(s.quote), reason=s.reason, accept=s.accept))
    return out
