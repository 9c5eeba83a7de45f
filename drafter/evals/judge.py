"""An optional LLM judge (G-Eval style rubric in ``prompts/<v>/judge.yml``): fluency and 公文
register of a draft, 1–5 each, as a typed verdict. Model-judged, off by default; a call or an
answer that fails is recorded as a failure, never as a score."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from drafter.errors import DrafterError
from drafter.llm.replies import typed_reply
from drafter.secrets import redact


class Judgement(BaseModel):
    fluency: int = Field(ge=1, le=5)
    formality: int = Field(ge=1, le=5, alias="register")  # 公文语体 ("register" in the JSON)
    reason: str = ""


def judge_draft(call, prompt, draft: str, limit: int = 12000) -> dict:
    """``{"judge_fluency": 4, "judge_register": 5, "judge_reason": …}``, or
    ``{"judge_error": …}`` when the call or its answer fails."""
    system, user = prompt.render(draft=draft[:limit])
    try:
        raw = call(system, user)
    except DrafterError as exc:
        return {"judge_error": redact(f"模型调用失败（{exc}）")}
    try:
        j = typed_reply(raw, Judgement)
    except (ValidationError, ValueError) as exc:
        return {"judge_error": f"{exc.__class__.__name__}: 评分输出不是约定的 JSON"}
    return {"judge_fluency": j.fluency, "judge_register": j.formality, "judge_reason": j.reason}
