"""What is wrong with a facts file, said so a user can fix it: the YAML problem with its line,
the line of every key (and a key given twice), and the first validation error in words."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from drafter.safeload import UserLoader


class FactsProblem(ValueError):
    """A validation problem; ``field`` names the field inside the model that raised it (for
    checks that look at several fields, e.g. spent against adjusted)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field



def describe_value(value: Any) -> str:
    """A value as a message shows what was given: "五万", 12, nothing, a list."""
    from drafter.facts.model import fmt_decimal

    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, Decimal)):
        return fmt_decimal(value) if not (isinstance(value, float) and not math.isfinite(value)) else str(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__



KeyPath = tuple  # a key path: ("budget", "spent"), ("indicators", 0, "weight")


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"not valid YAML (line {mark.line + 1}, column {mark.column + 1}): {problem}"
    return f"not valid YAML: {problem}"


def key_lines(text: str) -> tuple[dict[KeyPath, int], tuple[KeyPath, int, int] | None]:
    """Line (1-based) of every key path in a YAML (or JSON) document, and the first key given
    twice in one mapping, as (path, line, first line). Best effort: {} when YAML cannot read it."""
    try:
        root = yaml.compose(text, Loader=UserLoader)  # no aliases: walking a shared node would multiply
    except yaml.YAMLError:
        return {}, None
    lines: dict[KeyPath, int] = {}
    duplicate: list = []

    def walk(node, path: KeyPath) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark.line)
                line = key_node.start_mark.line + 1
                if key in seen and not duplicate:
                    duplicate.append(((*path, key), line, seen[key]))
                seen.setdefault(key, line)
                lines.setdefault((*path, key), line)
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines, (duplicate[0] if duplicate else None)


def format_path(loc: KeyPath) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_TYPE_TAGS = re.compile(r"^(?:decimal|str|int|float|bool|none|list\[.*\]|function-.*|.*\[.*\])$")


def describe_validation_error(exc: ValidationError, lines: dict[KeyPath, int] | None = None) -> str:
    """One line for the first problem of a ``ValidationError`` of ``Facts`` (or a part of it):
    ``budget.spent (line 9): must be a number, got "五万"``."""
    return describe_validation_errors(exc, lines)[0]


def describe_validation_errors(exc: ValidationError, lines: dict[KeyPath, int] | None = None) -> list[str]:
    """One line for every problem of a ``ValidationError``, in the order of their lines in the
    file (a user fixes them all in one pass), duplicates merged."""
    out: list[tuple[int, int, str]] = []
    for n, err in enumerate(exc.errors(include_url=False)):
        line, text = _describe(exc, err, lines or {})
        if text not in (t for _, _, t in out):
            out.append((line or 0, n, text))
    return [t for _, _, t in sorted(out)]


def _describe(exc: ValidationError, err, lines: dict[KeyPath, int]) -> tuple[int | None, str]:
    loc = tuple(p for p in err["loc"] if isinstance(p, int) or not _TYPE_TAGS.match(str(p)))
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, FactsProblem):
        if error.field:
            loc = (*loc, error.field)
        message = error.message
    elif err["type"] == "missing":
        message = "is required"
    elif err["type"] == "extra_forbidden":
        allowed = _fields_at(exc.title, loc[:-1])
        message = "unknown field" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        allowed = _fields_at(exc.title, loc)
        message = (f"must be a mapping with {', '.join(allowed)}, got {describe_value(err.get('input'))}" if allowed
                   else f"must be a mapping, got {describe_value(err.get('input'))}")
    elif err["type"] == "list_type":
        message = f"must be a list, got {describe_value(err.get('input'))}"
    else:
        message = str(err["msg"]).removeprefix("Value error, ")
    where = format_path(loc)
    line = _line_of(loc, lines)
    if where and line:
        return line, f"{where} (line {line}): {message}"
    if where:
        return line, f"{where}: {message}"
    return line, message


def _line_of(loc: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    """The line of ``loc``, else of its nearest given parent (a missing field: its mapping)."""
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _fields_at(title: str, loc: KeyPath) -> list[str]:
    """The field names of the model at ``loc`` below the model called ``title``."""
    from drafter.facts.model import Budget, Facts, FundSource, Indicator, Project, Target, Unit, Use

    model = {m.__name__: m for m in (Facts, Budget, Indicator, Unit, Project, FundSource, Target, Use)}.get(title)
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
    return list(model.model_fields) if model is not None else []


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        m = _model_of(arg)
        if m is not None:
            return m
    meta = getattr(annotation, "__origin__", None)
    if meta is not None and isinstance(meta, type) and issubclass(meta, BaseModel):
        return meta
    return None

