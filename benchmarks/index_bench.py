"""Index speed and size: generated reports indexed into a fresh local index, then queried.

    .venv/bin/python benchmarks/index_bench.py [--n 10000] [--chars 5000] [--queries 200] [--reviews 100]

Prints reports/second and chunks/second while indexing, the index size on disk, query latency
p50/p95 at that size, and the time the corpus check adds to a review (targets: ≥ 30 reports/s,
query p95 ≤ 50 ms, corpus check ≤ 30 ms per report).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from drafter.config import Config
from drafter.corpus.index import CorpusIndex
from drafter.documents.load import from_text
from drafter.review.engine import review
from drafter.review.registry import load_rules

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project root, for tests.support

from tests.support.synth import generate_corpus  # noqa: E402

QUERIES = ["资金支出情况 结余", "存在的问题 执行率偏低 原因", "改进意见 时限", "满意度 调查", "项目基本情况 绩效目标",
           "农村公路养护 里程", "学生资助 人数", "医疗设备 购置", "高标准农田 亩", "政务服务 网办率"]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--chars", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--reviews", type=int, default=100)
    ap.add_argument("--keep", help="keep the index in this folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="drafter-bench-"))
    folder = work / "reports"
    folder.mkdir()
    t0 = time.perf_counter()
    for i, r in enumerate(generate_corpus(args.n, seed=11, target_chars=args.chars)):
        (folder / f"r{i:05d}.md").write_text(r.text, encoding="utf-8")
    print(f"generated {args.n} reports of ~{args.chars} characters in {time.perf_counter() - t0:.1f} s")

    index_dir = Path(args.keep) if args.keep else work / "index"
    idx = CorpusIndex(Config(index=str(index_dir)))
    files = sorted(folder.glob("*.md"))
    t0 = time.perf_counter()
    done = []

    def progress(r) -> None:
        done.append(r)
        if len(done) % 1000 == 0:
            el = time.perf_counter() - t0
            print(f"  {len(done)} reports, {el:.0f} s, {len(done) / el:.1f} reports/s", flush=True)

    chunks = sum(r.chunks for r in idx.add_many(files, progress))
    elapsed = time.perf_counter() - t0
    print(f"indexing: {args.n / elapsed:.1f} reports/s, {chunks / elapsed:.0f} chunks/s "
          f"({chunks} chunks, {elapsed:.0f} s)")
    print(f"index size on disk: {du(index_dir) / 1048576:.0f} MB")

    lat = []
    for i in range(args.queries):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        idx.search(q, k=5, section_kind="spending" if i % 3 == 0 else None)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"query latency at {args.n} reports: p50 {statistics.median(lat):.1f} ms, p95 {pct(lat, 0.95):.1f} ms")

    rules = load_rules()
    fresh = [r.text for r in generate_corpus(args.reviews, seed=12345, target_chars=args.chars)]
    base, with_index = [], []
    for text in fresh:
        t = time.perf_counter()
        review(from_text(text, path="new.md"), rules=rules)
        base.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        review(from_text(text, path="new.md"), rules=rules, index=idx)
        with_index.append((time.perf_counter() - t) * 1000)
    added = [w - b for w, b in zip(with_index, base)]
    print(f"corpus check adds per review: median {statistics.median(added):.1f} ms, p95 {pct(added, 0.95):.1f} ms "
          f"(review alone median {statistics.median(base):.1f} ms)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    main()
