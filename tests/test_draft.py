"""Drafting: the offline composer on facts from the seed reports, the figure guard with a
scripted fake model, and the wire path through a scripted OpenAI-compatible server."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.analysis.templates import get_template
from drafter.draft.compose import money, numbers_of
from drafter.draft.guard import allowed_of, unknown_figures
from drafter.draft.pipeline import draft
from drafter.draft.plan import plan_sections
from drafter.facts.derive import derive
from drafter.facts.model import load_facts
from drafter.text.figures import extract
from tests.conftest import ROOT, SEEDS
from tests.fake_openai import FakeOpenAI

EXAMPLES = sorted((ROOT / "examples").glob("facts-*.yaml"))
DRAFTER = [str(Path(sys.executable).parent / "drafter")]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_offline_draft_has_every_figure_no_other_and_every_section(path, tmp_path):
    facts = load_facts(path)
    d = derive(facts)
    result = draft(facts, runs_dir=tmp_path)
    text = result.markdown
    flat = text.replace(" ", "")
    n = numbers_of(facts, d)
    for figure in (money(n.initial, n.unit), money(n.adjusted, n.unit), money(n.spent, n.unit),
                   money(n.balance, n.unit), n.rate):
        assert figure.replace(" ", "") in flat
    # every figure of the user's notes is there, written as given
    for note in [*facts.achievements, *facts.problems, *facts.improvements]:
        for f in extract(note):
            assert f.text.replace(" ", "") in flat
    assert unknown_figures(text, allowed_of(d)) == []
    for plan in plan_sections(get_template(facts.template)):
        assert re.search(rf"^#+ {re.escape(plan.heading)}$", text, re.M), plan.heading
    errors = [f for f in result.review.findings if f.category in ("figures", "score") and f.level.value == "error"]
    assert errors == []
    run = tmp_path / result.run_id
    assert sorted(p.name for p in run.iterdir()) == ["draft.md", "facts.json", "findings.json", "sections.json"]


def test_missing_information_becomes_an_explicit_placeholder(tmp_path):
    facts = load_facts(ROOT / "examples" / "facts-zwxt.yaml")
    text = draft(facts, runs_dir=tmp_path).markdown
    assert "预算执行率低于 90%，主要原因是：【待补充：预算执行率低于 90% 的原因】" in text
    # a self-score above what the execution rate allows is not copied: the arithmetic is shown
    assert "自评 100 分" not in text and "最高可得分 95.84 分（57790 / 99000 = 58.37%" in text


def test_baseline_copy_of_last_years_report_carries_stale_figures_our_draft_none(tmp_path):
    """Staff today copy the most similar past report and edit nothing."""
    from drafter.config import Config
    from drafter.corpus.index import CorpusIndex

    facts = load_facts(ROOT / "examples" / "facts-zwxt.yaml")
    data = facts.model_dump(mode="json")
    data.update(year=2024, budget={**data["budget"], "initial": 120000, "adjusted": None, "spent": 118800,
                                   "adjustment_reason": None})
    facts = type(facts).model_validate(data)
    allowed = allowed_of(derive(facts))
    idx = CorpusIndex(Config(index=str(tmp_path / "ix")))
    for p in SEEDS.values():
        idx.add(p)
    best = idx.search(f"{facts.project.name} 资金支出情况", k=1)[0]
    baseline = Path(best.metadata["source"]).read_text(encoding="utf-8")
    stale = unknown_figures(baseline, allowed)
    assert {"110000元", "57790 元", "41210 元"} <= set(stale)
    ours = draft(facts, runs_dir=tmp_path).markdown
    assert unknown_figures(ours, allowed) == []
    assert ("年初预算为 120000 元，全年未作调整" in ours
            and "2024 年本项目支出 118800 元，结余 1200 元，预算执行率为 99.00%" in ours)


# --- the figure guard with a scripted model ------------------------------------------------
class Scripted:
    """A fake chat model: replies in order; records what it was sent."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.sent = []

    def __call__(self, system, user):
        self.sent.append(user)
        reply = self.replies.pop(0) if self.replies else None
        if callable(reply):
            return reply(user)
        return reply if reply is not None else _facts_of(user)


def _facts_of(user: str) -> str:
    """Echo the prompt's fact sheet: a model that writes exactly the facts."""
    return user.split("本部分要写的事实：", 1)[1].split("可参考的往年同类段落", 1)[0].strip()


SPENDING = "二/（二）/1"


