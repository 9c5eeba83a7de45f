"""Rules are data: one YAML file per rule, Vale-style. ``extends`` names the rule *type*, a
module of ``drafter.review.types`` found here by name; everything else is the rule's data,
validated by that type's parameter model so a misspelt key is an error naming the file.

The built-in rules (``drafter/data/rules``) are read once per process; extra ``--rules``
folders are read on every call."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import RuleError
from drafter.findings import Category, Level
from drafter.resources import DATA, RULES_DIR  # noqa: F401
from drafter.safeload import load_yaml

Stage = Literal["text", "corpus", "llm"]
STAGES: tuple[str, ...] = ("text", "corpus", "llm")  # in the order the review runs them
TYPES_PACKAGE = "drafter.review.types"


@dataclass(frozen=True)
class RuleType:
    name: str  # what a rule file ``extends``: the module's name
    stage: Stage  # text: check(rule, Analysis); corpus, llm: check(rule, ReviewContext)
    Params: type[BaseModel]
    check: Callable
    module: str


def discover(package: str = TYPES_PACKAGE) -> dict[str, RuleType]:
    """The rule types of ``package``: each module not starting with ``_`` is one type, named
    after the module. A module without ``STAGE``, ``Params`` or ``check`` is an error naming it."""
    pkg = importlib.import_module(package)
    types: dict[str, RuleType] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        types[info.name] = _rule_type(info.name, module)
    return types


def _rule_type(name: str, module) -> RuleType:
    where = getattr(module, "__file__", None) or module.__name__
    stage = getattr(module, "STAGE", None)
    if stage is None:
        raise RuleError(where, f"rule type {name!r} declares no STAGE: add STAGE = \"text\" (or \"corpus\", \"llm\")")
    if stage not in STAGES:
        raise RuleError(where, f"rule type {name!r} has STAGE = {stage!r}: use \"text\", \"corpus\" or \"llm\"")
    check = getattr(module, "check", None)
    if not callable(check):
        raise RuleError(where, f"rule type {name!r} declares no check(rule, analysis) function")
    params = getattr(module, "Params", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        raise RuleError(where, f"rule type {name!r} declares no Params model (EmptyParams when its rules set no keys)")
    return RuleType(name=name, stage=stage, Params=params, check=check, module=module.__name__)


RULE_TYPES: dict[str, RuleType] = discover()


class Rule(BaseModel):
    """A loaded rule. Frozen: the built-in rules are shared by every review of the process."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    id: str
    extends: str
    category: Category
    level: Level
    message: str
    link: str = ""
    reason: str = ""
    suggestion: str = ""
    params: Any = None  # the type's validated parameter model
    path: str = ""

    @property
    def type(self) -> RuleType:
        return RULE_TYPES[self.extends]

    @property
    def stage(self) -> Stage:
        return RULE_TYPES[self.extends].stage

    def say(self, **values: Any) -> str:
        """The rule's message with its placeholders filled."""
        try:
            return self.message.format(**values)
        except (KeyError, IndexError) as exc:
            raise RuleError(self.path, f"message 用了规则类型不提供的占位符：{exc}") from None


_COMMON = set(Rule.model_fields) - {"params", "path"}


def parse_rule(data: dict, path: str) -> Rule:
    if not isinstance(data, dict):
        raise RuleError(path, "a rule file must be a YAML mapping")
    kind = data.get("extends")
    if kind not in RULE_TYPES:
        known = ", ".join(sorted(RULE_TYPES))
        raise RuleError(path, f"unknown rule type extends: {kind!r} (known: {known})")
    common = {k: v for k, v in data.items() if k in _COMMON}
    params = {k: v for k, v in data.items() if k not in _COMMON}
    common.setdefault("id", Path(path).stem)
    try:
        rule = Rule(**common, path=path)
        rule = rule.model_copy(update={"params": RULE_TYPES[kind].Params(**params)})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(rule)"
        raise RuleError(path, f"{where}: {err['msg']}") from None
    return rule


def _read_folder(folder: str | Path) -> list[Rule]:
    d = Path(folder)
    if not d.is_dir():
        raise RuleError(str(d), "rules folder not found")
    rules = []
    for f in sorted(d.glob("*.y*ml")):
        try:
            data = load_yaml(f.read_text(encoding="utf-8"), str(f))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RuleError(str(f), f"not valid YAML ({exc.__class__.__name__})") from None
        rules.append(parse_rule(data, str(f)))
    return rules


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules of ``drafter/data/rules``, read once per process (a tuple of frozen rules:
    nothing a caller does to what ``load_rules`` returns reaches this)."""
    return tuple(_read_folder(RULES_DIR))


def load_rules(dirs: list[str | Path] | None = None, disable: set[str] | None = None) -> list[Rule]:
    """The built-in rules, then each extra folder's (a rule with the same id replaces the
    built-in one), less the disabled ids. A new list on every call."""
    by_id: dict[str, Rule] = {r.id: r for r in builtin_rules()}
    for d in dirs or []:
        for rule in _read_folder(d):
            by_id[rule.id] = rule
    disable = disable or set()
    unknown = disable - set(by_id)
    if unknown:
        raise RuleError("--disable", f"没有这些规则：{'、'.join(sorted(unknown))}（drafter rules 列出全部规则）")
    return [r for r in by_id.values() if r.id not in disable]
