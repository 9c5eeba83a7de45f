"""The package's layers: Chinese numerals in one place, drafting stages callable one by one,
artifacts written only when asked, chromadb only behind drafter.corpus."""

import os
import subprocess
import sys

import pytest

from drafter.analysis.templates import get_template
from drafter.draft import stages
from drafter.draft.compose import numbers_of
from drafter.draft.guard import allowed_of
from drafter.draft.pipeline import draft
from drafter.draft.plan import plan_sections
from drafter.facts.derive import derive
from drafter.facts.model import load_facts
from drafter.llm.prompts import load_prompt
from drafter.text.numerals import counter_value, parse, to_chinese
from tests.conftest import ROOT

FACTS = ROOT / "examples" / "facts-zwxt.yaml"


@pytest.mark.parametrize("n, written", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"),
                                        (105, "一百零五")])
def test_numerals_written(n, written):
    assert to_chinese(n) == written


@pytest.mark.parametrize("cn, value", [("二十一", 21), ("三点五", 3.5), ("两百", 200), ("一万二千", 12000),
                                       ("甲", None)])
def test_numerals_read(cn, value):
    assert parse(cn) == value


@pytest.mark.parametrize("cn, value", [("一", 1), ("十", 10), ("十一", 11), ("一十一", 11), ("九十九", 99),
                                       ("一一", None), ("十十", None), ("两", None), ("一百", None), ("零", None)])
def test_heading_counters_are_read_strictly(cn, value):
    assert counter_value(cn) == value


def test_draft_writes_nothing_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = draft(load_facts(FACTS))
    assert result.markdown.startswith("---\n") and result.review.file == "draft.md"
    assert list(tmp_path.iterdir()) == []
    asked = draft(load_facts(FACTS), runs_dir=tmp_path / "runs", review_draft=False)
    run = tmp_path / "runs" / asked.run_id
    assert sorted(p.name for p in run.iterdir()) == ["draft.md", "facts.json", "sections.json"]
    assert (run / "draft.md").read_text(encoding="utf-8") == asked.markdown


def test_section_stages_run_one_by_one():
    facts = load_facts(FACTS)
    d = derive(facts)
    calls = []

    def model(system, user):
        calls.append(user)
        return "2023 年本项目支出 57790 元，结余 41210 元，预算执行率为 58.37%。另购置 12 台设备。"

    ctx = stages.DraftContext(facts=facts, numbers=numbers_of(facts, d), allowed=allowed_of(d), model=model,
                              prompt=load_prompt("section"))
    plan = next(p for p in plan_sections(get_template(facts.template)) if p.kind == "spending")
    st = stages.stage_compose(ctx, plan)
    assert st.must == ["57790 元", "41210 元", "58.37%"] and not st.done
    st = stages.stage_generate(ctx, stages.stage_exemplars(ctx, st))
    assert len(calls) == 1 and st.raw == [model("", "")]
    out = stages.stage_guard(ctx, st)
    # the invented "12 台" fails the guard twice: the deterministic text stands in, marked for checking
    assert out.source == "offline-fallback" and out.violations[0] == "出现了事实中没有的数字：12 台"
    assert out.text.startswith(st.offline) and "【待核实" in out.text


def test_only_the_corpus_package_imports_chromadb():
    code = ("import sys, drafter, drafter.review.engine, drafter.draft.pipeline, drafter.facts.io, "
            "drafter.corpus.chunking;"
            "print('chromadb' in sys.modules, 'ANONYMIZED_TELEMETRY' in __import__('os').environ)")
    env = {k: v for k, v in os.environ.items() if k != "ANONYMIZED_TELEMETRY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout
    assert out.split() == ["False", "False"]
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "drafter").rglob("*.py")
                 if p.parent.name != "corpus" and ("import chromadb" in p.read_text(encoding="utf-8")
                                                    or "from chromadb" in p.read_text(encoding="utf-8"))]
    assert offenders == []