def test_a_model_that_invents_a_figure_is_caught_and_retried(tmp_path):
    facts = load_facts(ROOT / "examples" / "facts-jstg.yaml")
    model = Scripted(["2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%，节约资金 5200 元。"])
    result = draft(facts, model=model, backend="fake", section=SPENDING, runs_dir=tmp_path, jobs=1)
    (section,) = result.sections
    assert section.source == "model-retried"
    assert section.violations == ["出现了事实中没有的数字：5200 元"]
    assert "上一稿有以下问题" in model.sent[1] and "5200 元" in model.sent[1]
    assert "5200 元" not in section.text


def test_a_model_that_keeps_inventing_is_replaced_by_the_deterministic_text(tmp_path):
    facts = load_facts(ROOT / "examples" / "facts-jstg.yaml")
    bad = "2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%。带动就业 120 人。"
    model = Scripted([bad, bad])
    (section,) = draft(facts, model=model, backend="fake", section=SPENDING, runs_dir=tmp_path, jobs=1).sections
    assert section.source == "offline-fallback"
    assert section.text.startswith("2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%。")
    assert "【待核实" in section.text and "120 人" not in section.text


def test_a_model_that_drops_a_required_figure_is_caught(tmp_path):
    facts = load_facts(ROOT / "examples" / "facts-jstg.yaml")
    model = Scripted(["本项目资金支出进度符合要求，结余资金将按规定处理。", None])
    (section,) = draft(facts, model=model, backend="fake", section=SPENDING, runs_dir=tmp_path, jobs=1).sections
    assert section.source == "model-retried"
    assert section.violations == ["缺少必需的数字：22516 元", "缺少必需的数字：4484 元", "缺少必需的数字：83.39%"]


def test_prompts_send_only_allowed_figures_and_exemplars(tmp_path):
    from drafter.config import Config
    from drafter.corpus.index import CorpusIndex
    from drafter.corpus.retriever import CorpusRetriever

    idx = CorpusIndex(Config(index=str(tmp_path / "ix")))
    idx.add(SEEDS["ww"])
    facts = load_facts(ROOT / "examples" / "facts-jstg.yaml")
    model = Scripted([])
    draft(facts, model=model, backend="fake", section=SPENDING, runs_dir=tmp_path, jobs=1,
          retriever=CorpusRetriever(index=idx, k=2))
    (sent,) = model.sent
    assert "22516 元" in sent.split("本部分要写的事实：")[0]  # in the list of allowed figures
    assert "318472" in sent.split("可参考的往年同类段落")[1]  # an exemplar from the index


# --- the wire path: a real openai client against a scripted server ---------------------------
@pytest.fixture
def server():
    s = FakeOpenAI()
    s.default = lambda body: _facts_of(body["messages"][-1]["content"])
    yield s
    s.close()


def _draft_cli(tmp_path, server, *args, timeout_s="20"):
    env = {**os.environ, "OPENAI_API_KEY": "sk-default-must-not-leak", "DRAFTER_TIMEOUT": timeout_s, "COLUMNS": "200"}
    return subprocess.run([*DRAFTER, "draft", str(ROOT / "examples" / "facts-jstg.yaml"), "--backend", "openai",
                           "--model", "scripted", "--base-url", server.url, "--runs", str(tmp_path / "runs"),
                           "--cache", str(tmp_path / "cache"), *args], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=300)


def test_openai_backend_drafts_through_the_wire(tmp_path, server):
    proc = _draft_cli(tmp_path, server, "-o", "out.md")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert "2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%" in text
    assert server.requests and all(r["path"] == "/v1/chat/completions" for r in server.requests)
    # the default key never goes to a custom base URL
    assert all("sk-default-must-not-leak" not in r["auth"] for r in server.requests)
    calls = len(server.requests)
    again = _draft_cli(tmp_path, server, "-o", "again.md")
    assert again.returncode == 0 and len(server.requests) == calls  # answered from the cache


def test_a_500_is_retried(tmp_path, server):
    server.enqueue(("status", 500))
    proc = _draft_cli(tmp_path, server, "--section", SPENDING, "-o", "out.md")
    assert proc.returncode == 0, proc.stderr
    assert [r["path"] for r in server.requests].count("/v1/chat/completions") == 2


def test_a_timeout_is_a_clear_error_and_no_output_file(tmp_path, server):
    server.enqueue(*[("sleep", 3)] * 6)
    proc = _draft_cli(tmp_path, server, "--section", SPENDING, "-o", "out.md", timeout_s="1")
    assert proc.returncode == 2
    assert "模型调用失败" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out.md").exists() and not list(tmp_path.glob("out.md*"))


