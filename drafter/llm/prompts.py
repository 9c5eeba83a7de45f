"""Prompt templates are files (``<folder>/<name>.yml``) with a schema: system, prompt, defaults,
expected output. A missing variable is an error naming it.

The built-in versions ship inside the package (``drafter/data/prompts/<version>/``), so an
installed drafter finds them wherever it runs. A prompt folder given by the user (``--prompts``,
a suite's ``prompts:``) that exists is that folder; otherwise a bare version name (``v1``) or the
path the versions had before they moved into the package (``prompts/v1``) is the built-in
version."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import DrafterError
from drafter.resources import DATA
from drafter.safeload import load_yaml

PROMPTS_DIR = DATA / "prompts"
DEFAULT_VERSION = "v1"


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


def prompt_folder(value: str | Path | None = None) -> Path:
    """The folder a prompt-folder value names (see the module's docstring); raises when it is
    neither an existing folder nor a built-in version."""
    if not value:
        return PROMPTS_DIR / DEFAULT_VERSION
    folder = Path(value)
    if folder.is_dir():
        return folder
    parts = folder.parts
    if len(parts) == 1 or (len(parts) == 2 and parts[0] == "prompts"):
        builtin = PROMPTS_DIR / parts[-1]
        if builtin.is_dir():
            return builtin
    versions = ", ".join(sorted(p.name for p in PROMPTS_DIR.glob("*") if p.is_dir())) or "none"
    raise DrafterError(f"{value}: prompt folder not found (built-in versions: {versions})")


def load_prompt(name: str, folder: str | Path | None = None) -> Prompt:
    path = prompt_folder(folder) / f"{name}.yml"
    if not path.is_file():
        raise DrafterError(f"{path}: prompt file not found")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), str(path))
        return Prompt(**data, path=str(path))
    except (yaml.YAMLError, TypeError) as exc:
        raise DrafterError(f"{path}: not a valid prompt file ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise DrafterError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
