"""The model side's own pieces: the one chat-model builder (its cache key, no default key to
a custom URL) and the typed reading of a model's answer."""

import pytest
from pydantic import BaseModel, ValidationError

from drafter.llm import chat
from drafter.llm.replies import typed_reply

URL = "http://127.0.0.1:9/v1"


def test_the_builder_caches_under_the_endpoint_and_purpose(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-default-must-not-leak")
    ep = chat.Endpoint(model="scripted", base_url=URL)
    claims = chat.build_chat(ep, tmp_path, purpose="claims")
    drafts = chat.build_chat(ep)
    assert (claims.key, claims.cache_dir) == (f"{URL}|scripted|claims", tmp_path)
    assert (drafts.key, drafts.cache_dir) == (f"{URL}|scripted", None)
    assert claims.model.model_name == "scripted" and claims.model.openai_api_key.get_secret_value() == "not-needed"


class Score(BaseModel):
    score: int
    reason: str = ""


@pytest.mark.parametrize("raw, expected", [
    ('{"score": 4}', Score(score=4)),
    ('```json\n{"score": 5, "reason": "规范"}\n```', Score(score=5, reason="规范")),
    ('评分如下：{"score": 3}。', Score(score=3)),
])
def test_a_reply_is_read_as_its_json_object(raw, expected):
    assert typed_reply(raw, Score) == expected


@pytest.mark.parametrize("raw, error", [
    ("没有 JSON", ValueError), ("", ValueError), (None, ValueError),
    ('{"score": "高"}', ValidationError), ('{"reason": "x"}', ValidationError), ("{score: 4}", ValidationError),
])
def test_a_reply_that_does_not_fit_is_an_error(raw, error):
    with pytest.raises(error) as info:
        typed_reply(raw, Score)
    assert type(info.value) is error
