"""The command line's errors are in Chinese (issue 14): bad inputs of every kind through the
real ``drafter`` (a subprocess), and every stderr line must hold Chinese and no English
sentence. File names, field keys, options and command names may stay as they are spelled."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import docgen

_SCRIPT = Path(sys.executable).with_name("drafter")
DRAFTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "drafter.cli"]
CJK = re.compile(r"[\u4e00-\u9fff]")
# what may stay Latin: the command's prefix, options, file names, dotted keys, code-like words
_ALLOWED = re.compile(r"drafter:|drafter(?: [a-z]+)+|\b[A-Z]{2,}\b|--[a-z-]+|[\w.\-~$]+\.[A-Za-z0-9]+"
                      r"|[A-Za-z_]+(?:\.[A-Za-z_\[\]0-9]+)+|`[^`]*`")
# three English words in a row (letters only) make a sentence
ENGLISH = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env.update(PYTHONIOENCODING="utf-8", COLUMNS="1000")
    return subprocess.run([*DRAFTER, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)


def _write(d: Path, name: str, data: bytes | str) -> Path:
    p = d / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def _huge(d: Path) -> str:
    with open(d / "huge.md", "wb") as f:  # sparse: instant
        f.truncate(30 * 1024 * 1024)
    return "huge.md"


FACTS_BAD_TYPES = """template: gd-annex5
year: 二〇二三
unit: {name: 某县财政局}
project: {name: 网站运维}
budget: {unit: 元, initial: 五万, spent: 48000}
colour: red
"""

# (what is set up, the command, the stderr line expected: exact)
CASES = [
    (lambda d: None, ["review", "missing.md"], ["drafter: missing.md: 找不到这个文件"]),
    (lambda d: _write(d, "报告.rtf", "{\\rtf1}"), ["review", "报告.rtf"],
     ["drafter: 报告.rtf: 不支持的文件类型 .rtf：支持 .docx、.pdf、.md、.txt（请另存为 .docx）"]),
    (lambda d: _write(d, "x", "text"), ["review", "x"], ["drafter: x: 文件没有扩展名：支持 .docx、.pdf、.md、.txt"]),
    (_huge, ["review", "huge.md"], ["drafter: huge.md: 文件太大（30.0 MB），上限为 20 MB，可用 --max-mb 调高"]),
    (lambda d: docgen.write_blank_pdf(d / "scan.pdf"), ["review", "scan.pdf"],
     ["drafter: scan.pdf: 这个 PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR）"]),
    (lambda d: _write(d, "empty.md", b""), ["review", "empty.md"], ["drafter: empty.md: 文件是空的"]),
    (lambda d: _write(d, "junk.docx", b"not a word document\x00\x01" * 50), ["review", "junk.docx"],
     ["drafter: junk.docx: 不是有效的 Word（.docx）文件（文件已损坏，或不是 Word 文档）"]),
    (lambda d: _write(d, "junk.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8), ["review", "junk.pdf"],
     ["drafter: junk.pdf: PDF 文件已损坏或不完整，无法读取"]),
    (lambda d: (d / "nothing").mkdir(), ["review", "nothing"],
     ["drafter: nothing: 这个文件夹里没有 .md、.txt、.docx 或 .pdf 文件"]),
    (lambda d: _write(d, "ok.md", "一、基本情况\n\n正文。\n"), ["review", "--index", "noindex", "ok.md"],
     ["drafter: noindex: 这里没有索引（请先建立：drafter index PATH --index noindex）"]),
    (lambda d: None, ["draft", "nofacts.yaml"], ["drafter: nofacts.yaml: 找不到这个文件"]),
    (lambda d: _write(d, "bad.yaml", "year: [2023\n"), ["draft", "bad.yaml"], None),
    (lambda d: _write(d, "facts.yaml", FACTS_BAD_TYPES), ["draft", "facts.yaml"], None),
    (lambda d: None, ["facts", "import", "none.xlsx"], ["drafter: none.xlsx: 找不到这个文件"]),
    (lambda d: _write(d, "suite.yaml", "- a\n"), ["eval", "run", "suite.yaml"],
     ["drafter: suite.yaml: 评测套件须为映射，含 name、cases/references、variants、assertions"]),
]


def english_left(line: str) -> list[str]:
    return ENGLISH.findall(_ALLOWED.sub(" ", line))


@pytest.mark.parametrize("setup, args, expected", CASES, ids=[" ".join(a) for _, a, _ in CASES])
def test_cli_errors_are_chinese(tmp_path, setup, args, expected):
    setup(tmp_path)
    proc = run(tmp_path, *args)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, proc.stderr
    for line in lines:
        assert CJK.search(line), line
        assert english_left(line) == [], line
    if expected is not None:
        assert lines == expected


def test_facts_problems_name_the_keys_in_chinese(tmp_path):
    _write(tmp_path, "facts.yaml", FACTS_BAD_TYPES)
    lines = run(tmp_path, "draft", "facts.yaml").stderr.splitlines()
    assert 'drafter: facts.yaml: year（第 2 行）：须为年份，例如 2023，收到 "二〇二三"' in lines
    assert 'facts.yaml: budget.initial（第 5 行）：须为数字，收到 "五万"' in lines
    assert any(line.startswith("facts.yaml: colour（第 6 行）：未知的字段（可用：") for line in lines), lines


def test_the_scan_sees_english():
    assert english_left("drafter: x.md: no such file here") == ["no such file"]
    assert english_left("drafter: x.md: 找不到 budget.spent_over_reason 与 --max-mb") == []
