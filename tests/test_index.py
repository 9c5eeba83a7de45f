"""The corpus index: seeds indexed and retrieved, idempotent re-indexing, removal, copy
detection in review, the embedding guard, kill-and-resume, the LangChain retriever; the same
tests against a real Chroma server started here."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drafter.config import Config
from drafter.corpus.index import CHUNKS, CorpusIndex, source_key
from drafter.errors import DrafterError
from drafter.review.engine import review
from drafter.text.normalise import fold
from tests.conftest import SEEDS

CHROMA = Path(sys.executable).parent / "chroma"
CORPUS_RULES = ("copied-sentence", "shared-unit-profile", "copied-from-last-year", "stale-figure")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port, for the whole session."""
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(params=["local", "server"])
def config(request, tmp_path):
    if request.param == "local":
        return Config(index=str(tmp_path / "index"))
    url = request.getfixturevalue("chroma_server")
    cfg = Config(chroma_url=url)
    client = CorpusIndex(cfg).client  # a fresh start: the server is shared by the session
    client.delete_collection(CHUNKS)
    return cfg


def test_index_the_seeds_and_retrieve_the_right_section(config):
    idx = CorpusIndex(config)
    results = [idx.add(p) for p in SEEDS.values()]
    assert [r.status for r in results] == ["added", "added", "added"]
    stats = idx.stats()
    assert (stats["files"], stats["units"], stats["years"]) == (3, 1, [2023])
    assert stats["chunks"] == sum(r.chunks for r in results)
    hit = idx.search("电子政务外网 资金支出情况", k=1)[0]
    assert (hit.metadata["project"], hit.metadata["section"], hit.metadata["section_kind"]) == (
        "电子政务外网网络管理", "二/（二）/1", "spending")
    assert "318472" in hit.text
    hit = idx.search("政务系统管理 存在的问题", k=1)[0]
    assert (hit.metadata["project"], hit.metadata["section_kind"]) == ("政务系统管理", "problems")
    # filters narrow the search
    spending = idx.search("项目支出 结余", k=5, section_kind="spending")
    assert len(spending) == 3 and {h.metadata["section_kind"] for h in spending} == {"spending"}
    assert idx.search("项目支出", k=3, year=2022) == []
    assert {h.metadata["unit"] for h in idx.search("项目支出", k=3, unit="新丰县政务服务数据管理局")} == {
        "新丰县政务服务数据管理局"}


def test_chunks_follow_sections_and_point_at_the_original_text(config):
    idx = CorpusIndex(config)
    idx.add(SEEDS["gl"])
    raw = idx.chunks.get(include=["documents", "metadatas"])
    assert raw["documents"] == [None] * len(raw["ids"])  # no Chroma documents (no full-text index)
    if config.chroma_url:  # a server holds the text and metadata: the keys searches filter on, the rest packed in "m"
        assert set(raw["metadatas"][0]) == {"source", "unit", "year", "section_kind", "text", "m"}
    else:  # a local Chroma holds ids and vectors; the record table beside it the rest
        assert raw["metadatas"] == [None] * len(raw["ids"])
    got = {"ids": raw["ids"], "metadatas": idx.records()}
    text = fold(SEEDS["gl"].read_text(encoding="utf-8"))  # chunks hold the analysis text: the original made uniform
    for meta in got["metadatas"]:
        doc = meta["text"]
        assert len(doc) <= 400 + 40  # header line + at most MAX_CHUNK characters of body
        original = text[meta["start"] : meta["end"]]
        body = doc.split("\n", 1)[-1]
        # the chunk is its section's text (page-break joins undone in the original)
        squash = str.maketrans("", "", " \n*")
        assert body.translate(squash)[:20] == original.translate(squash)[:20]
    sections = {m["section"] for m in got["metadatas"]}
    assert {"一/（一）", "一/（二）", "二/（二）/1", "二/（二）/2", "二/（三）", "三"} <= sections
    assert {m["n_chunks"] for m in got["metadatas"]} == {len(got["ids"])}


def test_records_are_read_a_page_at_a_time(config):
    idx = CorpusIndex(config)
    for seed in SEEDS.values():
        idx.add(seed)
    whole = idx.records(page=100000)
    paged = idx.records(page=5)
    assert len(whole) == idx.chunks.count() > 15
    assert sorted(r["id"] for r in paged) == sorted(r["id"] for r in whole)
    assert {r["id"]: r for r in paged} == {r["id"]: r for r in whole}


