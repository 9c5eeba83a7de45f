"""The library API: silencing, levels, rule loading errors, printers."""

import json

import pytest

from drafter.review import printers as render
from drafter.errors import RuleError
from drafter.review.engine import AcceptEntry, load_accept, review
from drafter.review.registry import load_rules

BODY = """## 二、自评情况

### （一）自评分数

自评 100 分。

### （二）资金使用绩效

年初预算为 50000 元。本项目支出 30000 元，结余 20000 元。
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
    with pytest.raises(RuleError, match="no such rule: nope"):
        load_rules(disable={"nope"})


def test_json_shape_is_the_public_interface():
    result = review(BODY)
    data = json.loads(render.to_json([result], single=True))
    assert set(data) == {"file", "findings"}
    assert list(data["findings"][0]) == ["rule", "category", "level", "message", "quote", "start", "end", "line", "col", "evidence", "suggestion"]
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
