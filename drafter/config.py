"""Configuration: command-line flags beat environment variables, which beat a config file
(``./drafter.yml``, else ``~/.config/drafter/drafter.yml`` or ``config.yml``, or the file named
by ``DRAFTER_CONFIG``), which beats the defaults.

The corpus index is found the way git finds its repository: ``--index``, else
``DRAFTER_INDEX``, else ``index:`` in ``./drafter.yml`` (or the ``DRAFTER_CONFIG`` file), else
the first ``.drafter/index`` of the working folder and its parents, else ``index:`` in the
user's config, else ``.drafter/index`` here (where ``drafter index`` creates one)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import DrafterError
from drafter.safeload import load_yaml

DEFAULT_INDEX = Path(".drafter") / "index"


class EndpointConfig(BaseModel):
    """A named OpenAI-compatible endpoint: ``endpoints: {qwen: {model: qwen-plus, base_url: …,
    api_key_env: DASHSCOPE_API_KEY}}``. Keys are never written in the file, only the name of the
    variable that holds one."""

    model_config = ConfigDict(extra="forbid")

    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    timeout: float = 60.0
    max_retries: int = 2


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: str = str(DEFAULT_INDEX)
    chroma_url: str | None = None
    embedding: str = "hash"
    endpoints: dict[str, EndpointConfig] = {}
    default_endpoint: str | None = None


_ENV = {"index": "DRAFTER_INDEX", "chroma_url": "DRAFTER_CHROMA_URL", "embedding": "DRAFTER_EMBEDDING"}


def user_config_paths() -> tuple[Path, ...]:
    folder = Path.home() / ".config" / "drafter"
    return folder / "drafter.yml", folder / "config.yml"


def config_path() -> Path | None:
    named = os.environ.get("DRAFTER_CONFIG")
    if named:
        return Path(named)
    for p in (Path("drafter.yml"), *user_config_paths()):
        if p.is_file():
            return p
    return None


def find_index(start: Path | None = None) -> Path | None:
    """The first ``.drafter/index`` folder of ``start`` (the working folder) and its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_INDEX
        if candidate.is_dir():
            return candidate
    return None


def load_config(**flags) -> Config:
    """The configuration in force; ``flags`` (None when not given) win over everything."""
    data: dict = {}
    path = config_path()
    if path is not None:
        try:
            loaded = load_yaml(path.read_text(encoding="utf-8"), str(path)) or {}
        except FileNotFoundError:
            raise DrafterError(f"{path}: 找不到配置文件") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DrafterError(f"{path}: 配置文件不是有效的 YAML（{exc.__class__.__name__}）") from None
        if not isinstance(loaded, dict):
            raise DrafterError(f"{path}: 配置文件须是 YAML 映射（键: 值）")
        data.update(loaded)
    for key, env in _ENV.items():
        if os.environ.get(env):
            data[key] = os.environ[env]
    data.update({k: v for k, v in flags.items() if v is not None})
    if "index" not in data or (path is not None and path in user_config_paths() and not _index_set(flags)):
        # no flag, variable or project config names the index: the working folder's or a
        # parent's .drafter/index comes before the user's config
        found = find_index()
        if found is not None:
            data["index"] = str(found) if found != Path.cwd().resolve() / DEFAULT_INDEX else str(DEFAULT_INDEX)
    try:
        return Config(**data)
    except ValidationError as exc:
        from drafter.facts.problems import describe_error

        raise DrafterError(f"{path or '配置'}: {describe_error(exc.errors()[0])}") from None


def _index_set(flags: dict) -> bool:
    return flags.get("index") is not None or bool(os.environ.get(_ENV["index"]))


def open_index(config: "Config", named: str | None = None):
    """The corpus index of ``config`` (a ``CorpusIndex``), or None when the configured local
    folder does not exist; a folder named by the user (``named``) that does not exist is an
    error."""
    from pathlib import Path

    from drafter.errors import DrafterError

    if not config.chroma_url and not Path(config.index).is_dir():
        if named:
            raise DrafterError(f"{named}: 这里没有索引（请先建立：drafter index PATH --index {named}）")
        return None
    from drafter.corpus.index import CorpusIndex

    return CorpusIndex(config)
