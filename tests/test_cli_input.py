"""Bad input through the real command line (a subprocess running the installed ``drafter``):
one clear line on stderr naming the file and the problem, exit code 2, no traceback, and the
good files of a batch still reviewed. Also the output formats' shapes and the exit codes.

The commands run inside tmp_path with relative file names, as a user types them."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import docgen
from tests.conftest import SEEDS

_SCRIPT = Path(sys.executable).with_name("drafter")
DRAFTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "drafter.cli"]
FINDING_KEYS = {"rule", "category", "level", "message", "quote", "start", "end", "line", "col", "evidence",
                "suggestion"}

CLEAN = """# 财政支出项目绩效自评报告

(2023 年度)

## 一、基本情况

### （一）项目单位基本情况

县政务服务数据管理局是县政府工作部门，内设 4 个股室。

### （二）项目基本情况

项目用于县政府网站运行维护。年初预算为 50000 元。

## 二、自评情况

### （一）自评分数

自评 96 分。

### （二）资金使用绩效

#### 1. 资金支出情况

2023 年本项目支出 48000 元，结余 2000 元，预算执行率 96%。

#### 2. 资金完成绩效目标情况

网站全年运行 365 天，发布信息 1200 条，安全事件 0 起。

#### 3. 资金分用途使用绩效

运维服务费 40000 元，安全检测费 8000 元。

### （三）资金使用绩效存在的问题

第四季度付款较集中，12 月支付 20000 元，占全年支出的 41.7%。

## 三、改进意见

2024 年起按季度分期付款，每季度末前完成当季支付。
"""


def run(cwd: Path, *args: str, columns: int | None = 1000) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    if columns:
        # cli.py's rich Console wraps stderr at the terminal width (80 when it is not a
        # terminal): a wide one keeps these tests about the messages; the xfail test at the
        # end shows the wrapping itself
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [*DRAFTER, "review", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120
    )


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    """stderr's lines but the note of --format line on whether a corpus was used."""
    return [line for line in proc.stderr.splitlines()
            if line.strip() and not line.startswith(("语料库：", "未使用语料库"))]


def seed(tmp_path: Path, key: str = "gl", name: str = "good.md") -> str:
    shutil.copy(SEEDS[key], tmp_path / name)
    return name


# --- one bad input at a time -----------------------------------------------------------------


def _empty(d: Path) -> str:
    (d / "empty.md").write_bytes(b"")
    return "empty.md"


def _blank(d: Path) -> str:
    (d / "blank.txt").write_text("\n  \n\t\n", encoding="utf-8")
    return "blank.txt"


def _bad_metadata(d: Path) -> str:
    (d / "meta.md").write_text("---\nyear: [2023\n---\n\n一、基本情况\n", encoding="utf-8")
    return "meta.md"


def _binary(d: Path) -> str:
    (d / "binary.txt").write_bytes(os.urandom(4096) + b"\x00\x00" + os.urandom(512))
    return "binary.txt"


def _junk_zip_docx(d: Path) -> str:
    docgen.write_corrupt_docx(d / "junkzip.docx")
    return "junkzip.docx"


def _junk_docx(d: Path) -> str:
    (d / "junk.docx").write_bytes(b"this is not a word document\x00\x01\x02" * 50)
    return "junk.docx"


