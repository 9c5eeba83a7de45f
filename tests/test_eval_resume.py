"""Continuing an eval run (issue 13, item 13): only with the settings it started with; other
rules, options or prompts are refused, naming what differs, never mixed into one summary."""

import json
import shutil

import pytest

from drafter.errors import DrafterError
from drafter.evals.runner import run_suite
from drafter.evals.suite import Case, Inject, Suite, Variant
from drafter.findings import Level
from drafter.review.registry import load_rules
from tests.conftest import ROOT
from tests.test_evals import REFERENCES, _cli


def test_continuing_a_run_with_other_rules_is_refused_naming_them(tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text(json.dumps({"name": "s", "references": [str(p) for p in REFERENCES[:3]], "draft": False}),
                     encoding="utf-8")
    assert _cli("eval", str(suite), "--out", str(tmp_path), "--run-id", "r").returncode == 0
    cases = sorted((tmp_path / "r" / "cases" / "offline").glob("*.json"))
    cases[1].unlink()  # as if the run was killed before this case
    proc = _cli("eval", str(suite), "--out", str(tmp_path), "--run-id", "r", "--disable", "budget-identity",
                "--disable", "unit-slip")
    assert proc.returncode == 2 and proc.stdout.strip() == ""
    assert proc.stderr.strip() == (f"drafter: {tmp_path / 'r'}: 运行 r 是用另一套设置开始的，"
                                   "接着跑会把两种结果混在一起：规则少了 budget-identity、unit-slip。"
                                   "换一个 --run-id，或删除这个文件夹重新开始")
    assert len(list((tmp_path / "r" / "cases" / "offline").glob("*.json"))) == 2  # nothing written
    same = _cli("eval", str(suite), "--out", str(tmp_path), "--run-id", "r")
    assert same.returncode == 0, same.stderr  # the same settings continue
    assert len(list((tmp_path / "r" / "cases" / "offline").glob("*.json"))) == 3


def _suite(**kw) -> Suite:
    cases = [Case(id=p.stem, report=str(p)) for p in REFERENCES[:2]]
    return Suite(name="s", cases=cases, draft=False, inject=Inject(seed=7, kinds=["break-identity"]), **kw)


@pytest.mark.parametrize(("change", "said"), [
    (lambda s, rules, _: (s.model_copy(update={"inject": Inject(seed=8, kinds=["break-identity"])}), rules),
     "inject.seed：7 → 8"),
    (lambda s, rules, _: (s.model_copy(update={"review": False, "draft": True}), rules),
     "draft：false → true；review：true → false"),
    (lambda s, rules, _: (s, [r.model_copy(update={"level": Level.info}) if r.id == "execution-rate" else r
                              for r in rules]), "规则改了 execution-rate"),
    (lambda s, rules, folder: ((folder / "section.yml").write_text("changed", encoding="utf-8"), (s, rules))[1],
     "offline 的提示词文件改了"),
    (lambda s, rules, _: (s.model_copy(update={"variants": [Variant(name="other")]}), rules),
     "variants：多了 other；variants：少了 offline"),
])
def test_what_differs_is_named(tmp_path, change, said):
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "drafter" / "data" / "prompts" / "v1", prompts)
    suite, rules = _suite(variants=[Variant(name="offline", prompts=str(prompts))]), load_rules()
    run_suite(suite, out_dir=tmp_path, run_id="r", rules=rules)
    other_suite, other_rules = change(suite, rules, prompts)
    with pytest.raises(DrafterError) as err:
        run_suite(other_suite, out_dir=tmp_path, run_id="r", rules=other_rules)
    assert str(err.value) == (f"{tmp_path / 'r'}: 运行 r 是用另一套设置开始的，接着跑会把两种结果混在一起：{said}。"
                              "换一个 --run-id，或删除这个文件夹重新开始")


def test_a_changed_assertion_or_description_is_not_a_different_run(tmp_path):
    run_suite(_suite(), out_dir=tmp_path, run_id="r")
    again = run_suite(_suite(description="now described", assertions=[{"metric": "review.figures.recall", "min": 0.5}]),
                      out_dir=tmp_path, run_id="r")
    assert again["passed"]