def test_reindexing_is_idempotent_and_a_changed_file_replaces_its_chunks(config, tmp_path):
    idx = CorpusIndex(config)
    report = tmp_path / "r.md"
    shutil.copy(SEEDS["ww"], report)
    first = idx.add(report)
    count = idx.chunks.count()
    assert idx.add(report).status == "unchanged"
    assert idx.chunks.count() == count
    report.write_text(report.read_text(encoding="utf-8") + "\n新增一段：2023 年共开展网络安全培训 5 次。\n",
                      encoding="utf-8")
    again = idx.add(report)
    assert again.status == "replaced"
    got = idx.records(where={"source": source_key(report)})
    assert len(got) == again.chunks == got[0]["n_chunks"]
    assert idx.chunks.count() == again.chunks and again.chunks >= first.chunks
    assert idx.remove(report).status == "removed"
    assert idx.chunks.count() == 0
    assert idx.remove(report).status == "skipped"


def _corpus_findings(result):
    return [(f.rule, f.level.value, f.quote) for f in result.findings if f.rule in CORPUS_RULES]


def test_shared_seed_sentences_are_cross_report_boilerplate(config):
    idx = CorpusIndex(config)
    idx.add(SEEDS["gl"])
    idx.add(SEEDS["ww"])
    found = _corpus_findings(review(SEEDS["jstg"], index=idx))
    quotes = [q for r, _, q in found if r == "copied-sentence"]
    assert "项目本着厉行节约，注重效果的原则，专款专用，为最大限度提升项目效果，将拨款全部用于政务" in quotes
    assert "按相关资金管理制度规定及时、足额支付资金，及时发挥效益，确保" in quotes
    assert "项目资金按工作实际开展情况安排资金" in quotes
    # the unit's statutory duties are shared by every report: one low-level note, not errors
    profile = [(lv, q) for r, lv, q in found if r == "shared-unit-profile"]
    assert (len(profile) == 1 and profile[0][0] == "info"
            and profile[0][1].startswith("县政务服务数据管理局是县政府工作部门"))
    # figures that merely share a sentence pattern are not copies
    assert not any("22516" in q for q in quotes)
    evidence = [f.evidence for f in review(SEEDS["jstg"], index=idx).findings if f.rule == "copied-sentence"]
    assert any("《政务系统管理》（新丰县政务服务数据管理局，2023 年）" in e for e in evidence)


def test_a_report_never_matches_itself(config):
    idx = CorpusIndex(config)
    for p in SEEDS.values():
        idx.add(p)
    result = review(SEEDS["jstg"], index=idx)
    for f in result.findings:
        if f.rule == "copied-sentence":
            assert "政务服务建设推广" not in f.evidence
    # alone in the index it has nothing to match
    solo = CorpusIndex(Config(index=str(Path(config.index) / "solo"))) if not config.chroma_url else None
    if solo is not None:
        solo.add(SEEDS["jstg"])
        assert _corpus_findings(review(SEEDS["jstg"], index=solo)) == []


def test_year_over_year_copy_and_stale_figures(config, tmp_path):
    last = tmp_path / "2022.md"
    this = tmp_path / "2023.md"
    body = SEEDS["ww"].read_text(encoding="utf-8")
    last.write_text(body.replace("year: 2023", "year: 2022").replace("(2023 年度)", "(2022 年度)")
                    .replace("2023 年本项目支出", "2022 年本项目支出"), encoding="utf-8")
    this.write_text(body.replace("2023 年本项目支出", "2022 年本项目支出"), encoding="utf-8")
    idx = CorpusIndex(config)
    idx.add(last)
    result = review(this, index=idx)
    yoy = [f.quote for f in result.findings if f.rule == "copied-from-last-year"]
    assert yoy[0].startswith("“电子政务外网网络管理”项目本着厉行节约") and len(yoy) == 5
    # the unit's duties repeat every year: one info note, never a year-over-year finding
    assert not any(q.startswith(("县政务服务数据管理局", "1、组织起草")) for q in yoy)
    assert [f.level.value for f in result.findings if f.rule == "shared-unit-profile"] == ["info"]
    stale = {f.quote: f.message for f in result.findings if f.rule == "stale-figure"}
    assert stale["2022 年本项目支出 318472 元，结余 1528 元"] == (
        "沿用了本单位 2022 年报告的数字或日期：318472 元、1528 元、2022 年。"
    )
    assert all(f.category == "figures" for f in result.findings if f.rule == "stale-figure")
    # an earlier year of another unit is not "last year's report"
    other = tmp_path / "other.md"
    other.write_text(last.read_text(encoding="utf-8").replace("unit: 新丰县政务服务数据管理局",
                                                              "unit: 翁源县政务服务数据管理局"), encoding="utf-8")
    idx.remove(last)
    idx.add(other)
    assert not [f for f in review(this, index=idx).findings if f.rule in ("copied-from-last-year", "stale-figure")]


