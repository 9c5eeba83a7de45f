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
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, Decimal)):
        return fmt_decimal(value) if not (isinstance(value, float) and not math.isfinite(value)) else str(value)
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return type(value).__name__



KeyPath = tuple  # a key path: ("budget", "spent"), ("indicators", 0, "weight")


def yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"不是有效的 YAML（第 {mark.line + 1} 行第 {mark.column + 1} 列）：{problem}"
    return f"不是有效的 YAML：{problem}"


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


# pydantic's common error kinds, in words (the rest are named by their type)
_KINDS = {
    "string_type": "须为文字",
    "int_type": "须为整数", "int_parsing": "须为整数", "int_from_float": "须为整数",
    "float_type": "须为数字", "float_parsing": "须为数字", "decimal_type": "须为数字", "decimal_parsing": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_type": "须为 true 或 false", "bool_parsing": "须为 true 或 false",
    "dict_type": "须为映射", "list_type": "须为列表",
    "literal_error": "不是可选的取值", "enum": "不是可选的取值",
}

_TYPE_TAGS = re.compile(r"^(?:decimal|str|int|float|bool|none|list\[.*\]|function-.*|.*\[.*\])$")


def describe_validation_error(exc: ValidationError, lines: dict[KeyPath, int] | None = None) -> str:
    """One line for the first problem of a ``ValidationError`` of ``Facts`` (or a part of it):
    ``budget.spent（第 9 行）：须为数字，收到 "五万"``."""
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
        message = "缺少这一项（必填）"
    elif err["type"] == "extra_forbidden":
        allowed = _fields_at(exc.title, loc[:-1])
        message = "未知的字段" + (f"（可用：{'、'.join(allowed)}）" if allowed else "")
    elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        allowed = _fields_at(exc.title, loc)
        message = (f"须为含 {'、'.join(allowed)} 的映射，收到 {describe_value(err.get('input'))}" if allowed
                   else f"须为映射，收到 {describe_value(err.get('input'))}")
    elif err["type"] == "list_type":
        message = f"须为列表，收到 {describe_value(err.get('input'))}"
    elif err["type"] in _KINDS:
        message = f"{_KINDS[err['type']]}，收到 {describe_value(err.get('input'))}"
    elif err["type"] == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    else:
        message = f"取值无效（{err['type']}）"
    where = format_path(loc)
    line = _line_of(loc, lines)
    if where and line:
        return line, f"{where}（第 {line} 行）：{message}"
    if where:
        return line, f"{where}：{message}"
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



def describe_error(err: dict) -> str:
    """One pydantic error (of any model: a config, a suite, an accept list) in Chinese, its
    field path kept as the keys are spelled: ``variants[0].name：缺少这一项（必填）``."""
    kind = err.get("type", "")
    if kind == "missing":
        message = "缺少这一项（必填）"
    elif kind == "extra_forbidden":
        message = "未知的字段"
    elif kind in _KINDS:
        message = f"{_KINDS[kind]}，收到 {describe_value(err.get('input'))}"
    elif kind in ("model_type", "model_attributes_type"):
        message = f"须为映射，收到 {describe_value(err.get('input'))}"
    elif kind == "value_error":
        message = str(err.get("msg", "")).removeprefix("Value error, ")
    else:
        message = f"取值无效（{kind}）"
    where = format_path(tuple(p for p in err.get("loc", ()) if isinstance(p, int) or not _TYPE_TAGS.match(str(p))))
    return f"{where}：{message}" if where else message
