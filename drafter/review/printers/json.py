"""--format json: the public JSON interface (one object for one file, else a list)."""

from __future__ import annotations

import json

from drafter.findings import ReviewResult


def to_json(results: list[ReviewResult], single: bool) -> str:
    data = results[0].public() if single and len(results) == 1 else [r.public() for r in results]
    return json.dumps(data, ensure_ascii=False, indent=2)


def render(results: list[ReviewResult], *, single: bool = True, **_) -> str:
    return to_json(results, single)
