"""Small things of the command line (issue 14): ``drafter rules`` fits an 80-column terminal and
lists the rules as JSON for tools; ``drafter draft --section`` takes keys as people type them
and names the valid ones when a key is unknown."""

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from drafter.review.registry import load_rules
from tests.conftest import ROOT

DRAFTER = str(Path(sys.executable).parent / "drafter")
ZWXT = str(ROOT / "examples" / "facts-zwxt.yaml")


def run(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([DRAFTER, *args], capture_output=True, text=True, env=env, timeout=60)


def cells(line: str) -> int:
    """The width of a line in terminal cells (a CJK character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# --- drafter rules -----------------------------------------------------------------------------
def test_rules_as_json_lists_every_rule_for_tools():
    result = run("rules", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    rows = json.loads(result.stdout)
    rules = load_rules()
    assert [r["id"] for r in rows] == [r.id for r in rules]
    assert all(set(r) == {"id", "category", "level", "extends", "stage", "message", "link"} for r in rows)
    assert [r["message"] for r in rows] == [r.message for r in rules]  # in full, placeholders kept
    by_id = {r["id"]: r for r in rows}
    assert {k: by_id["budget-identity"][k] for k in ("category", "level", "extends", "stage")} == {
        "category": "figures", "level": "error", "extends": "budget_identity", "stage": "text"}
    assert by_id["copied-sentence"]["stage"] == "corpus"


@pytest.mark.parametrize("columns", [80, 120])
def test_rules_table_fits_the_terminal_and_never_cuts_an_id_or_a_category(columns):
    result = run("rules", columns=columns)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert max(cells(line) for line in lines) <= columns
    header, rows = lines[0].split(), [line.split() for line in lines[2:]]
    assert header[:3] == ["id", "category", "level"] and header[-1] == "message"
    rules = load_rules()
    assert [(r[0], r[1], r[2]) for r in rows] == [(r.id, r.category, r.level.value) for r in rules]
    if columns == 120:  # room for the rule type too
        assert header == ["id", "category", "level", "extends", "message"]
        assert [r[3] for r in rows] == [r.extends for r in rules]


# --- drafter draft --section -------------------------------------------------------------------
def _section_heads(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("key", ["二/（二）/1", "二/(二)/1", "二 / (二) / 1", "二／(二)／1"])
def test_section_key_with_full_or_half_width_brackets(key):
    result = run("draft", ZWXT, "--section", key)
    assert (result.returncode, result.stderr) == (0, "")
    assert _section_heads(result.stdout) == ["# 财政支出项目绩效自评报告", "#### 1. 资金支出情况"]


def test_an_unknown_section_is_one_line_exit_2_listing_the_valid_keys():
    result = run("draft", ZWXT, "--section", "二/(九)")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "drafter: 模板 gd-annex5 没有章节“二/(九)”；可用的章节：一，一/（一），一/（二），二，二/（一），"
        "二/（二），二/（二）/1，二/（二）/2，二/（二）/3，二/（三），三\n")
