"""Every regular expression of the package, and a child process that times each on long runs
of one character class (issue 13, item 2: a pattern that backtracks over a run of blanks or
digits from every start position takes quadratic time).

The patterns are found three ways, so a new one is swept without being listed here:

* compiled ``re.Pattern`` objects held at module level by any ``drafter`` module (in a
  variable, or inside a list, tuple or dict there);
* literal patterns passed to ``re.compile/search/match/…`` anywhere in the package's source
  (found in its syntax tree);
* every string of a rule's parameters (``drafter/data/rules``: the rule types declare them as
  ``str`` or ``list[str]``, and a list is compiled into one alternation, as ``compiled()`` does)
  and the templates' ``detect`` and ``field_evidence`` patterns.

``python -m tests.support.regex_sweep`` (from the project root) is the child: it reads
``{"patterns": [[name, source, flags], …], "inputs": [[name, text], …]}`` on stdin and prints a
line ``<pattern index> <input index> <seconds>`` after each ``finditer`` over an input.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import sys
import time
from pathlib import Path

import drafter

_RE_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}
_FLAG_NAMES = {"A", "ASCII", "I", "IGNORECASE", "M", "MULTILINE", "S", "DOTALL", "X", "VERBOSE", "U", "UNICODE"}
_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


def _modules():
    yield drafter
    for info in pkgutil.walk_packages(drafter.__path__, "drafter."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # ``python -m`` entry points run the command line when imported
        yield importlib.import_module(info.name)


def _patterns_in(value, depth: int = 0):
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _patterns_in(v, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for v in value.values():
            yield from _patterns_in(v, depth + 1)


def module_patterns() -> dict[str, tuple[str, int]]:
    """``module.NAME`` → (source, flags) of every compiled pattern held at module level."""
    out: dict[str, tuple[str, int]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            for p in _patterns_in(value):
                if isinstance(p.pattern, str):
                    out.setdefault(f"{module.__name__}.{name}", (p.pattern, p.flags))
    return out


def _flags(node: ast.AST | None) -> int | None:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re" \
            and node.attr in _FLAG_NAMES:
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        a, b = _flags(node.left), _flags(node.right)
        return None if a is None or b is None else a | b
    return None


def source_patterns() -> dict[str, tuple[str, int]]:
    """``path:line`` → (source, flags) of every literal pattern given to a ``re`` function."""
    root = Path(drafter.__file__).parent
    out: dict[str, tuple[str, int]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in _RE_CALLS and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            kw = next((k.value for k in node.keywords if k.arg == "flags"), None)
            position = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "finditer": 2, "findall": 2,
                        "split": 3, "sub": 4, "subn": 4}[node.func.attr]
            flags = _flags(kw if kw is not None else (node.args[position] if len(node.args) > position else None))
            name = f"{path.relative_to(root.parent)}:{node.lineno}"
            out[name] = (first.value, re.UNICODE if flags is None else flags | re.UNICODE)
    return out


def _strings(value, path: str):
    """(path, string or list of strings) of every string a rule's parameters hold."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        yield path, list(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield f"{path}[{k!r}]", k
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def data_patterns() -> dict[str, tuple[str, int]]:
    """``rule-id.key`` → (source, 0) of the rules' and templates' patterns. A list is swept as the
    alternation the rule types compile, and each element that is more than a literal word on its
    own (an alternation can hide a slow branch behind one that matches first; a list whose
    patterns name the same groups is used one pattern at a time)."""
    from drafter.analysis.templates import load_templates
    from drafter.review.registry import load_rules

    out: dict[str, tuple[str, int]] = {}

    def add(name: str, source: str) -> None:
        try:
            re.compile(source)
        except re.error:
            return  # not a pattern (a message, a word with a bracket)
        out.setdefault(name, (source, re.UNICODE))

    for rule in load_rules():
        if rule.params is None:
            continue
        for path, value in _strings(rule.params.model_dump(), rule.id):
            if isinstance(value, str):
                add(path, value)
                continue
            add(path, "|".join(f"(?:{v})" for v in value))  # as rx() compiles it, unless groups clash
            for i, v in enumerate(value):
                if _META.search(v):
                    add(f"{path}[{i}]", v)
    for t in load_templates().values():
        for i, d in enumerate(t.detect):
            add(f"template {t.id}.detect[{i}]", d)
        for k, v in t.field_evidence.items():
            add(f"template {t.id}.field_evidence[{k}]", v)
    return out


def all_patterns() -> dict[str, tuple[str, int]]:
    """Every pattern once (the first name it was found under)."""
    out: dict[str, tuple[str, int]] = {}
    seen: set[tuple[str, int]] = set()
    for found in (module_patterns(), source_patterns(), data_patterns()):
        for name, (source, flags) in found.items():
            key = (source, flags | re.UNICODE)
            if key not in seen:
                seen.add(key)
                out[name] = (source, flags)
    return out


def main() -> None:
    job = json.load(sys.stdin)
    inputs = [text for _, text in job["inputs"]]
    for i, (_, source, flags) in enumerate(job["patterns"]):
        rx = re.compile(source, flags)
        for j, text in enumerate(inputs):
            t0 = time.perf_counter()
            for _ in rx.finditer(text):
                pass
            print(f"{i} {j} {time.perf_counter() - t0:.4f}", flush=True)


if __name__ == "__main__":
    main()
