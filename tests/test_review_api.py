"""The library API: silencing, levels, rule loading errors, printers."""

import json
import re
import subprocess
import sys

import pytest

from drafter.errors import RuleError
from drafter.review import printers as render
from drafter.review.engine import AcceptEntry, load_accept, review
from drafter.review.registry import load_rules

BODY = """## 二、自评情况

### （一）自评分数

自评 100 分。

### （二）资金使用绩效

年初预算为 50000 元。本项目支出 30000 元，结余 20000 元。

### （三）资金使用绩效存在的问题

部分乡镇服务站点设备老化，3 台自助终端需要更换。
"""


def rules_of(result):
    return [f.rule for f in result.findings]


def test_unsilenced_report_has_the_score_findings():
    assert rules_of(review(BODY)) == ["score-exceeds-execution", "execution-unexplained"]


def test_inline_marker_silences_the_next_paragraph_only_for_the_named_rule():
    text = BODY.replace("自评 100 分。", "<!-- drafter-ignore: score-exceeds-execution -->\n自评 100 分。")
    result = review(text)
    assert rules_of(result) == ["execution-unexplained"]
    assert result.silenced == 1


def test_inline_marker_for_another_rule_silences_nothing():
    text = BODY.replace("自评 100 分。", "<!-- drafter-ignore: stock-phrases -->\n自评 100 分。")
    assert rules_of(review(text)) == ["score-exceeds-execution", "execution-unexplained"]


def test_file_wide_marker_in_brackets():
    text = "【drafter-ignore-file: execution-unexplained】\n" + BODY
    assert rules_of(review(text)) == ["score-exceeds-execution"]


def test_accept_list_matches_rule_and_quote(tmp_path):
    accept = tmp_path / "accept.yml"
    accept.write_text("- rule: execution-unexplained\n  quote: 本项目支出\n  reason: 已在附件说明\n", encoding="utf-8")
    entries = load_accept(accept)
    assert entries == [AcceptEntry(rule="execution-unexplained", quote="本项目支出", reason="已在附件说明")]
    assert rules_of(review(BODY, accept=entries)) == ["score-exceeds-execution"]
    assert rules_of(review(BODY, accept=[AcceptEntry(rule="execution-unexplained", quote="不在原文里")])) == [
        "score-exceeds-execution",
        "execution-unexplained",
    ]


def test_bad_accept_list_names_the_file(tmp_path):
    bad = tmp_path / "accept.yml"
    bad.write_text("- rule: x\n  colour: red\n", encoding="utf-8")
    with pytest.raises(RuleError, match="accept.yml: entry"):
        load_accept(bad)


def test_min_level_filters():
    assert rules_of(review(BODY, min_level="error")) == ["score-exceeds-execution", "execution-unexplained"]
    text = BODY.replace("自评 100 分", "自评 60 分")
    assert rules_of(review(text, min_level="error")) == ["execution-unexplained"]