def test_opening_an_index_with_another_embedding_is_a_clear_error(tmp_path):
    CorpusIndex(Config(index=str(tmp_path / "i"), embedding="hash:512")).add(SEEDS["gl"])
    with pytest.raises(DrafterError, match=r"索引用向量模型 hash-char-1-3@512（维度 512）建成，"
                                           r"本次运行用的是 hash-char-1-3@256"):
        CorpusIndex(Config(index=str(tmp_path / "i"), embedding="hash:256"))


def test_an_index_of_an_older_layout_is_a_clear_error(tmp_path):
    import drafter.corpus.index as index_module

    idx = CorpusIndex(Config(index=str(tmp_path / "i")))
    idx.chunks.modify(metadata={**idx.chunks.metadata, "schema": index_module.SCHEMA - 1})
    with pytest.raises(DrafterError, match=rf"较早版本的 drafter 写成（索引格式 {index_module.SCHEMA - 1}，"
                                           rf"本版本读取 {index_module.SCHEMA}）.*--rebuild"):
        CorpusIndex(Config(index=str(tmp_path / "i")))


def test_rebuild_starts_an_older_index_over_and_never_deletes_a_foreign_folder(tmp_path):
    import drafter.corpus.index as index_module

    idx = CorpusIndex(Config(index=str(tmp_path / "i")))
    idx.add(SEEDS["gl"])
    idx.chunks.modify(metadata={**idx.chunks.metadata, "schema": index_module.SCHEMA - 1})
    del idx
    stale = _run(tmp_path, "index", str(SEEDS["ww"]), "--index", str(tmp_path / "i"))
    assert stale.returncode == 2 and stale.stderr.strip().endswith(
        f"请重建索引：drafter index 报告文件夹 --index {tmp_path / 'i'} --rebuild")
    again = _run(tmp_path, "index", str(SEEDS["ww"]), "--index", str(tmp_path / "i"), "--rebuild")
    assert again.returncode == 0, again.stderr
    # (a new process: Chroma caches per process)
    stats = _run(tmp_path, "index", "--stats", "--index", str(tmp_path / "i"))
    assert "电子政务外网网络管理" in stats.stdout and "政务系统管理" not in stats.stdout  # gl went with the old index
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "chroma.sqlite3").write_bytes(b"")
    (foreign / "notes.docx").write_bytes(b"keep me")
    refused = _run(tmp_path, "index", str(SEEDS["ww"]), "--index", str(foreign), "--rebuild")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (f"drafter: {foreign}: 看起来不是 drafter 的索引"
                                      "（其中还有 notes.docx）：没有删除；请另选 --index")
    assert (foreign / "notes.docx").read_bytes() == b"keep me"


def test_a_filter_the_nearest_chunks_miss_is_ranked_exactly_and_a_vector_without_a_record_is_skipped(
        tmp_path, monkeypatch):
    import numpy as np

    from tests.support.synth import generate_corpus

    idx = CorpusIndex(Config(index=str(tmp_path / "i")))
    for p in SEEDS.values():
        idx.add(p)
    other = tmp_path / "other.md"
    other.write_text(next(iter(generate_corpus(1, seed=5, target_chars=3000))).text, encoding="utf-8")
    idx.add(other)
    unit = idx.records(where={"source": source_key(other)})[0]["unit"]
    assert unit and unit != "新丰县政务服务数据管理局"
    query = "电子政务外网 资金支出情况"
    # the 12 chunks nearest the query are all the seeds': the other unit's chunks are ranked
    # exactly, by cosine, among that unit's chunks alone
    calls = []
    exact = idx._exact
    monkeypatch.setattr(idx, "_exact", lambda *a: calls.append(len(a[1])) or exact(*a))
    hits = idx.search(query, k=3, unit=unit, candidates=3)
    mine = idx.records(where={"unit": unit})
    assert calls == [len(mine)]
    sims = idx.embedder.embed([m["text"] for m in mine]) @ idx.embedder.embed([query])[0]
    best = {mine[i]["id"] for i in np.argsort(-sims)[:3]}
    assert {h.id for h in hits} == best and {h.metadata["unit"] for h in hits} == {unit}
    # many chunks pass (more than exact_max): more neighbours are asked for, none ranked exactly
    idx.exact_max = 5
    calls.clear()
    wide = idx.search(query, k=3, unit=unit, candidates=3)
    assert calls == [] and len(wide) == 3 and {h.metadata["unit"] for h in wide} == {unit}
    # a vector written just before a kill has no record: searches skip it
    idx.chunks.upsert(ids=["spending.2023.orphan.orphan.0"], embeddings=idx.embedder.embed([query]))
    idx._count = None
    hits = idx.search(query, k=3)
    assert len(hits) == 3 and "spending.2023.orphan.orphan.0" not in {h.id for h in hits}
    assert hits[0].metadata["project"] == "电子政务外网网络管理"