def test_bad_facts_exit_2_naming_the_field(tmp_path):
    bad = tmp_path / "facts.yaml"
    bad.write_text((ROOT / "examples" / "facts-jstg.yaml").read_text(encoding="utf-8")
                   .replace("spent: 22516", "spent: 五万"), encoding="utf-8")
    proc = subprocess.run([*DRAFTER, "draft", str(bad)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "budget.spent" in proc.stderr and "Traceback" not in proc.stderr


def test_docx_output_has_heading_styles(tmp_path):
    import docx

    proc = subprocess.run([*DRAFTER, "draft", str(ROOT / "examples" / "facts-dzzw.yaml"), "-o", "out.docx",
                           "--runs", "runs"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    document = docx.Document(str(tmp_path / "out.docx"))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", "财政支出项目绩效自评报告") in headings
    assert ("Heading 1", "一、基本情况") in headings and ("Heading 3", "1. 资金支出情况") in headings
    assert document.styles["Normal"].font.name == "仿宋_GB2312"


def test_a_named_endpoint_from_the_config_file(tmp_path, server, monkeypatch):
    monkeypatch.setenv("LOCAL_KEY", "sk-local-123")
    (tmp_path / "drafter.yml").write_text(
        f"endpoints:\n  local:\n    model: scripted\n    base_url: {server.url}\n    api_key_env: LOCAL_KEY\n",
        encoding="utf-8")
    env = {**os.environ, "OPENAI_API_KEY": "sk-default-must-not-leak", "COLUMNS": "200"}
    proc = subprocess.run([*DRAFTER, "draft", str(ROOT / "examples" / "facts-jstg.yaml"), "--backend", "openai",
                           "--endpoint", "local", "--section", SPENDING, "-o", "out.md",
                           "--cache", str(tmp_path / "cache")],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert server.requests and all(r["auth"] == "Bearer sk-local-123" for r in server.requests)
    unknown = subprocess.run([*DRAFTER, "draft", str(ROOT / "examples" / "facts-jstg.yaml"), "--backend", "openai",
                              "--endpoint", "nope"],
                             cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert unknown.returncode == 2 and "配置文件中没有名为 nope 的端点（已有：local）" in unknown.stderr


def test_an_interrupted_run_resumes_without_repeating_finished_calls(tmp_path, server):
    """Every model answer is cached as it arrives: a run that stopped after some sections,
    run again, calls the model only for the sections it had not finished."""
    first = _draft_cli(tmp_path, server, "--section", SPENDING, "-o", "part.md")
    assert first.returncode == 0 and len(server.requests) == 1
    resumed = _draft_cli(tmp_path, server, "-o", "full.md")
    assert resumed.returncode == 0
    resumed_calls = len(server.requests) - 1
    fresh, elsewhere = FakeOpenAI(), tmp_path / "elsewhere"
    fresh.default = server.default
    elsewhere.mkdir()
    try:
        assert _draft_cli(elsewhere, fresh, "-o", "full.md").returncode == 0
        assert resumed_calls == len(fresh.requests) - 1 > 0  # one section fewer than a run from scratch
        assert (tmp_path / "full.md").read_text(encoding="utf-8") == (elsewhere / "full.md").read_text(encoding="utf-8")
    finally:
        fresh.close()


def test_facts_extract_and_import_from_the_command_line(tmp_path):
    proc = subprocess.run([*DRAFTER, "facts", "extract", str(SEEDS["gl"]), "-o", "facts.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    facts = load_facts(tmp_path / "facts.yaml")
    assert (facts.budget.initial, facts.budget.adjusted, facts.budget.spent, facts.year) == (110000, 99000, 57790, 2023)
    # last year's report becomes this year's starting point: the extracted facts draft at once
    assert draft(facts, runs_dir=tmp_path / "runs").markdown.count("57790 元") == 1
    (tmp_path / "table.xlsx").write_bytes(b"not an excel file")
    bad = subprocess.run([*DRAFTER, "facts", "import", "table.xlsx"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "table.xlsx" in bad.stderr and "Traceback" not in bad.stderr


def test_a_section_the_reviewer_rejects_is_regenerated(tmp_path):
    """Figures that are all facts can still be wrong together: 全部用于 beside a 结余."""
    facts = load_facts(ROOT / "examples" / "facts-jstg.yaml")
    bad = "2023 年本项目支出 22516 元，结余 4484 元，预算执行率为 83.39%，资金已将拨款全部用于政务服务建设。"
    model = Scripted([bad, None])
    (section,) = draft(facts, model=model, backend="fake", section=SPENDING, runs_dir=tmp_path, jobs=1).sections
    assert section.source == "model-retried"
    assert section.violations == [
        "审核错误：写“全部用于”，但报告的数字显示资金有结余。（资金已将拨款全部用于政务服务建设）"
    ]
