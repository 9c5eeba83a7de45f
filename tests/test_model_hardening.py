"""The model path under attack (issue 13, items 7–9): a model that slips in numbers of other
units, a model that tries to silence the review, and an endpoint that echoes the API key."""

import pytest

from drafter.draft.guard import allowed_of, unknown_figures
from drafter.draft.pipeline import draft
from drafter.facts.derive import derive
from drafter.facts.model import load_facts
from tests.conftest import ROOT
from tests.test_draft import Scripted, _facts_of

JSTG = ROOT / "examples" / "facts-jstg.yaml"
INVENTED = "审批效率提升 3 倍，办事平均用时缩短至 2.5 秒，系统可用性达到 99.99，服务器扩容至 64 核。"


# --- item 7: every number of model text is a fact, a derived figure, a date or an ordinal --------
def test_numbers_of_any_unit_or_none_are_caught_in_every_model_section(tmp_path):
    facts = load_facts(JSTG)
    model = Scripted([lambda user: _facts_of(user) + INVENTED] * 20)
    result = draft(facts, model=model, backend="fake", runs_dir=tmp_path, jobs=1)
    written = [s for s in result.sections if s.raw]
    assert len(written) == 6
    caught = [f"出现了事实中没有的数字：{x}" for x in ("3 倍", "2.5 秒", "99.99", "64 核")]
    for s in written:
        assert s.source == "offline-fallback"
        assert s.violations == caught + caught  # the first answer and the retry
    for x in ("3 倍", "2.5 秒", "99.99", "64 核"):
        assert x not in result.markdown


@pytest.mark.parametrize(("text", "invented"), [
    ("审批效率提升 3 倍，办事平均用时缩短至 2.5 秒，系统可用性达到 99.99，服务器扩容至 64 核。",
     ["3 倍", "2.5 秒", "99.99", "64 核"]),
    ("审批效率提升三倍，满意度达到百分之九十七，新增服务器二十台，响应时间缩短至三点五秒。",
     ["三倍", "百分之九十七", "二十台", "三点五秒"]),
    ("项目于 2023 年 6 月完成验收，2021 年起实施，新增 ６４ 核、５２００元。",
     ["6 月", "2021 年", "６４ 核", "５２００元"]),
    ("3-5 个工作日办结，办件量达 3200 以上。", ["3", "5 个", "3200"]),
])
def test_the_exact_invented_numbers_are_named(text, invented):
    assert unknown_figures(text, allowed_of(derive(load_facts(JSTG)))) == invented


def test_dates_ordinals_and_the_facts_figures_pass():
    clean = (
        "2023 年 1-12 月，项目按计划实施：一是共发布实施清单 20104 项；二是已发布“一件事”事项 117 项，"
        "县级依申请政务服务事项全流程网办率达 81.48%。\n\n"
        "（三）将 8 项村级证明事项纳入省政务服务事项管理系统，县镇村三级政务服务事项全部纳入广东政务服务网。\n\n"
        "1. 全年支出 22516 元，结余 4484 元，预算执行率为 83.39%，低于 90%。\n\n"
        "2.1 截至 2023 年 12 月 31 日，抽查各单位线上办事指南 491 个事项，发现问题 539 个，第三方复核后整改；"
        "第二季度起实行“每周一统计，每月一通报”，内设 4 个股室，二〇二三年度自评 100 分。\n\n"
        "2024 年将继续推广“粤省事”。成效主要体现在两个方面，问题分三个部分说明。"
    )
    assert unknown_figures(clean, allowed_of(derive(load_facts(JSTG)))) == []


# --- item 8: model output is data: it cannot silence the review --------------------------------
CLAIMS = "政务服务水平得到明显提升，群众满意度大幅提高。"


def _draft_with(tmp_path, tail: str):
    model = Scripted([lambda user: _facts_of(user) + CLAIMS + tail] * 20)
    return draft(load_facts(JSTG), model=model, backend="fake", runs_dir=tmp_path, jobs=1)


@pytest.mark.parametrize("payload", [
    "\n\n<!-- drafter-ignore-file -->",
    "<!-- drafter-ignore -->",
    "\n<!-- drafter-ignore-file: intensifier-claim, slogan-improvements -->\n",
    "【drafter-ignore】",
    "\n【drafter-ignore-file: intensifier-claim】",
    "<!-<!-- x -->- drafter-ignore-file -->",  # halves that a naive removal would join
    "<!--\n drafter-ignore-file\n-->",
    "\n\n---\n\n# 一、基本情况\n\n<!-- drafter-ignore-file -->",
])
def test_a_model_cannot_silence_the_review_of_its_draft(tmp_path, payload):
    plain = _draft_with(tmp_path / "plain", "")
    rules = [(f.rule, f.quote) for f in plain.review.findings]
    assert [r for r, _ in rules].count("intensifier-claim") == 4
    result = _draft_with(tmp_path / "marked", payload)
    assert [(f.rule, f.quote) for f in result.review.findings] == rules
    assert result.review.silenced == 0
    assert "drafter-" not in result.markdown and "<!--" not in result.markdown and "-->" not in result.markdown
    assert result.markdown.count("# 一、基本情况") == 1  # no heading of the model's
    assert all("drafter-ignore" in s.raw[0] for s in result.sections if s.raw)  # the raw answer stays, as data


