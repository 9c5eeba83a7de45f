"""The one way YAML and JSON a user gives are read: a report's metadata header, facts, accept
lists, rule and prompt folders, eval suites and labels, the config file.

Those are small flat documents, so two things a hostile file could use to exhaust the machine
are refused with an ``InputError`` naming the file: YAML anchors and aliases (``&a`` / ``*a``,
which a "billion laughs" file nests until a few KB expand to gigabytes), and nesting deeper
than ``MAX_DEPTH`` (a 100,000-deep ``[[[…]]]`` that ends in a RecursionError). A syntax error
stays a ``yaml.YAMLError`` / ``json.JSONDecodeError`` for the caller to word."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from drafter.errors import InputError

MAX_DEPTH = 50  # lists and mappings inside one another; a facts file needs 4

def alias_problem(line: int) -> str:
    return f"第 {line} 行用了 YAML 锚点或别名（&、*）：drafter 不展开锚点和别名，请把内容直接写出"


def depth_problem(line: int | None = None) -> str:
    where = f"（第 {line} 行）" if line else ""
    return f"嵌套超过 {MAX_DEPTH} 层{where}：这不是 drafter 能读的数据文件"


class _Refused(yaml.YAMLError):
    def __init__(self, problem, line: int) -> None:
        super().__init__(problem(line))
        self.problem = problem
        self.line = line


class UserLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without anchors, aliases or deep nesting (``_Refused`` at the first)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(alias_problem, line)
        if not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise _Refused(depth_problem, line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, path: str, *, first_line: int = 1) -> Any:
    """``yaml.safe_load`` of a user's file, refusing anchors, aliases and deep nesting with an
    ``InputError`` naming ``path`` (lines counted from ``first_line``: a header inside a file)."""
    return _guarded(yaml.load, text, path, first_line)


def compose_yaml(text: str, path: str) -> yaml.Node | None:
    """``yaml.compose`` with the same refusals (for reading the lines of keys)."""
    return _guarded(yaml.compose, text, path, 1)


# What may nest or refer in YAML: anchors and aliases, flow collections, tags, block scalars,
# compact nested sequences ("- - a"). A text with none of them and shallow indentation nests
# no deeper than its indentation: libyaml reads it (a report's header: ~20 times faster).
_NOT_FLAT = re.compile(r"[&*\[\]{}!|>]|-[ \t]+-|^[ \t]{40}", re.M)
_FAST = getattr(yaml, "CSafeLoader", None)


def _guarded(fn, text: str, path: str, first_line: int):
    if fn is yaml.load and _FAST is not None and len(text) <= 65536 and not _NOT_FLAT.search(text):
        data = yaml.load(text, Loader=_FAST)
        if _depth(data) > MAX_DEPTH:
            raise InputError(path, depth_problem())
        return data
    try:
        return fn(text, Loader=UserLoader)
    except _Refused as exc:
        raise InputError(path, exc.problem(exc.line + first_line - 1)) from None


def load_json(text: str, path: str) -> Any:
    """``json.loads`` of a user's file, refusing nesting deeper than ``MAX_DEPTH`` with an
    ``InputError`` naming ``path``; a syntax error stays a ``json.JSONDecodeError``."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(path, depth_problem()) from None
    if _depth(data) > MAX_DEPTH:
        raise InputError(path, depth_problem())
    return data


def _depth(data: Any) -> int:
    """How many lists and mappings are inside one another (without recursion)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((v, level + 1) for v in value if isinstance(v, (dict, list)))
    return deepest
