"""Rules are data: one YAML file per rule, Vale-style. ``extends`` names the rule *type*
(code in ``drafter.review.checks``); everything else is the rule's data, validated by that type's
parameter model so a misspelt key is an error naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from drafter.errors import RuleError
from drafter.findings import Category, Level

from drafter.resources import DATA, RULES_DIR  # noqa: F401


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

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

    def say(self, **values: Any) -> str:
        """The rule's message with its placeholders filled."""
        try:
            return self.message.format(**values)
        except (KeyError, IndexError) as exc:
            raise RuleError(self.path, f"message uses a placeholder the rule type does not provide: {exc}") from None


_COMMON = set(Rule.model_fields) - {"params", "path"}


def parse_rule(data: dict, path: str) -> Rule:
    from drafter.review.checks import RULE_TYPES

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
        rule.params = RULE_TYPES[kind].Params(**params)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(rule)"
        raise RuleError(path, f"{where}: {err['msg']}") from None
    return rule


def load_rules(dirs: list[str | Path] | None = None, disable: set[str] | None = None) -> list[Rule]:
    """The built-in rules, then each extra folder's (a rule with the same id replaces the
    built-in one), less the disabled ids."""
    by_id: dict[str, Rule] = {}
    for d in [RULES_DIR, *(dirs or [])]:
        d = Path(d)
        if not d.is_dir():
            raise RuleError(str(d), "rules folder not found")
        for f in sorted(d.glob("*.y*ml")):
            try:
                data = yaml.safe_load(f.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise RuleError(str(f), f"not valid YAML ({exc.__class__.__name__})") from None
            rule = parse_rule(data, str(f))
            by_id[rule.id] = rule
    disable = disable or set()
    unknown = disable - set(by_id)
    if unknown:
        raise RuleError("--disable", f"no such rule: {', '.join(sorted(unknown))}")
    return [r for r in by_id.values() if r.id not in disable]
