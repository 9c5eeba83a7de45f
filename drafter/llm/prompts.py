"""Prompt templates are files (``prompts/<version>/<name>.yml``) with a schema: system,
prompt, defaults, expected output. A missing variable is an error naming it."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import DrafterError

PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"


class Prompt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: int
    system: str
    prompt: str
    defaults: dict[str, str] = {}
    expected_output: str = ""
    path: str = ""

    def variables(self) -> set[str]:
        return {f for text in (self.system, self.prompt) for _, f, _, _ in string.Formatter().parse(text) if f}

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) messages with every variable filled."""
        merged = {**self.defaults, **{k: v for k, v in values.items() if v is not None}}
        missing = sorted(self.variables() - set(merged))
        if missing:
            raise DrafterError(f"{self.path or self.name}: prompt variable(s) not given: {', '.join(missing)}")
        return self.system.format(**merged), self.prompt.format(**merged)


def load_prompt(name: str, folder: str | Path | None = None) -> Prompt:
    folder = Path(folder) if folder else PROMPTS_DIR / "v1"
    path = folder / f"{name}.yml"
    if not path.is_file():
        raise DrafterError(f"{path}: prompt file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Prompt(**data, path=str(path))
    except (yaml.YAMLError, TypeError) as exc:
        raise DrafterError(f"{path}: not a valid prompt file ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise DrafterError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
