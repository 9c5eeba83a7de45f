"""Rule types are modules: every module of drafter/review/types is a registered type with a
declared stage, every built-in rule extends one, and every type is tested — text rules by their
fixture folders (tests/fixtures/rules), corpus and llm rules by the tests named below."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from drafter.analysis.view import Analysis
from drafter.documents.load import from_text
from drafter.errors import RuleError
from drafter.review import types as types_package
from drafter.review.context import ReviewContext
from drafter.review.engine import review
from drafter.review.registry import RULE_TYPES, RULES_DIR, STAGES, RuleType, discover, load_rules, parse_rule

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "rules"
TYPE_MODULES = sorted(p.stem for p in Path(types_package.__file__).parent.glob("*.py") if not p.stem.startswith("_"))
BUILT_IN = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(RULES_DIR.glob("*.yml"))}

# Rules that need an index or a model are exercised by these tests instead of fixture folders.
TESTED_ELSEWHERE = {
    "copied-sentence": "test_index.py::test_shared_seed_sentences_are_cross_report_boilerplate",
    "copied-figures": "test_corpus_identity.py::test_a_figure_sentence_is_a_copy_only_with_the_same_figures",
    "shared-unit-profile": "test_index.py::test_shared_seed_sentences_are_cross_report_boilerplate",
    "copied-from-last-year": "test_index.py::test_year_over_year_copy_and_stale_figures",
    "stale-figure": "test_index.py::test_year_over_year_copy_and_stale_figures",
    "llm-unsupported-claim": "test_claims.py::test_an_unsupported_claim_becomes_a_model_judged_finding",
    "llm-check-failed": "test_claims.py::test_a_malformed_answer_is_a_failed_check_not_silence",
}


def test_every_type_module_is_registered_with_a_declared_stage():
    assert len(TYPE_MODULES) >= 26  # every module in the folder, whatever their number
    assert sorted(RULE_TYPES) == TYPE_MODULES
    for name, rt in RULE_TYPES.items():
        assert rt.stage in STAGES, name
        assert rt.module == f"drafter.review.types.{name}"
    stages = {s: sorted(n for n, rt in RULE_TYPES.items() if rt.stage == s) for s in STAGES}
    assert stages["corpus"] == ["corpus_copy", "corpus_figures", "corpus_profile", "corpus_stale", "corpus_yoy"]
    assert stages["llm"] == ["llm_check_failed", "llm_claim"]
    assert len(stages["text"]) >= 20


def test_every_built_in_rule_extends_a_registered_type_and_every_type_is_used():
    assert len(BUILT_IN) >= 36
    unknown = {rule_id: data["extends"] for rule_id, data in BUILT_IN.items() if data["extends"] not in RULE_TYPES}
    assert unknown == {}
    assert {data["extends"] for data in BUILT_IN.values()} == set(RULE_TYPES)


def _fixture_rule_ids() -> set[str]:
    return {case.name.split("__")[0] for case in FIXTURES.glob("*/*") if (case / "input.md").is_file()}


def test_every_text_rule_has_fixture_cases_and_the_others_name_their_tests():
    with_fixtures = _fixture_rule_ids()
    rules = load_rules()
    text_rules = {r.id for r in rules if r.stage == "text"}
    assert text_rules - with_fixtures == set()
    assert {r.id for r in rules if r.stage != "text"} == set(TESTED_ELSEWHERE)
    # every type is covered through at least one of its rules
    covered = {r.extends for r in rules if r.id in with_fixtures or r.id in TESTED_ELSEWHERE}
    assert covered == set(RULE_TYPES)


@pytest.mark.parametrize("rule_id,test", sorted(TESTED_ELSEWHERE.items()))
def test_the_tests_named_for_corpus_and_llm_rules_exist_and_check_them(rule_id, test):
    file, name = test.split("::")
    tree = ast.parse((TESTS / file).read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert name in functions, f"{test} not found"
    source = ast.get_source_segment((TESTS / file).read_text(encoding="utf-8"), functions[name])
    assert rule_id in source, f"{test} does not look at {rule_id}"


# --- discovery -----------------------------------------------------------------------------
GOOD = 'STAGE = "text"\nfrom pydantic import BaseModel\nclass Params(BaseModel):\n    pass\n' \
       'def check(rule, a):\n    return []\n'


@pytest.mark.parametrize(
    "source,problem",
    [
        (GOOD.replace('STAGE = "text"\n', ""), "rule type 'probe' declares no STAGE"),
        (GOOD.replace('"text"', '"words"'), "rule type 'probe' has STAGE = 'words'"),
        (GOOD.replace("def check(rule, a):\n    return []\n", ""),
         "rule type 'probe' declares no check(rule, analysis) function"),
        (GOOD.replace("class Params(BaseModel):\n    pass\n", ""), "rule type 'probe' declares no Params model"),
    ],
)
def test_a_type_module_without_stage_check_or_params_is_an_error_naming_it(tmp_path, monkeypatch, source, problem):
    package = tmp_path / f"probe_types_{tmp_path.name}"  # one package per case: modules are cached
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "_helpers.py").write_text("X = 1\n", encoding="utf-8")  # helpers are not types
    (package / "probe.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuleError, match=re.escape(problem)) as exc:
        discover(package.name)
    assert str(package / "probe.py") in str(exc.value)


def test_a_complete_type_module_is_discovered_by_its_file_name(tmp_path, monkeypatch):
    package = tmp_path / "probe_ok_types"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "_helpers.py").write_text("X = 1\n", encoding="utf-8")
    (package / "probe.py").write_text(GOOD, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover("probe_ok_types")
    assert list(found) == ["probe"] and found["probe"].stage == "text"


# --- what a rule is given ------------------------------------------------------------------
def _probe(monkeypatch, stage: str) -> list:
    seen = []

    def check(rule, subject):
        seen.append(subject)
        return iter(())

    name = f"probe_{stage}"
    monkeypatch.setitem(RULE_TYPES, name, RuleType(name, stage, RULE_TYPES["budget_identity"].Params, check, "tests"))
    rule = parse_rule({"extends": name, "category": "figures", "level": "info", "message": "x"}, "probe.yml")
    review(text="自评 100 分。\n", rules=[rule])
    return seen


@pytest.mark.parametrize("stage", STAGES)
def test_the_declared_stage_decides_what_a_rule_is_given(monkeypatch, stage):
    (subject,) = _probe(monkeypatch, stage)
    if stage == "text":
        assert isinstance(subject, Analysis)
        assert subject.report.text == "自评 100 分。\n"
    else:
        assert isinstance(subject, ReviewContext)
        assert subject.analysis.report.text == "自评 100 分。\n"
        assert (subject.corpus, subject.claims) == (None, None)
        assert subject.claim_results == ([], [])


def test_the_analysis_carries_no_late_attached_services():
    a = Analysis(from_text("自评 100 分。\n"))
    assert not hasattr(a, "corpus") and not hasattr(a, "claims") and not hasattr(a, "claim_results")