def test_langchain_retriever(config):
    from langchain_core.documents import Document

    from drafter.corpus.retriever import CorpusRetriever

    idx = CorpusIndex(config)
    for p in SEEDS.values():
        idx.add(p)
    retriever = CorpusRetriever(index=idx, k=2, section_kind="spending")
    docs = retriever.invoke("电子政务外网 资金支出情况")
    assert all(isinstance(d, Document) for d in docs) and len(docs) == 2
    assert docs[0].metadata["project"] == "电子政务外网网络管理"
    assert [len(b) for b in retriever.batch(["政务系统", "政务服务"])] == [2, 2]


# --- the command line ---------------------------------------------------------------------
DRAFTER = [str(Path(sys.executable).parent / "drafter")]


def _run(cwd, *args, env=None):
    e = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([*DRAFTER, *args], cwd=cwd, capture_output=True, text=True, env=e, timeout=300)


def test_cli_index_stats_remove_and_a_bad_file_skipped(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for p in SEEDS.values():
        shutil.copy(p, folder / p.name)
    (folder / "broken.docx").write_bytes(b"not a word file")
    proc = _run(tmp_path, "index", "reports")
    assert proc.returncode == 2, proc.stderr
    assert "added 3" in proc.stdout and "skipped 1" in proc.stdout
    assert "broken.docx: 不是有效的 Word（.docx）文件" in proc.stdout
    assert (tmp_path / ".drafter" / "index").is_dir()
    stats = _run(tmp_path, "index", "--stats")
    assert "files 3" in stats.stdout and stats.returncode == 0
    again = _run(tmp_path, "index", str(folder / "gd-2023-zwxt-gl.md"))
    assert "unchanged 1" in again.stdout and again.returncode == 0
    removed = _run(tmp_path, "index", "--remove", str(folder / "gd-2023-zwxt-gl.md"), "--stats")
    assert "removed 1" in removed.stdout and "files 2" in removed.stdout
    # review picks up the working directory's index by itself, and --no-index switches it off
    shutil.copy(SEEDS["gl"], tmp_path / "new.md")
    with_index = _run(tmp_path, "review", "new.md", "--format", "line")
    assert ":copied-sentence:" in with_index.stdout
    without = _run(tmp_path, "review", "new.md", "--format", "line", "--no-index")
    assert ":copied-sentence:" not in without.stdout
    missing = _run(tmp_path, "review", "new.md", "--index", "nowhere")
    assert missing.returncode == 2 and "nowhere: 这里没有索引" in missing.stderr


def test_cli_embedding_mismatch_exits_2(tmp_path):
    _run(tmp_path, "index", str(SEEDS["gl"]))
    proc = _run(tmp_path, "index", str(SEEDS["ww"]), "--embedding", "hash:128")
    assert proc.returncode == 2 and "索引用向量模型 hash-char-1-3@512" in proc.stderr and "Traceback" not in proc.stderr


# --- killed half-way ------------------------------------------------------------------------
def _synth_folder(folder: Path, n: int) -> None:
    from tests.support.synth import generate_corpus

    folder.mkdir()
    for i, r in enumerate(generate_corpus(n, seed=3, target_chars=3000)):
        (folder / f"r{i:03d}.md").write_text(r.text, encoding="utf-8")


def _assert_complete(index_dir: Path, folder: Path, n: int) -> None:
    idx = CorpusIndex(Config(index=str(index_dir)))
    per_file: dict[str, list] = {}
    records = idx.records()
    for m in records:
        per_file.setdefault(m["source"], []).append(m)
    assert len(per_file) == n
    for metas in per_file.values():
        assert len(metas) == metas[0]["n_chunks"]  # every file whole, none twice
        assert sorted(m["chunk"] for m in metas) == list(range(len(metas)))
    assert len(records) == len({m["id"] for m in records})


CRASH = """
import os, sys
from drafter.corpus import index as ix
real = ix.CorpusIndex._write
calls = {"n": 0}
def crashing(self, items):
    cut = int(os.environ["CRASH_AT"])
    real(self, items[:cut])
    os._exit(9)  # killed in the middle of a write
ix.CorpusIndex._write = crashing
from drafter.cli import main
sys.argv = ["drafter", *sys.argv[1:]]
main()
"""


def test_an_index_run_killed_half_way_is_completed_by_the_next_run(tmp_path):
    folder = tmp_path / "reports"
    _synth_folder(folder, 12)
    script = tmp_path / "crash.py"
    script.write_text(CRASH, encoding="utf-8")
    # every synthetic report makes more than 3 chunks: 20 chunks are a few whole files and a part of one
    proc = subprocess.run([sys.executable, str(script), "index", str(folder), "--index", str(tmp_path / "ix")],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "CRASH_AT": "20"},
                          timeout=300)
    assert proc.returncode == 9
    partial = CorpusIndex(Config(index=str(tmp_path / "ix")))
    records = partial.records()
    per_file: dict[str, int] = {}
    for m in records:
        per_file[m["source"]] = per_file.get(m["source"], 0) + 1
    whole = sum(1 for m in records if m["chunk"] == 0 and per_file[m["source"]] == m["n_chunks"])
    broken = len(per_file) - whole
    assert len(records) == 20 and whole >= 1 and broken == 1
    resumed = _run(tmp_path, "index", str(folder), "--index", str(tmp_path / "ix"))
    assert resumed.returncode == 0, resumed.stderr
    assert ("replaced 1" in resumed.stdout and f"added {12 - whole - 1}" in resumed.stdout
            and f"unchanged {whole}" in resumed.stdout)
    _assert_complete(tmp_path / "ix", folder, 12)


