"""The copy check tells copying from coincidence (issue 16): a report is one report whatever
its path and format, and never its own source; several files of one report count once; a
standard figure sentence with other figures is no copy, with the same figures in another
unit's report it is an error; durations and constants are not stale figures; the index is
found like git finds its repository, and every output says whether a corpus was used; a file
that is not a report is not indexed unless forced."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from drafter.config import Config
from drafter.corpus.index import CorpusIndex
from drafter.review.engine import review
from drafter.review.registry import load_rules
from tests.conftest import ROOT, SEEDS
from tests.docgen import seed_items, seed_pdf_pages, write_docx, write_pdf

REFS = ROOT / "evals" / "references"
COPY_RULES = ("copied-sentence", "copied-figures", "shared-unit-profile", "copied-from-last-year", "stale-figure")
DRAFTER = [str(Path(sys.executable).parent / "drafter")]


def _index(tmp_path: Path, *paths, name: str = "index") -> CorpusIndex:
    idx = CorpusIndex(Config(index=str(tmp_path / name)))
    idx.add_many(paths)
    return idx


def _copies(result) -> list[tuple[str, str]]:
    return [(f.rule, f.quote) for f in result.findings if f.rule in COPY_RULES]


def test_a_report_indexed_as_md_is_never_its_own_source_as_docx_or_pdf(tmp_path):
    docx = write_docx(tmp_path / "gl.docx", seed_items("gl"))
    pdf = write_pdf(tmp_path / "gl.pdf", seed_pdf_pages("gl"), page_numbers=True)
    # alone in the index, its .md is no source of its .docx or .pdf (33 findings before)
    alone = _index(tmp_path, SEEDS["gl"])
    assert alone.reports() == 1
    assert [_copies(review(f, index=alone)) for f in (docx, pdf)] == [[], []]
    # nor is its .docx the source of its .md
    assert _copies(review(SEEDS["gl"], index=_index(tmp_path, docx, name="docx"))) == []
    # among other reports, each format finds the others' sentences, never its own
    idx = _index(tmp_path, *SEEDS.values(), name="all")
    md = _copies(review(SEEDS["gl"], index=idx))
    assert ("copied-sentence", "我单位承担全县电子政务网站建设管理、县政府网站管理、OA系统应用、县级相关平台技术支撑、"
                               "相关系统安全运维等工作") in md
    for f in (docx, pdf):
        result = review(f, index=idx)
        assert {r for r, _ in _copies(result)} == {r for r, _ in md}, f.name
        assert not any("《政务系统管理》" in x.evidence for x in result.findings), f.name


def test_two_files_of_one_report_count_once(tmp_path):
    ww_docx = write_docx(tmp_path / "ww.docx", seed_items("ww"))
    # a second draft of the same unit's report on the same project and year: the same report
    draft = tmp_path / "ww-v2.md"
    draft.write_text(SEEDS["ww"].read_text(encoding="utf-8").replace("项目资金按工作实际开展情况安排资金",
                                                                     "项目资金按工作实际开展情况安排资金，专款专用"),
                     encoding="utf-8")
    idx = _index(tmp_path, SEEDS["ww"], ww_docx, draft, SEEDS["gl"])
    assert (idx.stats()["files"], idx.reports()) == (4, 2)
    found = {f.quote: (f.message, f.evidence) for f in review(SEEDS["jstg"], index=idx).findings
             if f.rule == "copied-sentence"}
    assert found["项目资金按工作实际开展情况安排资金"] == (
        "这句话同样出现在 1 份其他报告中（照抄的套话）。",
        "《电子政务外网网络管理》（新丰县政务服务数据管理局，2023 年）有相同的文字（占本句 100%）")


def test_a_figure_sentence_is_a_copy_only_with_the_same_figures(tmp_path):
    road, justice = REFS / "road-2022-nongcun-gonglu.md", REFS / "justice-2023-falv-yuanzhu.md"
    idx = _index(tmp_path, road, justice)
    # "全年支出 14703118 元，结余 73132 元，预算执行率 99.51%（…）" and "全年支出 85300 元，结余 7000 元，…":
    # what every report states, each with its own figures (a copied-sentence before)
    assert _copies(review(road, index=idx)) == []
    assert _copies(review(justice, index=idx)) == []
    # another unit's report carrying the road report's sentence with its figures
    text = justice.read_text(encoding="utf-8").replace("unit: 资溪县司法局", "unit: 南城县司法局").replace(
        "全年支出 85300 元，结余 7000 元，预算执行率 92.42%（85300 ÷ 92300）",
        "全年支出 14703118 元，结余 73132 元，预算执行率 99.51%（14703118 ÷ 14776250）")
    carried = tmp_path / "nancheng.md"
    carried.write_text(text, encoding="utf-8")
    got = [(f.level.value, f.category, f.quote, f.message, f.evidence) for f in review(carried, index=idx).findings
           if f.rule == "copied-figures"]
    assert got == [("error", "figures", "全年支出 14703118 元，结余 73132 元，预算执行率 99.51%（14703118 ÷ 14776250）",
                     "这句的数字与 1 份其他单位的报告完全相同（14703118 元、73132 元），疑为从其他报告照抄的数字。",
                     "《2022 年农村公路养护项目》（封开县交通运输局，2022 年）有同一句话、同样的数字："
                     "“全年支出 14703118 元，结余 73132 元，预算执行率 99.51%（14703118 ÷ 14776250）”")]


def test_durations_and_constants_are_not_stale_figures(tmp_path):
    body = SEEDS["gl"].read_text(encoding="utf-8")
    last = tmp_path / "2022.md"
    last.write_text(body.replace("year: 2023", "year: 2022").replace("(2023 年度)", "(2022 年度)"), encoding="utf-8")
    idx = _index(tmp_path, last)
    watch = "四是严格执行政府门户网站信息发布审核制度、内容巡查值班制；在重要时期，政府门户网站实行全天 24 小时值守巡查"

    def stale(rules) -> list[str]:
        return [f.message for f in review(SEEDS["gl"], index=idx, rules=rules).findings
                if f.rule == "stale-figure" and watch.endswith(f.quote)]

    assert stale(None) == []
    # the same rule without its list of durations and constants flags 全天 24 小时
    rules = [r if r.id != "stale-figure" else r.model_copy(update={"params": r.params.model_copy(
        update={"ignore_units": [], "ignore_figures": []})}) for r in load_rules()]
    assert stale(rules) == ["沿用了本单位 2022 年报告的数字或日期：24 小时。"]


# --- the command line ---------------------------------------------------------------------
def _run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DRAFTER_INDEX", "DRAFTER_CONFIG", "DRAFTER_CHROMA_URL")}
    e = {**clean, "COLUMNS": "200", "HOME": str(cwd / "home"), **(env or {})}
    return subprocess.run([*DRAFTER, *args], cwd=cwd, capture_output=True, text=True, env=e, timeout=300)


def test_review_from_a_subfolder_finds_the_index_above_and_every_format_says_so(tmp_path):
    project = tmp_path / "project"
    sub = project / "2024" / "drafts"
    sub.mkdir(parents=True)
    assert _run(project, "index", *map(str, SEEDS.values())).returncode == 0
    where = str((project / ".drafter" / "index").resolve())
    shutil.copy(SEEDS["gl"], sub / "new.md")
    proc = _run(sub, "review", "new.md", "--format", "json")
    data = json.loads(proc.stdout)
    assert list(data) == ["file", "corpus", "findings"]
    assert data["corpus"] == {"used": True, "reports": 3, "index": where}
    assert any(f["rule"] == "copied-sentence" for f in data["findings"])
    said = f"语料库：3 份报告（{where}）"
    assert said in _run(sub, "review", "new.md", "--format", "md").stdout
    assert said in _run(sub, "review", "new.md").stdout.replace("\n", "")
    line = _run(sub, "review", "new.md", "--format", "line")
    assert said in line.stderr and ":copied-sentence:" in line.stdout and "语料库" not in line.stdout
    # no index here or above: said, in every format
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SEEDS["gl"], elsewhere / "new.md")
    unused = "未使用语料库"
    assert json.loads(_run(elsewhere, "review", "new.md", "--format", "json").stdout)["corpus"] == {"used": False}
    assert unused in _run(elsewhere, "review", "new.md", "--format", "md").stdout
    assert unused in _run(elsewhere, "review", "new.md").stdout
    assert unused in _run(elsewhere, "review", "new.md", "--format", "line").stderr
    assert unused in _run(sub, "review", "new.md", "--no-index").stdout
    # the user's config, then DRAFTER_INDEX
    config = elsewhere / "home" / ".config" / "drafter"
    config.mkdir(parents=True)
    (config / "drafter.yml").write_text(f"index: {where}\n", encoding="utf-8")
    assert json.loads(_run(elsewhere, "review", "new.md", "--format", "json").stdout)["corpus"]["used"] is True
    (config / "drafter.yml").unlink()
    got = _run(elsewhere, "review", "new.md", "--format", "json", env={"DRAFTER_INDEX": where})
    assert json.loads(got.stdout)["corpus"] == {"used": True, "reports": 3, "index": where}


def test_index_skips_what_is_not_a_report_unless_forced(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SEEDS["gl"], folder / SEEDS["gl"].name)
    shutil.copy(REFS / "README.md", folder / "README.md")
    shutil.copy(ROOT / "README.md", folder / "drafter-README.md")
    proc = _run(tmp_path, "index", "reports")
    assert proc.returncode == 0, proc.stderr
    assert "added 1，ignored 2" in proc.stdout
    reason = "不是绩效自评报告（没有报告标题、预算数字或模板的章节），未索引；确是报告请用 --force 指明"
    assert f"ignored reports/README.md: {reason}" in proc.stdout
    assert f"ignored reports/drafter-README.md: {reason}" in proc.stdout
    assert "files 1 " in _run(tmp_path, "index", "--stats").stdout
    forced = _run(tmp_path, "index", "reports", "--force", "reports/README.md")
    assert "added 1，unchanged 1，ignored 1" in forced.stdout
    assert "files 2 " in _run(tmp_path, "index", "--stats").stdout
