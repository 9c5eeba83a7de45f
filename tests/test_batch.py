"""Batch review (issue 17): ``drafter review … --jobs N`` in worker processes, the same findings
as a serial run in the input's order, and the ``--summary`` workbook read back with openpyxl.
A bad file, a report whose review raises and a worker that dies each stop one report, never the
batch; Ctrl-C writes nothing."""

import csv
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from drafter.review import batch as batch_mod
from drafter.review.batch import BatchSetup, review_batch
from drafter.review.workbook import FINDING_COLUMNS, SUMMARY_COLUMNS, write_summary
from tests.conftest import CORPUS, ROOT, SEEDS

_SCRIPT = Path(sys.executable).with_name("drafter")
DRAFTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "drafter.cli"]
REFERENCES = ROOT / "evals" / "references"


def run(*args, cwd):
    return subprocess.run([*DRAFTER, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_summary_columns_are_the_issues():
    assert SUMMARY_COLUMNS == [
        "文件", "单位", "项目", "年度", "金额单位", "预算", "支出", "结余", "执行率", "自评分",
        "数字允许的最高分", "分差", "数字核对错误", "数字核对警告", "评分错误", "评分警告",
        "无依据表述错误", "无依据表述警告", "套话错误", "套话警告", "结构错误", "结构警告",
        "待补充/模板残留", "风险"]
    assert FINDING_COLUMNS == ["文件", "行", "规则", "类别", "级别", "说明", "原文", "计算", "建议"]


@pytest.mark.parametrize("folder,code", [(CORPUS, 1), (REFERENCES, 0)], ids=["corpus", "references"])
def test_two_jobs_give_the_same_json_as_one(folder, code, tmp_path):
    serial = run("review", folder, "--format", "json", "--no-index", "--jobs", "1", cwd=tmp_path)
    parallel = run("review", folder, "--format", "json", "--no-index", "--jobs", "2", cwd=tmp_path)
    assert serial.returncode == parallel.returncode == code, serial.stderr + parallel.stderr
    assert serial.stdout.encode() == parallel.stdout.encode()
    assert serial.stdout.count('"file":') == len(list(folder.glob("*.md")))


def _cells(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_workbook_of_the_seed_reports(tmp_path):
    out = tmp_path / "汇总.xlsx"
    result = run("review", CORPUS, "--format", "json", "--no-index", "--jobs", "2", "--summary", out, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "写入" in result.stderr and "3 份报告" in result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "问题清单", "未能审核"]
    summary = book["汇总"]
    rows = _cells(summary)
    assert list(rows[0]) == SUMMARY_COLUMNS
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:X4"
    assert book["问题清单"].freeze_panes == "A2" and book["问题清单"].auto_filter.ref.startswith("A1:I")
    by_file = {Path(r[0]).name: dict(zip(SUMMARY_COLUMNS, r)) for r in rows[1:]}
    gl = by_file["gd-2023-zwxt-gl.md"]
    assert (gl["单位"], gl["项目"], gl["年度"]) == ("新丰县政务服务数据管理局", "政务系统管理", 2023)
    assert gl["金额单位"] == "元"
    assert (gl["预算"], gl["支出"], gl["结余"]) == (99000, 57790, 41210)
    assert f"{gl['执行率'] * 100:.2f}" == "58.37"
    assert (gl["自评分"], gl["数字允许的最高分"], gl["分差"]) == (100, 95.84, 4.16)
    assert gl["评分错误"] == 2 and gl["待补充/模板残留"] == 2
    # 32 万元 budget: amounts in the report's own unit
    ww = by_file["gd-2023-dzzw-ww.md"]
    assert (ww["金额单位"], ww["预算"], ww["支出"], ww["结余"]) == ("万元", 32, 31.8472, 0.1528)
    assert (ww["数字允许的最高分"], ww["分差"]) == (99.95, 0.05)
    jstg = by_file["gd-2023-zwfw-jstg.md"]
    assert (jstg["预算"], jstg["支出"], jstg["结余"], jstg["数字允许的最高分"]) == (27000, 22516, 4484, 98.34)
    # highest risk first: 10 per error, 3 per warning, 5 per leftover, 2 per point of inflated score
    risks = [r[-1] for r in rows[1:]]
    assert [Path(r[0]).name for r in rows[1:]] == ["gd-2023-zwxt-gl.md", "gd-2023-zwfw-jstg.md", "gd-2023-dzzw-ww.md"]
    assert risks == sorted(risks, reverse=True) == [72.32, 67.32, 32.1]
    assert summary["I2"].number_format == "0.00%" and summary["F2"].number_format == "#,##0.00##"
    findings = _cells(book["问题清单"])
    assert list(findings[0]) == FINDING_COLUMNS
    inflated = [r for r in findings if r[2] == "score-exceeds-execution"]
    assert [(Path(r[0]).name, r[3], r[4]) for r in inflated][0] == ("gd-2023-zwxt-gl.md", "评分", "错误")
    assert "100 − 10 + 5.84 = 95.84" in inflated[0][7]
    # the findings follow the reports' risk order
    order = [Path(r[0]).name for r in findings[1:]]
    assert order == sorted(order, key=["gd-2023-zwxt-gl.md", "gd-2023-zwfw-jstg.md", "gd-2023-dzzw-ww.md"].index)
    assert _cells(book["未能审核"]) == [("文件", "原因")]


def _ten_with_one_corrupt(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for p in sorted(REFERENCES.glob("*.md"))[:9]:
        shutil.copy(p, folder / p.name)
    (folder / "05-损坏.docx").write_bytes(b"PK\x03\x04 this is not a real Word file" * 10)
    return folder


def test_a_corrupt_file_in_ten_lands_in_the_failed_sheet(tmp_path):
    folder = _ten_with_one_corrupt(tmp_path)
    result = run("review", "reports", "--format", "json", "--no-index", "--jobs", "2", "--summary", "out.xlsx",
                 cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = [ln for ln in result.stderr.splitlines() if "05-损坏.docx" in ln][0]
    assert line.startswith("drafter: reports/05-损坏.docx: ")
    assert "9 份报告，1 份未能审核" in result.stderr
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert len(_cells(book["汇总"])) == 1 + 9
    failed = _cells(book["未能审核"])
    assert len(failed) == 2 and failed[1][0] == "reports/05-损坏.docx" and failed[1][1]
    assert result.stdout.count('"file":') == 9
    assert len(list(folder.iterdir())) == 10


def test_csv_summary(tmp_path):
    _ten_with_one_corrupt(tmp_path)
    result = run("review", "reports", "--format", "line", "--no-index", "--summary", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [*SUMMARY_COLUMNS, "备注"]
    assert len(rows) == 1 + 9 + 1
    assert rows[-1][0] == "reports/05-损坏.docx" and rows[-1][-1].startswith("未能审核：")
    risks = [float(r[SUMMARY_COLUMNS.index("风险")]) for r in rows[1:-1]]
    assert risks == sorted(risks, reverse=True)


@pytest.mark.parametrize("name,problem", [
    ("out.xls", "汇总表的文件名须以 .xlsx 或 .csv 结尾"),
    ("no-such-folder/out.xlsx", "文件夹 no-such-folder 不存在，无法写入汇总表"),
])
def test_bad_summary_path_is_one_line_before_any_work(tmp_path, name, problem):
    result = run("review", CORPUS, "--no-index", "--summary", name, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"drafter: {name}: {problem}"
    assert result.stdout == ""


def test_an_existing_workbook_is_replaced_only_by_a_complete_one(tmp_path, monkeypatch):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    items = list(review_batch([str(SEEDS["gl"])], jobs=1))

    def broken_save(self, path):
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        write_summary(items, out)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def _crashing(name: str, how: str):
    real = batch_mod.review_path

    def review_path(index, path, tools):
        if Path(path).name == name:
            if how == "exit":
                os._exit(3)  # the worker dies, as when it is killed or runs out of memory
            raise ValueError("模拟的故障")
        return real(index, path, tools)

    return review_path


@pytest.mark.parametrize("how", ["raise", "exit"])
def test_a_report_that_crashes_its_review_stops_only_itself(how, monkeypatch):
    paths = [str(p) for p in sorted(REFERENCES.glob("*.md"))[:6]]
    serial = [i.result for i in review_batch(paths, jobs=1)]
    monkeypatch.setattr(batch_mod, "review_path", _crashing(Path(paths[2]).name, how))  # forked workers inherit it
    done = []
    items = list(review_batch(paths, setup=BatchSetup(), jobs=2, on_done=done.append))
    assert [i.file for i in items] == paths and len(done) == 6
    assert [i.ok for i in items] == [True, True, False, True, True, True]
    if how == "raise":
        assert items[2].problem == "审核时出错（ValueError：模拟的故障），未能审核"
        assert "Traceback" in items[2].detail
    else:
        assert items[2].problem.startswith("审核这份报告的进程意外退出")
    assert [i.result for i in items if i.ok] == [r for k, r in enumerate(serial) if k != 2]


def test_stopping_the_batch_stops_the_workers(monkeypatch):
    paths = [str(p) for p in sorted(REFERENCES.glob("*.md"))]

    def interrupt(item):
        raise KeyboardInterrupt

    before = {p.pid for p in multiprocessing.active_children()}
    with pytest.raises(KeyboardInterrupt):
        list(review_batch(paths, jobs=2, on_done=interrupt))
    assert {p.pid for p in multiprocessing.active_children()} <= before


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def test_ctrl_c_writes_nothing(tmp_path):
    """A real SIGINT to the command and its workers (as a terminal's Ctrl-C): no workbook, no
    half-written file, one line, exit 130."""
    folder = tmp_path / "many"
    folder.mkdir()
    refs = sorted(REFERENCES.glob("*.md"))
    for k in range(120):
        shutil.copy(refs[k % len(refs)], folder / f"{k:03d}.md")
    proc = subprocess.Popen([*DRAFTER, "review", "many", "--no-index", "--format", "json", "--jobs", "2",
                             "--summary", "out.xlsx"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the workers have started
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    if proc.returncode != 130:
        pytest.skip(f"the batch finished before the interrupt (exit {proc.returncode})")
    assert stdout == ""
    assert stderr.strip().splitlines()[-1] == "drafter: 已中断：未输出审核结果，也未写入任何文件"
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many"]


def test_a_progress_bar_on_a_terminal(monkeypatch):
    from rich.console import Console

    from drafter.cli import review as cli_review

    screen = io.StringIO()
    monkeypatch.setattr(cli_review, "err", Console(file=screen, force_terminal=True, width=100))
    paths = [str(p) for p in SEEDS.values()]
    items = cli_review._run_batch(paths, BatchSetup(), 2)
    assert [i.file for i in items] == paths and all(i.ok for i in items)
    shown = screen.getvalue()
    assert "审核" in shown and "3/3" in shown and "未能审核 0" in shown


def _slow_or_greedy(name: str, how: str):
    review_path = batch_mod.review_path

    def patched(index, path, tools):
        if Path(path).name == name:
            if how == "slow":
                while True:  # Python code: the time limit's signal is seen
                    sum(range(1000))
            hog = bytearray(2 * 1024 ** 3)  # two gigabytes, past the allowance
            return hog
        return review_path(index, path, tools)

    return patched


@pytest.mark.parametrize("how, problem", [
    ("slow", "审核超过每份报告 1 秒的时间限制，未能审核：请拆分报告或删去异常长的段落、表格后再试"),
    ("greedy", "审核所需内存超过每份报告 300 MB 的限制，未能审核：请拆分报告后再试"),
])
def test_a_report_past_its_limits_stops_only_itself(how, problem, monkeypatch):
    """The web server's batches: each report under the per-request time and memory limits, in a
    worker (one report too: a limited batch never reviews in the server's own process)."""
    paths = [str(p) for p in sorted(REFERENCES.glob("*.md"))[:3]]
    serial = [i.result for i in review_batch(paths, jobs=1)]
    monkeypatch.setattr(batch_mod, "review_path", _slow_or_greedy(Path(paths[1]).name, how))  # forked workers
    setup = BatchSetup(time_limit=1, memory_limit_mb=300)
    items = list(review_batch(paths, setup=setup, jobs=2))
    assert [i.problem for i in items] == ["", problem, ""]
    assert [items[0].result, items[2].result] == [serial[0], serial[2]]
    alone = list(review_batch(paths[1:2], setup=setup, jobs=1))
    assert alone[0].problem == problem and alone[0].file == paths[1]
