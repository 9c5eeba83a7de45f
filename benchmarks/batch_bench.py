"""Batch review speed: 1,000 generated reports of ~8,000 characters reviewed by the command line
with their workbook, ``--jobs 1`` against ``--jobs 2`` (rules only, no index, no LLM).

    .venv/bin/python benchmarks/batch_bench.py [--n 1000] [--chars 8000] [--seed 7] [--jobs 1 2]

Writes the reports as .md files into a temporary folder, then for each job count times
``drafter review DIR --format json --no-index --jobs N --summary out.xlsx`` (wall time, process
start and the workbook included) and prints reports per second and the speed-up over the first
job count, with the CPU seconds all its processes used (on a machine shared with other work
the wall time says more about the others than about drafter; the CPU time does not); the JSON
of every run must be byte-identical. Target: 1,000 reports with their
workbook in under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project root, for tests.support

from tests.support.synth import generate_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--chars", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    exe = shutil.which("drafter", path=str(Path(sys.executable).parent)) or shutil.which("drafter")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        chars = 0
        for k, r in enumerate(generate_corpus(args.n, seed=args.seed, target_chars=args.chars)):
            (folder / f"{k:05d}.md").write_text(r.text, encoding="utf-8")
            chars += len(r.text)
        cores = len(os.sched_getaffinity(0))
        print(f"reports: {args.n}  mean length: {chars / args.n:.0f} characters  cores: {cores}  "
              f"load average: {os.getloadavg()[0]:.1f}")
        first, outputs = None, []
        for jobs in args.jobs:
            out = Path(tmp) / f"summary-{jobs}.xlsx"
            cpu0 = _children_cpu()
            start = time.perf_counter()
            run = subprocess.run([exe, "review", str(folder), "--format", "json", "--no-index", "--jobs", str(jobs),
                                  "--summary", str(out)], capture_output=True, cwd=tmp)
            wall = time.perf_counter() - start
            cpu = _children_cpu() - cpu0
            if run.returncode not in (0, 1) or not out.exists():
                sys.exit(f"--jobs {jobs} failed (exit {run.returncode}): {run.stderr.decode()[-500:]}")
            outputs.append(run.stdout)
            first = first or wall
            print(f"--jobs {jobs}: {wall:.1f} s  {args.n / wall:.1f} reports/s  speed-up {first / wall:.2f}×  "
                  f"CPU {cpu:.1f} s (all processes; {cpu / args.n * 1000:.1f} ms a report)  "
                  f"workbook {out.stat().st_size // 1024} KB")
        same = all(o == outputs[0] for o in outputs)
        print("JSON identical across job counts: " + ("yes" if same else "NO"))
        if not same:
            sys.exit(1)


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (the command and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
