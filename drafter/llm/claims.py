"""The LLM claim check: outcome statements of a report put to a model, which answers with a
typed verdict per statement (is it an outcome claim, is it supported by figures or evidence in
the report or the facts). The report is data: it goes in the user message as numbered quoted
statements, never into the instructions, and the model's answer can only add findings.

A model answer that is not valid JSON of the expected shape is itself a finding (the check
failed), never a silent "no findings"."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.analysis.view import Analysis, Sentence
from drafter.corpus.embed import sentence_form
from drafter.errors import DrafterError
from drafter.llm.replies import typed_reply
from drafter.secrets import redact

_OUTCOME = re.compile(r"提升|提高|改善|增强|降低|减少|节约|节省|缩短|满意|"
                      r"效率|效益|效果|成效|好评|认可|便捷|便利|保障|实现")
BATCH = 30


class Verdict(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    is_claim: bool
    supported: bool
    reason: str = ""


class Verdicts(BaseModel):
    model_config = ConfigDict(extra="ignore")
    items: list[Verdict]


@dataclass
class ClaimResult:
    sentence: Sentence
    verdict: Verdict


@dataclass
class CheckFailure:
    start: int
    end: int
    problem: str


class ClaimChecker:
    """Computed once per reviewed report when the review has a model."""

    def __init__(self, call, prompt, model_name: str = "", facts_text: str = "") -> None:
        self.call = call  # (system, user) -> str
        self.prompt = prompt
        self.model_name = model_name
        self.facts_text = facts_text

    def statements(self, a: Analysis) -> list[Sentence]:
        return [s for s in a.sentences if _OUTCOME.search(s.text) and len(sentence_form(s.text)) >= 8]

    def run(self, a: Analysis) -> tuple[list[ClaimResult], list[CheckFailure]]:
        statements = self.statements(a)
        evidence = "；".join(f.text for f in a.figures[:200]) or "（报告中没有数字）"
        if self.facts_text:
            evidence += "\n事实文件：" + self.facts_text[:4000]
        results, failures = [], []
        for i in range(0, len(statements), BATCH):
            batch = statements[i : i + BATCH]
            listed = "\n".join(f"{n}. {json.dumps(s.text, ensure_ascii=False)}" for n, s in enumerate(batch, 1))
            system, user = self.prompt.render(statements=listed, evidence=evidence)
            user += ('\n只输出 JSON：{"items": [{"id": 句子编号, "is_claim": true/false, "supported": true/false, '
                     '"reason": "理由"}]}')
            try:
                raw = self.call(system, user)
            except DrafterError as exc:
                failures.append(CheckFailure(batch[0].start, batch[-1].end, redact(f"模型调用失败（{exc}）")))
                continue
            try:
                verdicts = typed_reply(raw, Verdicts)
            except (ValidationError, ValueError) as exc:
                failures.append(CheckFailure(batch[0].start, batch[-1].end,
                                             f"{exc.__class__.__name__}: 模型输出不是约定的 JSON"))
                continue
            by_id = {v.id: v for v in verdicts.items if 1 <= v.id <= len(batch)}
            missing = [n for n in range(1, len(batch) + 1) if n not in by_id]
            if missing:
                failures.append(CheckFailure(batch[0].start, batch[-1].end,
                                             f"模型漏判了第 {', '.join(map(str, missing))} 句"))
            results.extend(ClaimResult(batch[n - 1], v) for n, v in sorted(by_id.items()))
        return results, failures


def claim_checker(endpoint, *, facts_text: str = "", prompts_dir: str | None = None,
                  cache_dir: str | None = None) -> ClaimChecker:
    """The claim check through a configured endpoint (``drafter.llm.chat.endpoint_from_env``), its
    calls cached on disk when ``cache_dir`` is given: what ``review --llm`` and the web page's
    model check use."""
    from drafter.llm import chat
    from drafter.llm.prompts import load_prompt

    call = chat.build_chat(endpoint, cache_dir, purpose="claims")
    return ClaimChecker(call, load_prompt("claim_check", prompts_dir), model_name=endpoint.model, facts_text=facts_text)
