"""A model's answer as a typed value: the JSON object in its reply, validated against a
pydantic model. Whatever does not fit is an error the caller records as a failed check, never
an empty answer."""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def typed_reply(raw: str | None, schema: type[M]) -> M:
    """The JSON object of ``raw`` (models like to wrap it in a code fence or a sentence) as a
    ``schema``; ``ValueError`` when there is none, pydantic's ``ValidationError`` when it does
    not fit."""
    m = re.search(r"\{.*\}", raw or "", re.S)
    if not m:
        raise ValueError("no JSON object")
    return schema.model_validate_json(m.group(0))