@pytest.mark.parametrize(
    "content,problem",
    [
        ("extends: nonsense\ncategory: figures\nlevel: error\nmessage: x\n", "unknown rule type"),
        ("extends: existence\ncategory: figures\nlevel: error\nmessage: x\ntokens: [a]\ncolour: red\n", "colour"),
        ("extends: existence\ncategory: nonsense\nlevel: error\nmessage: x\ntokens: [a]\n", "category"),
        ("extends: existence\ncategory: figures\nlevel: loud\nmessage: x\ntokens: [a]\n", "level"),
        ("extends: existence\ncategory: figures\nlevel: error\nmessage: x\n", "tokens"),
        ("extends: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_rule_files_name_the_file_and_the_key(tmp_path, content, problem):
    (tmp_path / "my-rule.yml").write_text(content, encoding="utf-8")
    with pytest.raises(RuleError, match=problem) as exc:
        load_rules([tmp_path])
    assert "my-rule.yml" in str(exc.value)


def test_a_user_rule_folder_adds_rules_and_disable_removes_them(tmp_path):
    (tmp_path / "local-slogan.yml").write_text(
        "extends: existence\ncategory: boilerplate\nlevel: info\nmessage: 口号“{match}”\ntokens: ['撸起袖子加油干']\n",
        encoding="utf-8",
    )
    rules = load_rules([tmp_path], disable={"execution-unexplained"})
    result = review(BODY + "\n大家撸起袖子加油干。\n", rules=rules)
    assert rules_of(result) == ["score-exceeds-execution", "local-slogan"]
    assert result.findings[-1].message == "口号“撸起袖子加油干”"
    with pytest.raises(RuleError, match="没有这些规则：nope"):
        load_rules(disable={"nope"})


def test_json_shape_is_the_public_interface():
    result = review(BODY)
    data = json.loads(render.to_json([result], single=True))
    assert list(data) == ["file", "corpus", "findings"]  # corpus: whether the copy check ran
    assert data["corpus"] == {"used": False}
    assert list(data["findings"][0]) == ["rule", "category", "level", "message", "quote", "start", "end", "line", "col",
                                         "evidence", "suggestion"]
    many = json.loads(render.to_json([result, result], single=False))
    assert isinstance(many, list) and len(many) == 2


def test_line_and_markdown_printers():
    result = review(BODY)
    lines = render.to_lines([result]).splitlines()
    assert lines[0].startswith("<text>:5:1:score-exceeds-execution:自评分数虚高")
    md = render.to_markdown([result])
    assert "### 评分（score）" in md and "| 5:1 | 错误 | `score-exceeds-execution` | 自评 100 分 |" in md


def test_rich_printer_groups_by_category_and_shows_arithmetic():
    from rich.console import Console

    result = review(BODY)
    console = Console(record=True, width=200)
    render.print_rich([result], {"<text>": BODY}, console)
    out = console.export_text()
    assert "评分（score）· 2" in out
    assert "30000 / 50000 = 60.00% < 90%" in out


def test_the_review_chain_is_a_runnable_that_gives_the_same_findings():
    from drafter.review.engine import review_chain
    from tests.conftest import SEEDS

    chain = review_chain()
    direct = [review(p) for p in SEEDS.values()]
    assert chain.invoke(SEEDS["gl"]) == direct[1]
    assert chain.batch(list(SEEDS.values())) == direct


# --- the library face: paths and text, unambiguously -------------------------------------------
def test_text_is_given_as_text_and_path_only_names_it():
    import drafter

    by_text = drafter.review(text=BODY)
    assert by_text == review(BODY)  # the old positional text still works
    assert by_text.file == "<text>" and rules_of(by_text) == ["score-exceeds-execution", "execution-unexplained"]
    named = drafter.review(text=BODY, path="报告.md")
    assert named.file == "报告.md" and named.findings == by_text.findings
    assert drafter.load(text=BODY, path="报告.txt").format == "txt"
    assert drafter.load(text=BODY).path == "<text>"


def test_a_single_line_of_text_is_text_only_with_text_equals():
    import drafter

    line = "自评 100 分。年初预算为 50000 元。本项目支出 30000 元，结余 20000 元。"
    assert rules_of(drafter.review(text=line + "存在的问题：3 台自助终端需要更换。")) == [
        "score-exceeds-execution", "execution-unexplained"]
    with pytest.raises(drafter.InputError) as exc:
        drafter.review(line)
    assert str(exc.value) == f"{line}: 找不到这个文件（要审核报告文字，请用 text= 传入：" \
                             "drafter.review(text=...)）"
    with pytest.raises(drafter.InputError) as exc:
        drafter.load("年初预算为 50000 元。")
    assert str(exc.value) == "年初预算为 50000 元。: 找不到这个文件（要读取报告文字，请用 text= 传入：" \
                             "drafter.load(text=...)）"
    # a line too long for a file name is still a clear InputError, shortened
    with pytest.raises(drafter.InputError) as exc:
        drafter.review("预算" * 200)
    assert exc.value.path == "预算" * 20 + "…"
    # load() never guesses: a str is a path
    with pytest.raises(drafter.InputError, match="text="):
        drafter.load(BODY)


def test_a_path_is_a_file_as_str_or_path(tmp_path):
    import drafter

    f = tmp_path / "报告.md"
    f.write_text(BODY, encoding="utf-8")
    for source in (f, str(f), drafter.load(f)):
        result = drafter.review(source)
        assert result.file == str(f) and rules_of(result) == ["score-exceeds-execution", "execution-unexplained"]
    with pytest.raises(drafter.InputError, match="这是文件夹"):
        drafter.review(str(tmp_path))


@pytest.mark.parametrize(
    "call,problem",
    [
        (lambda d: d.review(), "needs a report"),
        (lambda d: d.review("a.md", text=BODY), "not both"),
        (lambda d: d.review(path="a.md"), "path= names the report given as text="),
        (lambda d: d.review(text=b"bytes"), "text= is the report's text"),
        (lambda d: d.review(42), "not int"),
        (lambda d: d.load(), "drafter.load() needs a report"),
    ],
)
def test_calling_it_wrong_is_a_type_error(call, problem):
    import drafter

    with pytest.raises(TypeError, match=re.escape(problem)):
        call(drafter)


def test_import_drafter_is_cheap_and_its_names_stay_functions():
    """The engine and the drafting pipeline load on first use; loading their subpackages later
    does not replace drafter.review / drafter.draft by the packages."""
    code = (
        "import sys, drafter\n"
        "heavy = [m for m in ('drafter.review.engine', 'drafter.draft.pipeline', 'drafter.documents.load', 'numpy')\n"
        "         if m in sys.modules]\n"
        "import drafter.review.engine, drafter.draft.pipeline, drafter.review.printers\n"
        "print(heavy, callable(drafter.review), callable(drafter.draft), drafter.Report.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True True Report"


# --- built-in rules: read once per process ------------------------------------------------------
def test_built_in_rules_are_read_once_and_extra_folders_every_time(tmp_path, monkeypatch):
    from drafter.review import registry

    load_rules()  # the built-in rules are cached from here on
    reads = []
    original = registry._read_folder
    monkeypatch.setattr(registry, "_read_folder", lambda d: reads.append(str(d)) or original(d))
    review(text=BODY)
    review(text=BODY)
    assert reads == []
    rule = "extends: existence\ncategory: boilerplate\nlevel: info\nmessage: {}\ntokens: ['加油干']\n"
    (tmp_path / "local.yml").write_text(rule.format("一"), encoding="utf-8")
    assert review(text=BODY + "\n加油干。\n", rules=load_rules([tmp_path])).findings[-1].message == "一"
    (tmp_path / "local.yml").write_text(rule.format("二"), encoding="utf-8")
    assert review(text=BODY + "\n加油干。\n", rules=load_rules([tmp_path])).findings[-1].message == "二"
    assert reads == [str(tmp_path), str(tmp_path)]


def test_changing_what_load_rules_returns_does_not_reach_the_cache():
    from pydantic import ValidationError

    rules = load_rules()
    count = len(rules)
    rules.clear()
    assert len(load_rules()) == count and load_rules() is not load_rules()
    rule = next(r for r in load_rules() if r.id == "execution-unexplained")
    with pytest.raises(ValidationError):
        rule.level = "info"
    with pytest.raises(ValidationError):
        rule.params.threshold = 0.1
    assert rules_of(review(text=BODY)) == ["score-exceeds-execution", "execution-unexplained"]


# --- printers: one table keyed by --format ----------------------------------------------------------
def test_the_printer_table_is_keyed_by_the_format_name(tmp_path):
    from rich.console import Console

    from drafter.documents.load import from_text
    from drafter.errors import DrafterError

    report = from_text(BODY, path="报告.md")
    result = review(report)
    assert render.FORMATS == ("rich", "line", "json", "md", "docx")
    assert render.render("json", [result], single=True) == render.to_json([result], single=True)
    assert render.render("json", [result], single=False) == render.to_json([result], single=False)
    assert render.render("line", [result]) == render.to_lines([result])
    assert render.render("md", [result]) == render.to_markdown([result])
    console = Console(record=True, width=200)
    assert render.render("rich", [result], reports=[report], console=console) is None
    shown = console.export_text()
    assert "评分（score）· 2" in shown and "30000 / 50000 = 60.00% < 90%" in shown
    out = tmp_path / "审核.docx"
    assert render.render("docx", [result], reports=[report], output=str(out)) == f"写入 {out}：2 条批注"
    assert out.is_file() and render.PRINTERS["docx"].to_file and not render.PRINTERS["json"].to_file
    with pytest.raises(DrafterError, match="未知的输出格式 html"):
        render.render("html", [result])
