"""Review speed: 1,000 generated reports of ~8,000 characters, rules only (no LLM), one core.

    .venv/bin/python benchmarks/review_bench.py [--n 1000] [--chars 8000] [--seed 7] [--cli-n 200]

Prints reports/second and the per-report median and p95 in milliseconds (target: median ≤ 20 ms),
plus the findings per report so a change that silences the reviewer shows up here too.

Then the library against the command line on the first ``--cli-n`` reports: the mean time of
``drafter.review(text=…)`` per report (the built-in rules as the library loads them, once per
process) and the CLI's per-report time (``drafter review --format json --no-index`` over the
same reports as files, its wall time divided by their number, process start included).
Target: the library within 20% of the CLI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import drafter
from drafter.documents.load import from_text
from drafter.review.engine import review
from drafter.review.registry import load_rules

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project root, for tests.support

from tests.support.synth import generate_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--chars", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cli-n", type=int, default=200, help="reports for the library-against-CLI figure (0: skip it)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    texts = [r.text for r in generate_corpus(args.n, seed=args.seed, target_chars=args.chars)]
    rules = load_rules()
    review(from_text(texts[0]), rules=rules)  # warm-up: compile the rule patterns once
    times, levels, rules_hit = [], Counter(), Counter()
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        result = review(from_text(text, path="bench.md"), rules=rules)
        times.append((time.perf_counter() - t0) * 1000)
        levels.update(f.level.value for f in result.findings)
        rules_hit.update(f.rule for f in result.findings)
    wall = time.perf_counter() - start
    times.sort()
    chars = statistics.mean(len(t) for t in texts)
    print(f"reports: {len(texts)}  mean length: {chars:.0f} characters  (one core)")
    print(f"throughput: {len(texts) / wall:.1f} reports/s")
    print(f"per report: median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(0.95 * len(times)) - 1]:.2f} ms, max {times[-1]:.2f} ms")
    print("findings per report: "
          + ", ".join(f"{lv} {levels[lv] / len(texts):.2f}" for lv in ("error", "warning", "info")))
    print("most frequent rules: " + ", ".join(f"{r} {n}" for r, n in rules_hit.most_common(6)))
    if args.cli_n > 0:
        library_against_cli(texts[: args.cli_n])


def library_against_cli(texts: list[str]) -> None:
    """drafter.review(text=…) per report against the CLI's per-report time on the same reports."""
    drafter.review(text=texts[0])  # the first call reads the built-in rules, as a process does once
    start = time.perf_counter()
    for text in texts:
        drafter.review(text=text, path="bench.md")
    library = (time.perf_counter() - start) / len(texts) * 1000
    exe = shutil.which("drafter", path=str(Path(sys.executable).parent)) or shutil.which("drafter")
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(texts):
            (Path(tmp) / f"r{i:04d}.md").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run([exe, "review", "--format", "json", "--no-index", tmp], capture_output=True, text=True)
        wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"drafter review failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
    cli = wall / len(texts) * 1000
    chars = statistics.mean(len(t) for t in texts)
    print(f"library drafter.review(text=…): {library:.2f} ms per report (mean of {len(texts)}, {chars:.0f} characters)")
    print(f"CLI drafter review --format json --no-index: {wall:.2f} s for {len(texts)} files, {cli:.2f} ms per report")
    print(f"library / CLI: {library / cli:.2f} (target ≤ 1.20)")


if __name__ == "__main__":
    main()