def _truncated_docx(d: Path) -> str:
    data = docgen.write_docx(d / "full.docx", [("p", "正文。")] * 50).read_bytes()
    (d / "full.docx").unlink()
    (d / "cut.docx").write_bytes(data[: len(data) // 2])
    return "cut.docx"


def _scan_pdf(d: Path) -> str:
    docgen.write_blank_pdf(d / "scan.pdf")
    return "scan.pdf"


def _junk_pdf(d: Path) -> str:
    (d / "junk.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    return "junk.pdf"


def _huge(d: Path) -> str:
    with open(d / "huge.md", "wb") as f:  # sparse: instant, takes no disk space
        f.truncate(50 * 1024 * 1024)
    return "huge.md"


def _xls(d: Path) -> str:
    (d / "report.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    return "report.xls"


def _missing(d: Path) -> str:
    return "missing.md"


def _empty_folder(d: Path) -> str:
    (d / "nothing").mkdir()
    (d / "nothing" / "notes.xls").write_bytes(b"x")
    return "nothing"


BAD = [
    (_empty, "文件是空的"),
    (_blank, "报告里没有文字"),
    (_bad_metadata, "两行 '---' 之间的元数据头不是有效的 YAML"),
    (_binary, "二进制文件，不是文字报告"),
    (_junk_zip_docx, "不是有效的 Word（.docx）文件"),
    (_junk_docx, "不是有效的 Word（.docx）文件"),
    (_truncated_docx, "Word 文件已损坏"),
    (_scan_pdf, "没有文字层"),
    (_junk_pdf, "PDF 文件已损坏或不完整"),
    (_huge, "文件太大（50.0 MB），上限为 20 MB"),
    (_xls, "不支持的文件类型 .xls"),
    (_missing, "找不到这个文件"),
    (_empty_folder, "这个文件夹里没有 .md、.txt、.docx 或 .pdf 文件"),
]


@pytest.mark.parametrize("make, problem", BAD, ids=[m.__name__.strip("_") for m, _ in BAD])
def test_bad_input_is_one_line_exit_2_no_traceback(tmp_path, make, problem):
    name = make(tmp_path)
    proc = run(tmp_path, name)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert name in lines[0] and problem in lines[0]
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("make, problem", BAD[:-1], ids=[m.__name__.strip("_") for m, _ in BAD[:-1]])
def test_a_bad_file_does_not_stop_the_batch(tmp_path, make, problem):
    bad = make(tmp_path)
    good = seed(tmp_path)
    proc = run(tmp_path, "--format", "line", bad, good)
    assert proc.returncode == 2  # a file could not be used, even though the good one has errors
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1 and bad in lines[0] and problem in lines[0]
    out = proc.stdout.splitlines()
    assert out and all(line.startswith(f"{good}:") for line in out)
    assert any(":execution-unexplained:" in line for line in out)


def test_batch_with_a_folder_reviews_every_report_in_it(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for key in SEEDS:
        seed(folder, key, f"{key}.md")
    (folder / "broken.docx").write_bytes(b"junk")
    (folder / "notes.xls").write_bytes(b"junk")  # not a report type: skipped when expanding a folder
    proc = run(tmp_path, "--format", "json", "reports")
    assert proc.returncode == 2
    lines = error_lines(proc)
    assert len(lines) == 1 and "broken.docx" in lines[0]
    data = json.loads(proc.stdout)
    assert sorted(Path(r["file"]).name for r in data) == ["gl.md", "jstg.md", "ww.md"]


# --- output formats and exit codes -----------------------------------------------------------


def test_json_for_one_file_is_an_object(tmp_path):
    name = seed(tmp_path)
    proc = run(tmp_path, "--format", "json", name)
    assert proc.returncode == 1 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert isinstance(data, dict) and set(data) == {"file", "corpus", "findings"}
    assert data["file"] == name
    assert data["findings"]
    text = (tmp_path / name).read_text(encoding="utf-8")
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["level"] in ("info", "warning", "error")
        assert isinstance(f["start"], int) and isinstance(f["line"], int) and f["line"] >= 1 and f["col"] >= 1
        assert text[f["start"] : f["end"]] == f["quote"]  # offsets into the file's own text
        assert text.split("\n")[f["line"] - 1][f["col"] - 1 :].startswith(f["quote"].split("\n")[0])


def test_json_for_two_files_is_a_list(tmp_path):
    a, b = seed(tmp_path, "gl", "a.md"), seed(tmp_path, "ww", "b.md")
    proc = run(tmp_path, "--format", "json", a, b)
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and [r["file"] for r in data] == [a, b]
    for result in data:
        assert set(result) == {"file", "corpus", "findings"}
        assert all(set(f) == FINDING_KEYS for f in result["findings"])


def test_line_format(tmp_path):
    name = seed(tmp_path)
    proc = run(tmp_path, "--format", "line", name)
    lines = proc.stdout.splitlines()
    assert lines
    for line in lines:
        m = re.fullmatch(r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+):(?P<rule>[a-z0-9-]+):(?P<message>.+)", line)
        assert m, line
        assert m["path"] == name
    assert any(":execution-unexplained:" in line for line in lines)
    # the same findings as the JSON, in the same order
    data = json.loads(run(tmp_path, "--format", "json", name).stdout)
    assert [line.split(":")[3] for line in lines] == [f["rule"] for f in data["findings"]]


def test_exit_1_with_error_findings_and_0_without(tmp_path):
    bad = seed(tmp_path)
    (tmp_path / "clean.md").write_text(CLEAN, encoding="utf-8")
    assert run(tmp_path, "--format", "line", bad).returncode == 1
    clean = run(tmp_path, "--format", "json", "clean.md")
    assert clean.returncode == 0, clean.stdout
    assert json.loads(clean.stdout) == {"file": "clean.md", "corpus": {"used": False}, "findings": []}
    assert run(tmp_path, "clean.md").returncode == 0  # the rich printer too
    assert run(tmp_path, "--format", "md", "clean.md").returncode == 0
    assert run(tmp_path, "--format", "line", bad, "clean.md").returncode == 1


def test_clean_docx_and_pdf_exit_0(tmp_path):
    items = []
    for line in CLEAN.splitlines():
        if line.startswith("#"):
            hashes = len(line) - len(line.lstrip("#"))
            items.append(("title" if hashes == 1 else f"h{hashes - 1}", line.lstrip("# ")))
        elif line.strip():
            items.append(("p", line))
    docgen.write_docx(tmp_path / "clean.docx", items)
    pages = [[("line", text) if kind != "p" else ("p", text) for kind, text in items]]
    docgen.write_pdf(tmp_path / "clean.pdf", pages)
    proc = run(tmp_path, "--format", "json", "clean.docx", "clean.pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [r["findings"] for r in json.loads(proc.stdout)] == [[], []]


def test_min_level_error_hides_warnings(tmp_path):
    name = seed(tmp_path)
    everything = json.loads(run(tmp_path, "--format", "json", name).stdout)["findings"]
    errors = json.loads(run(tmp_path, "--format", "json", "--min-level", "error", name).stdout)["findings"]
    assert {f["level"] for f in everything} >= {"warning", "error"}
    assert errors and all(f["level"] == "error" for f in errors)
    assert errors == [f for f in everything if f["level"] == "error"]
    warnings = json.loads(run(tmp_path, "--format", "json", "--min-level", "warning", name).stdout)["findings"]
    assert all(f["level"] in ("warning", "error") for f in warnings) and len(warnings) > len(errors)
    proc = run(tmp_path, "--format", "line", "--min-level", "error", name)
    assert proc.returncode == 1 and proc.stdout.count("\n") == len(errors)


def test_max_mb_raises_the_limit(tmp_path):
    with open(tmp_path / "big.md", "wb") as f:
        f.write(SEEDS["gl"].read_bytes())
        f.write(b"\n" + b" " * (3 * 1024 * 1024) + b"\n")
    too_big = run(tmp_path, "--max-mb", "2", "big.md")
    assert (too_big.returncode == 2 and "文件太大（3.0 MB），上限为 2 MB" in too_big.stderr
            and "--max-mb" in too_big.stderr)
    assert run(tmp_path, "--format", "line", "--max-mb", "5", "big.md").returncode == 1


# --- error lines: one plain line, brackets kept, empty folders reported --------------------


def test_a_long_error_stays_on_one_line(tmp_path):
    name = "a-report-with-a-rather-long-file-name-as-people-give-them-2023年度绩效自评报告.md"
    (tmp_path / name).write_bytes(b"")
    proc = run(tmp_path, name, columns=None)
    assert proc.returncode == 2 and len(error_lines(proc)) == 1


def test_brackets_in_a_file_name_are_printed_as_they_are(tmp_path):
    proc = run(tmp_path, "报告[/]终稿.md")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "报告[/]终稿.md" in proc.stderr


def test_an_empty_folder_in_a_batch_is_reported(tmp_path):
    (tmp_path / "nothing").mkdir()
    good = seed(tmp_path)
    proc = run(tmp_path, "--format", "line", "nothing", good)
    assert proc.returncode == 2 and "nothing" in proc.stderr