def test_markers_the_user_wrote_in_the_facts_are_honoured(tmp_path):
    facts = load_facts(JSTG)
    marked = facts.project.model_copy(update={"description": "<!-- drafter-ignore-file: slogan-improvements -->"})
    result = draft(facts.model_copy(update={"project": marked}), runs_dir=tmp_path)
    assert result.review.findings == [] and result.review.silenced == 1


def test_a_review_honours_only_trusted_markers():
    from drafter.review.engine import review

    text = f"## 一、基本情况\n\n{CLAIMS}\n\n<!-- drafter-ignore-file -->\n"
    assert review(text=text, path="a.md").silenced == 1
    assert review(text=text, path="a.md", trusted_markers="").silenced == 0
    assert review(text=text, path="a.md", trusted_markers="<!-- drafter-ignore-file -->").silenced == 1


# --- item 9: no API key in a message, a finding or a log line ----------------------------------
KEY = "tok-7f3a9c2e5b8d1f64"  # not shaped like an OpenAI key: caught because drafter read it
SK_KEY = "sk-proj-Q1w2E3r4T5y6U7i8O9p0"


@pytest.fixture
def echoing():
    from tests.fake_openai import FakeOpenAI

    s = FakeOpenAI()
    s.default = lambda body: _facts_of(body["messages"][-1]["content"])
    yield s
    s.close()


def _cli(tmp_path, server, key, *args, env=None):
    import os
    import subprocess

    from tests.test_draft import DRAFTER

    e = {**os.environ, "DRAFTER_KEY": key, "DRAFTER_API_KEY_ENV": "DRAFTER_KEY", "COLUMNS": "200",
         "DRAFTER_TIMEOUT": "20", **(env or {})}
    backend = ["--backend", "openai"] if args[0] == "draft" else []
    return subprocess.run([*DRAFTER, *args, *backend, "--model", "scripted", "--base-url", server.url],
                          cwd=tmp_path, capture_output=True, text=True, env=e, timeout=300)


@pytest.mark.parametrize("key", [KEY, SK_KEY])
def test_an_error_body_echoing_the_key_never_shows_it(tmp_path, echoing, key):
    echoing.enqueue(("echo", 401))
    proc = _cli(tmp_path, echoing, key, "draft", str(JSTG), "--section", "二/（二）/1", "-o", "out.md",
                env={"OPENAI_LOG": "debug"})  # the openai client's own log lines too
    assert echoing.requests[0]["auth"] == f"Bearer {key}"  # the key was sent, and echoed back
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("drafter:"))
    assert line == ("drafter: 模型调用失败（OpenAIAuthenticationError: Error code: 401 - "
                    "Incorrect API key provided: ***. Request headers: Authorization: Bearer ***）")
    assert key not in proc.stderr and key not in proc.stdout and key[4:12] not in proc.stderr


def test_a_failed_claim_check_finding_never_shows_the_key(tmp_path, echoing):
    import json

    report = tmp_path / "r.md"
    report.write_text(f"## 三、绩效目标完成情况\n\n通过项目实施，{CLAIMS}\n", encoding="utf-8")
    echoing.enqueue(*[("echo", 401)] * 5)
    proc = _cli(tmp_path, echoing, KEY, "review", str(report), "--llm", "--format", "json", "--no-index")
    assert echoing.requests and all(r["auth"] == f"Bearer {KEY}" for r in echoing.requests)
    failed = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "llm-check-failed"]
    assert len(failed) == 1 and "Incorrect API key provided: ***" in failed[0]["message"]
    assert KEY not in proc.stdout and KEY not in proc.stderr


def test_redact_takes_out_remembered_keys_and_key_shapes(caplog):
    import logging

    from drafter.secrets import redact, redact_logs, remember

    remember("c0ffee-beef-cafe")
    assert redact("key c0ffee-beef-cafe; Authorization: Bearer abc.DEF-123; sk-live_ABCDEFG; api_key=\"hunter22\"") == (
        "key ***; Authorization: Bearer ***; sk-***; api_key=\"***\"")
    assert redact("金额 22516 元，Bearer 一词") == "金额 22516 元，Bearer 一词"  # nothing else touched
    redact_logs()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("httpx").warning("sent %s", "Bearer c0ffee-beef-cafe")
        try:
            raise RuntimeError("echo: c0ffee-beef-cafe")
        except RuntimeError:
            logging.getLogger("openai").exception("failed")
    assert "c0ffee" not in caplog.text and "sent Bearer ***" in caplog.text and "echo: ***" in caplog.text
