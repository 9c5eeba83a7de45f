"""The JSON review of every bundled report stays byte-identical unless a change means it to move.

A deliberate change of the reviewer's output regenerates the files with
``DRAFTER_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and the diff is read and committed with it."""

import os
from pathlib import Path

import pytest

from drafter import review
from drafter.review.printers import to_json

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
REPORTS = sorted([*ROOT.glob("corpus/*.md"), *(p for p in ROOT.glob("evals/references/*.md") if p.name != "README.md")])


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_review_json_is_unchanged(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = path.relative_to(ROOT).as_posix()
    got = to_json([review(rel)], single=True) + "\n"
    golden = GOLDEN / (rel.replace("/", "__") + ".json")
    if os.environ.get("DRAFTER_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"{golden.name} missing: run with DRAFTER_UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")


def test_every_report_has_a_golden_file():
    names = {(p.relative_to(ROOT).as_posix().replace("/", "__") + ".json") for p in REPORTS}
    assert len(names) == 15
    assert {p.name for p in GOLDEN.glob("*.json")} == names
