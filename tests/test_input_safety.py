"""Small hostile inputs (issue 13, items 1, 3, 11 and 14): YAML anchors and aliases ("billion
laughs") in every kind of YAML a user gives, zip-bomb .docx packages and over-long reports,
100,000-deep JSON and YAML, a truncated eval case file, symbolic link loops and unreadable
folders inside a reviewed folder.

Each is one line on stderr naming the file and the problem, exit code 2, no traceback. The
commands run in a subprocess with an address-space limit (``MEMORY``) and a timeout, so an
input that still expands fails the test instead of exhausting the machine."""

import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from drafter.documents import zipcheck
from drafter.documents.load import MAX_CHARS, expand, load
from drafter.errors import InputError
from drafter.safeload import load_json, load_yaml
from tests import docgen
from tests.conftest import ROOT, SEEDS

_SCRIPT = Path(sys.executable).with_name("drafter")
DRAFTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "drafter.cli"]
MEMORY = 512 * 1024 * 1024  # a review of a seed report needs about 60 MB resident
TIMEOUT = 60


def drafter(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_") and k not in ("COLUMNS", "LINES")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([*DRAFTER, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=TIMEOUT, preexec_fn=limit)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return [line for line in proc.stderr.splitlines() if line.strip()]


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr[-2000:]
    return lines[0]


def seed(folder: Path, name: str = "good.md") -> str:
    shutil.copy(SEEDS["gl"], folder / name)
    return name


# --- item 1: YAML anchors and aliases --------------------------------------------------------

# ten levels of ten: 10,000,000,000 strings once expanded, 700 bytes as written
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefghi", "bcdefghij")) + "unit: *j\n"
ALIAS = "用了 YAML 锚点或别名（&、*）：drafter 不展开锚点和别名，请把内容直接写出"


def _front_matter(d: Path) -> tuple[list[str], str, int]:
    body = SEEDS["gl"].read_text(encoding="utf-8")
    (d / "laughs.md").write_text(f"---\n{LAUGHS}---\n{body}", encoding="utf-8")
    return ["review", "laughs.md"], "laughs.md", 2  # the header starts on the file's line 2


def _facts(d: Path) -> tuple[list[str], str, int]:
    (d / "facts.yaml").write_text(LAUGHS, encoding="utf-8")
    return ["draft", "facts.yaml"], "facts.yaml", 1


def _accept_list(d: Path) -> tuple[list[str], str, int]:
    text = "- rule: stock-phrases\n  reason: 说明\n- rule: laughs\n  more:\n" + textwrap.indent(LAUGHS, "    ")
    (d / "accept.yml").write_text(text, encoding="utf-8")
    return ["review", "--accept", "accept.yml", seed(d)], "accept.yml", 5


def _rules_folder(d: Path) -> tuple[list[str], str, int]:
    (d / "rules").mkdir()
    (d / "rules" / "laughs.yml").write_text(LAUGHS, encoding="utf-8")
    return ["review", "--rules", "rules", seed(d)], str(Path("rules") / "laughs.yml"), 1


def _config(d: Path) -> tuple[list[str], str, int]:
    (d / "drafter.yml").write_text(LAUGHS, encoding="utf-8")
    return ["review", seed(d)], "drafter.yml", 1


def _suite(d: Path) -> tuple[list[str], str, int]:
    (d / "suite.yaml").write_text("name: laughs\n" + LAUGHS, encoding="utf-8")
    return ["eval", "suite.yaml"], "suite.yaml", 2


YAML_FILES = [_front_matter, _facts, _accept_list, _rules_folder, _config, _suite]


@pytest.mark.parametrize("make", YAML_FILES, ids=[m.__name__.strip("_") for m in YAML_FILES])
def test_yaml_aliases_are_refused_in_every_file_a_user_gives(tmp_path, make):
    args, name, line = make(tmp_path)
    assert one_line(drafter(tmp_path, *args)) == f"drafter: {name}: 第 {line} 行{ALIAS}"


def test_the_loader_refuses_any_anchor_and_keeps_ordinary_text():
    for text, line in [("unit: &u 新丰县\n", 1), ("base: {a: 1}\nother:\n  <<: *base\n", 3),
                       ("a: 1\nb: !!str &x 2\n", 2)]:
        with pytest.raises(InputError) as err:
            load_yaml(text, "f.yml")
        assert str(err.value) == f"f.yml: 第 {line} 行{ALIAS}"
    ordinary = "unit: 科技&信息局\nnote: '*号为必填'\nlist: [a*b, c&d]\n"
    assert load_yaml(ordinary, "f.yml") == {"unit": "科技&信息局", "note": "*号为必填", "list": ["a*b", "c&d"]}


def test_prompt_files_refuse_aliases(tmp_path):
    from drafter.llm.prompts import load_prompt

    (tmp_path / "section.yml").write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_prompt("section", tmp_path)
    assert str(err.value) == f"{tmp_path / 'section.yml'}: 第 1 行{ALIAS}"


# --- item 11: nesting 100,000 deep, a truncated eval case file ---------------------------------

DEEP = "嵌套超过 50 层{}：这不是 drafter 能读的数据文件"


@pytest.mark.parametrize("name, text, where", [
    ("deep.json", '{"year": ' + "[" * 100_000 + "]" * 100_000 + "}", ""),
    ("deep.yaml", "year: " + "[" * 100_000 + "]" * 100_000 + "\n", "（第 1 行）"),
    ("deep-block.yaml", "".join(" " * i + "- \n" for i in range(200)), "（第 51 行）"),
])
def test_deeply_nested_facts_are_one_line(tmp_path, name, text, where):
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert one_line(drafter(tmp_path, "draft", name)) == f"drafter: {name}: {DEEP.format(where)}"


def test_a_flat_header_read_by_libyaml_is_the_same_and_shallow_nesting_is_still_counted():
    """Flat YAML (no anchors, flow collections, tags, block scalars, little indentation) is read
    by libyaml: the same data as the guarded loader; its depth is still checked after."""
    import yaml

    from drafter.safeload import UserLoader

    header = "unit: 县卫生健康局\nproject: 基本公共卫生服务\nyear: 2023\nbudget: 1234.5\nflag: yes\nwhen: 2024-01-05\n"
    assert load_yaml(header, "h.md") == yaml.load(header, Loader=UserLoader)
    deep = "".join(" " * i + "a:\n" for i in range(38)) + " " * 38 + "- x\n"
    assert load_yaml(deep, "d.yml") is not None  # 39 levels: read
    with pytest.raises(InputError, match="嵌套超过 50 层"):
        load_yaml("".join(" " * i + "- \n" for i in range(60)), "d.yml")  # deep indentation: the guarded loader


def test_nesting_up_to_the_limit_is_read():
    assert load_json("[" * 50 + "]" * 50, "f.json") is not None
    assert load_yaml("[" * 50 + "]" * 50, "f.yml") is not None
    with pytest.raises(InputError):
        load_json("[" * 51 + "]" * 51, "f.json")


def test_a_truncated_eval_case_file_is_one_line(tmp_path):
    shutil.copy(SEEDS["gl"], tmp_path / "r.md")
    (tmp_path / "suite.yaml").write_text("name: tiny\ndraft: false\ncases:\n  - {id: r, report: r.md}\n",
                                         encoding="utf-8")
    first = drafter(tmp_path, "eval", "suite.yaml", "--run-id", "t1")
    assert first.returncode == 0, first.stderr
    case = Path("evals", "results", "t1", "cases", "offline", "review-r.json")
    data = (tmp_path / case).read_bytes()
    assert json.loads(data)["case"] == "r"
    (tmp_path / case).write_bytes(data[: len(data) // 2])  # a disk that filled up, a copy cut short
    assert one_line(drafter(tmp_path, "eval", "suite.yaml", "--run-id", "t1")) == (
        f"drafter: {case}: 用例结果文件不完整或已损坏（不是完整的 JSON）：删除这个文件后用同一个 --run-id 继续，"
        "这个用例会重新运行")


def test_a_deep_labelled_excerpt_is_named(tmp_path):
    from drafter.evals.excerpts import load_excerpt

    (tmp_path / "01.json").write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_excerpt(tmp_path / "01.json")
    assert str(err.value) == f"{tmp_path / '01.json'}: {DEEP.format('')}"


# --- item 3: zip bombs and over-long reports ---------------------------------------------------


def test_a_docx_bomb_is_refused_before_it_is_unpacked(tmp_path):
    docgen.write_docx_bomb(tmp_path / "bomb.docx", 200)  # 200 MB of XML in under 1 MB
    assert (tmp_path / "bomb.docx").stat().st_size < 1024 * 1024
    line = one_line(drafter(tmp_path, "review", "bomb.docx"))
    assert line == ("drafter: bomb.docx: 压缩比异常：包内 word/document.xml 解压后 199.9 MB，是压缩后的 223 倍"
                    "（超过 100 倍），疑似压缩炸弹，不予读取")


def test_a_docx_that_understates_its_size_is_refused(tmp_path):
    docgen.write_docx_bomb(tmp_path / "liar.docx", 200, declared_mb=1)  # headers say 1 MB
    line = one_line(drafter(tmp_path, "review", "liar.docx"))
    assert line == ("drafter: liar.docx: 包内 word/document.xml 的内容与它声明的大小或校验和不符"
                    "（文件已损坏或被篡改），不予读取")


def test_a_spreadsheet_bomb_is_refused(tmp_path):
    docgen.write_docx_bomb(tmp_path / "bomb.docx", 200)
    (tmp_path / "bomb.docx").rename(tmp_path / "table.xlsx")
    line = one_line(drafter(tmp_path, "facts", "import", "table.xlsx"))
    assert line == ("drafter: table.xlsx: 压缩比异常：包内 word/document.xml 解压后 199.9 MB，是压缩后的 223 倍"
                    "（超过 100 倍），疑似压缩炸弹，不予读取")


def test_the_unpacked_size_of_a_package_is_limited(tmp_path):
    with zipfile.ZipFile(tmp_path / "big.docx", "w", zipfile.ZIP_STORED) as z:  # no compression at all
        for n in range(6):
            z.writestr(f"word/media/image{n}.bin", os.urandom(9 * 1024 * 1024))
    with pytest.raises(InputError) as err:
        zipcheck.check_package(tmp_path / "big.docx", "big.docx")
    assert str(err.value) == ("big.docx: 解压后过大（至少 54.0 MB，上限 50.0 MB）：一份报告用不了这么多，"
                              "疑似压缩炸弹，不予读取")


def test_a_small_repetitive_docx_is_still_read(tmp_path):
    # 2 MB of one paragraph repeated packs 200 times smaller: under the size the ratio is checked from
    docgen.write_docx_bomb(tmp_path / "repeated.docx", 2)
    report = load(tmp_path / "repeated.docx")
    assert report.text.count("项目支出 100 元") > 20_000


def test_the_text_of_a_report_is_limited(tmp_path):
    line = "项目支出 100 元，预算执行率 100%。\n"
    count = MAX_CHARS // len(line) + 1
    (tmp_path / "long.txt").write_text(line * count, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(tmp_path / "long.txt")
    assert str(err.value) == (f"{tmp_path / 'long.txt'}: 报告文字过多（{len(line) * count:,} 字，上限 10,000,000 字）："
                              "一份报告用不了这么多，请只审核报告本身")


# --- item 14: symbolic link loops and unreadable folders inside a reviewed folder --------------


def test_link_loops_in_a_folder_are_listed_as_unusable(tmp_path):
    (tmp_path / "reports" / "sub").mkdir(parents=True)
    seed(tmp_path / "reports")
    os.symlink("..", tmp_path / "reports" / "sub" / "up")  # back to a folder above it
    os.symlink("self", tmp_path / "reports" / "sub" / "self")  # to itself
    proc = drafter(tmp_path, "review", "--format", "json", "reports")
    assert error_lines(proc) == [
        f"drafter: {Path('reports/sub/self')}: 符号链接成环（指向它自己），无法使用",
        f"drafter: {Path('reports/sub/up')}: 符号链接成环（指向它所在的文件夹或更上层的文件夹），无法使用",
    ]
    assert json.loads(proc.stdout)["file"] == str(Path("reports/good.md"))  # the one report, reviewed


def test_links_into_one_folder_list_its_reports_once(tmp_path):
    # 16 folders, each with two links to the next: 65,536 ways down to the last one's report
    for n in range(16):
        (tmp_path / f"d{n}").mkdir()
        for side in "ab":
            os.symlink(tmp_path / f"d{n + 1}", tmp_path / f"d{n}" / side, target_is_directory=True)
    (tmp_path / "d16").mkdir()
    (tmp_path / "d16" / "r.md").write_text("一、基本情况\n", encoding="utf-8")
    files, empty, unusable = expand([tmp_path / "d0"])
    assert files == [str(tmp_path / "d0" / "a" / Path(*["a"] * 15) / "r.md")]
    assert empty == [] and unusable == []


def _refusing(scandir, name: str):
    """``os.scandir`` that raises PermissionError for the folders called ``name``."""

    def refusing(path):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    return refusing


def test_an_unreadable_folder_is_listed_as_unusable(tmp_path, monkeypatch):
    # the tests run as root, who reads any folder: the refusal is simulated
    (tmp_path / "reports" / "locked").mkdir(parents=True)
    (tmp_path / "reports" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    for name in ("reports/a.md", "reports/locked/b.md", "elsewhere/c.md"):
        (tmp_path / name).write_text("一、基本情况\n", encoding="utf-8")
    monkeypatch.setattr(os, "scandir", _refusing(os.scandir, "locked"))
    files, empty, unusable = expand([tmp_path / "reports"])
    assert files == [str(tmp_path / "reports" / "a.md"), str(tmp_path / "reports" / "linked" / "c.md")]
    assert empty == []
    locked = tmp_path / "reports" / "locked"
    assert [str(e) for e in unusable] == [f"{locked}: 无法读取这个文件夹（Permission denied），其中的文件无法使用"]


def test_the_review_command_names_the_unreadable_folder(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from drafter.cli import main

    (tmp_path / "reports" / "locked").mkdir(parents=True)
    seed(tmp_path / "reports")
    monkeypatch.setattr(os, "scandir", _refusing(os.scandir, "locked"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["review", "--no-index", "--format", "line", "reports"])
    assert result.exit_code == 2
    # (after the error, --format line's note on the corpus: 未使用语料库…)
    assert result.stderr.splitlines()[:-1] == [
        f"drafter: {Path('reports/locked')}: 无法读取这个文件夹（Permission denied），其中的文件无法使用"]
    assert result.stderr.splitlines()[-1].startswith("未使用语料库")
    assert result.stdout.startswith(str(Path("reports/good.md")) + ":")


def test_a_folder_of_good_reports_has_nothing_unusable():
    files, empty, unusable = expand([ROOT / "corpus"])
    assert len(files) == 3 and empty == [] and unusable == []
