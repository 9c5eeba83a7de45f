"""Chat models: an OpenAI-compatible endpoint through LangChain's ChatOpenAI, configured by
environment variables or named endpoints in the config file, with an on-disk response cache.

The default OpenAI key (OPENAI_API_KEY) is only ever sent to OpenAI itself: a custom base URL
gets the key named for it (``api_key_env``) or none."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from drafter.config import EndpointConfig
from drafter.errors import DrafterError
from drafter.files import write_text_atomic
from drafter.secrets import redact, remember

# One endpoint model for the config file and the command line.
Endpoint = EndpointConfig


def endpoint_from_env(model: str | None = None, base_url: str | None = None, name: str | None = None) -> Endpoint:
    """A named endpoint of the config file (``--endpoint NAME``, else ``default_endpoint``), or
    DRAFTER_MODEL / DRAFTER_BASE_URL / DRAFTER_API_KEY_ENV; ``model``/``base_url`` override."""
    from drafter.config import load_config

    config = load_config()
    name = name or (None if model else config.default_endpoint)
    if name:
        if name not in config.endpoints:
            known = "、".join(sorted(config.endpoints)) or "未配置任何端点"
            raise DrafterError(f"配置文件中没有名为 {name} 的端点（已有：{known}）")
        return config.endpoints[name].model_copy(
            update={k: v for k, v in {"model": model, "base_url": base_url}.items() if v})
    model = model or os.environ.get("DRAFTER_MODEL")
    if not model:
        raise DrafterError("没有配置模型：请用 --model NAME，或设置 DRAFTER_MODEL"
                           "（本地服务另设 DRAFTER_BASE_URL）")
    return Endpoint(model=model, base_url=base_url or os.environ.get("DRAFTER_BASE_URL") or None,
                    api_key_env=os.environ.get("DRAFTER_API_KEY_ENV") or None,
                    timeout=float(os.environ.get("DRAFTER_TIMEOUT", "60")))


def api_key(ep: Endpoint) -> str:
    """The key sent to ``ep`` (remembered, so that no message shows it)."""
    if ep.api_key_env:
        return remember(os.environ.get(ep.api_key_env, "")) or ""
    if ep.base_url is None:
        return remember(os.environ.get("OPENAI_API_KEY", "")) or ""
    return ""  # a custom base URL never gets the default key


def chat_model(ep: Endpoint) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=ep.model, base_url=ep.base_url, api_key=api_key(ep) or "not-needed",
                      timeout=ep.timeout, max_retries=ep.max_retries, temperature=0)


def build_chat(ep: Endpoint, cache_dir: str | Path | None = None, *, purpose: str = "") -> CachedChat:
    """The one way drafter gets a chat model: ``ep``'s model through ChatOpenAI, its answers
    cached on disk under ``cache_dir`` (none when it is None). The cache key is the endpoint's
    base URL and model, and ``purpose`` when given (the claim check keeps its answers apart)."""
    key = f"{ep.base_url}|{ep.model}" + (f"|{purpose}" if purpose else "")
    return CachedChat(chat_model(ep), cache_dir, key=key)


class CachedChat:
    """Calls a chat model with (system, user) messages; identical calls are answered from an
    on-disk cache, so a re-run with the same inputs makes no calls."""

    def __init__(self, model: BaseChatModel, cache_dir: str | Path | None = None, key: str = "") -> None:
        self.model = model
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.key = key
        self.calls = 0
        self.prompt_chars = 0

    def _path(self, system: str, user: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(json.dumps([self.key, system, user], ensure_ascii=False).encode("utf-8")).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.json"

    def __call__(self, system: str, user: str) -> str:
        path = self._path(system, user)
        if path is not None and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))["text"]
        self.calls += 1
        self.prompt_chars += len(system) + len(user)
        try:
            reply = self.model.invoke([SystemMessage(system), HumanMessage(user)])
        except Exception as exc:  # openai/httpx raise many types: all mean "no answer"
            # an error body may echo the request's Authorization header: never the key
            raise DrafterError(redact(f"模型调用失败（{exc.__class__.__name__}: {redact(str(exc))[:200]}）")
                               ) from None
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        if path is not None:
            write_text_atomic(path, json.dumps({"text": text}, ensure_ascii=False))
        return text
