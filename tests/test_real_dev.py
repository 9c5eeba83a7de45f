"""The reviewer on labelled excerpts of real reports (drafter.evals.excerpts): the case type on
fixtures of our own, and the ratchet on the development set beside the project
(../shared/real-dev): no figure may fall below what the README records."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.evals.runner import run_suite
from drafter.evals.suite import load_suite
from tests.conftest import ROOT

REAL_DEV = ROOT.parent / "shared" / "real-dev"
CATS = ("figures", "score", "unsupported", "boilerplate")


def _suite(tmp_path: Path, excerpts: list[str]) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(json.dumps({"name": "excerpts", "excerpts": excerpts, "draft": False,
                                "variants": [{"name": "offline", "backend": "offline"}]}), encoding="utf-8")
    return path


def test_labelled_excerpts_are_scored_per_category(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    summary = run_suite(load_suite(_suite(tmp_path, ["tests/fixtures/excerpts"])), out_dir=tmp_path / "out")
    ex = summary["variants"]["offline"]["excerpts"]
    assert (ex["cases"], ex["chars"]) == (2, 279)
    assert ex["figures"] == {"labels": 2, "found": 2, "recall": 1.0, "precision": 1.0}
    assert ex["boilerplate"] == {"labels": 1, "found": 0, "recall": 0.0}
    assert ex["score"]["recall"] is None and ex["unsupported"]["recall"] is None
    # 02: execution below 90% with its problems section saying 无, and that 无: right, but not labelled
    assert ex["false_alarms_on_checks"] == 0 and ex["other"] == 2
    assert ex["other_per_10k"] == pytest.approx(2 * 10000 / 279)
    case = summary["variants"]["offline"]["cases"]["excerpt"]["excerpts/02"]
    assert [o["rule"] for o in case["other"]] == ["execution-unexplained", "empty-problems"]


def test_a_figures_finding_on_an_identity_that_holds_is_a_false_alarm(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    folder = tmp_path / "mine"
    folder.mkdir()
    text = ("二、资金使用情况\n项目资金共安排1850000元,分别为:设备购置费620000元,场地改造费540000元,"
            "人员培训费310000元。\n")
    (folder / "01.json").write_text(json.dumps({"text": text, "labels": [], "checks": [
        {"quote": "设备购置费620000元,场地改造费540000元", "holds": "as the user says"}]}, ensure_ascii=False),
        encoding="utf-8")
    ex = run_suite(load_suite(_suite(tmp_path, [str(folder)])),
                   out_dir=tmp_path / "out")["variants"]["offline"]["excerpts"]
    assert ex["false_alarms_on_checks"] == 1 and ex["figures"]["precision"] == 0.0 and ex["other"] == 0


def test_a_suite_whose_excerpts_are_not_there_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _suite(tmp_path, ["nowhere/batch-*"])
    proc = subprocess.run([str(Path(sys.executable).parent / "drafter"), "eval", str(path)], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"drafter: {path}: excerpts：nowhere/batch-* 中没有 NN.json 文件（路径相对于运行时所在的文件夹）"
    )


def recorded() -> dict:
    """The real-text figures the README records (its table under "On real published reports")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = {}
    for cat in CATS:
        m = re.search(rf"^\| {cat} \| (\d+) \| (\d+) \| ([\d.]+) \|", readme, re.M)
        assert m, f"README: no row for {cat} in the real-report table"
        out[cat] = int(m.group(2))
    m = re.search(r"figures findings on identities that hold: (\d+)", readme)
    n = re.search(r"other error/warning findings: (\d+) \(([\d.]+) per 10,000 characters\)", readme)
    assert m and n, "README: the real-report table's false alarms and other findings lines are missing"
    out["false"] = int(m.group(1))
    out["other"] = int(n.group(1))
    return out


@pytest.mark.skipif(not (REAL_DEV / "batch-a").is_dir(), reason=f"{REAL_DEV} is not here: the real-report development "
                    "set lives beside the project, not in it")
def test_the_reviewer_on_real_reports_never_falls_below_what_the_readme_records(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    summary = run_suite(load_suite(ROOT / "evals" / "real-dev.yaml"), out_dir=tmp_path / "out")
    ex = summary["variants"]["offline"]["excerpts"]
    floor = recorded()
    got = {cat: ex[cat]["found"] for cat in CATS}
    assert all(got[c] >= floor[c] for c in CATS), f"caught {got}, the README records {floor}"
    assert ex["false_alarms_on_checks"] <= floor["false"]
    assert ex["other"] <= floor["other"], (
        f"{ex['other']} other error/warning findings, the README records {floor['other']}")


def test_the_run_page_lists_the_excerpts_misses_and_other_findings(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    summary = run_suite(load_suite(_suite(tmp_path, ["tests/fixtures/excerpts"])), out_dir=tmp_path / "out")
    page = (tmp_path / "out" / summary["run_id"] / "report.html").read_text(encoding="utf-8")
    assert "真实报告摘录（标注）" in page and "1.000（2/2）" in page and "0.000（0/1）" in page
    assert page.count("漏报（真实报告）") == 1 and "维修村道4.2公里。" in page
    assert page.count("其他发现（未标注）") == 2 and "execution-unexplained：预算执行率 79.46% 低于 90%" in page