def _records_written(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as con:
            return con.execute("SELECT count(*) FROM chunk").fetchone()[0]
    except sqlite3.Error:  # not created yet, or busy
        return 0


def test_sigkill_at_any_moment_leaves_a_usable_index(tmp_path):
    # 500 reports make about three batched writes: killed as soon as the first is in, the run
    # is busy reading files or writing the next batch, whatever the machine's speed
    folder = tmp_path / "reports"
    _synth_folder(folder, 500)
    proc = subprocess.Popen([*DRAFTER, "index", str(folder), "--index", str(tmp_path / "ix")], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not _records_written(tmp_path / "ix" / "passages.sqlite3"):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL  # killed mid-run, not finished
    usable = CorpusIndex(Config(index=str(tmp_path / "ix")))
    usable.search("项目支出", k=1)  # opens and answers
    resumed = _run(tmp_path, "index", str(folder), "--index", str(tmp_path / "ix"))
    assert resumed.returncode == 0, resumed.stderr
    _assert_complete(tmp_path / "ix", folder, 500)


def test_the_sentence_table_finds_a_twin_whose_numbers_have_several_dots(tmp_path):
    from drafter.corpus.index import Chunk
    from drafter.corpus.passages import PassageStore

    store = PassageStore(tmp_path / "p.sqlite3")
    stored = "本项目依据2023.1.5号文件组织实施全部建设任务"
    meta = {"source": "/a.md", "unit": "甲局", "project": "甲项目", "year": 2023, "file_hash": "x",
            "section_kind": "results", "n_chunks": 1, "body_offset": 0}
    store.add([Chunk(id="results.2023.a.a.0", text=stored + "。", metadata=meta)])
    # the same sentence with other figures is its twin by shape, looked up as it was stored
    found = store.candidates(["本项目依据2024.2.6号文件组织实施全部建设任务"], exclude_source="/b.md", exclude_hash="y")
    assert list(found) == [stored] and [m["source"] for m in found[stored]] == ["/a.md"]


def test_records_left_from_a_chroma_store_that_is_gone_are_dropped(tmp_path):
    config = Config(index=str(tmp_path / "i"))
    idx = CorpusIndex(config)
    assert idx.add(SEEDS["gl"]).status == "added"
    idx.client.delete_collection(CHUNKS)  # the vectors are gone (a Chroma store deleted or replaced)
    idx.passages.close()
    again = CorpusIndex(config)
    assert (again.stats()["files"], again.stats()["chunks"]) == (0, 0)
    assert again.add(SEEDS["gl"]).status == "added"  # not "unchanged" on the strength of stale records
    assert again.search("政务系统管理 存在的问题", k=1)[0].metadata["project"] == "政务系统管理"
