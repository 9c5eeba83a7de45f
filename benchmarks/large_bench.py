"""Review time on large inputs (issue 13, items 4 and 6): many short budget paragraphs, many
short sections, and long realistic texts (the bundled reports repeated), each in a fresh process.

    .venv/bin/python benchmarks/large_bench.py [--cases p2000 p8000 d2000 d8000 s200 s800 4mb 8mb 19mb]
                                               [--repeat N]

``pN``: N identical budget paragraphs; ``dN``: N paragraphs each with its own figures; ``sN``: N
times a few short sections (headings, a table, figures, claims, a problem); ``XMB``: the reports
of corpus/ one after another to about X MB. Prints, for ``drafter.review(text=…)`` with the
rules loaded beforehand and the best of ``--repeat`` runs, the characters, the seconds, the
process's CPU seconds (which other processes on a loaded machine do not inflate as they do the
seconds), the findings and the peak memory; then, for each pair of the same kind, how much the
time grew against the size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project root, for tests.support

DEFAULT = ["p2000", "p8000", "d2000", "d8000", "s200", "s800", "4mb", "8mb", "19mb"]


def build(case: str) -> str:
    from tests.support.large import budget_paragraphs, corpus_text, short_sections

    if case.endswith("mb"):
        return corpus_text(float(case[:-2]))
    if case[0] == "s":
        return short_sections(int(case[1:]))
    return budget_paragraphs(int(case[1:]), distinct=case[0] == "d")


def child(case: str, repeat: int) -> None:
    import drafter

    text = build(case)
    drafter.review(text="本项目年初预算 100 万元。")  # read the rules, compile the patterns
    seconds = cpu = float("inf")
    for _ in range(repeat):  # the best of the runs: on a shared machine the noise only adds
        t0, c0 = time.perf_counter(), time.process_time()
        result = drafter.review(text=text)
        seconds, cpu = min(seconds, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"chars": len(text), "mb": len(text.encode()) / 2**20, "seconds": seconds, "cpu": cpu,
                      "findings": len(result.findings), "peak_mb": peak_mb}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=1, help="review each text this many times, print the best time")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    rows = {}
    print(f"{'case':>6} {'characters':>11} {'MB':>6} {'seconds':>8} {'CPU s':>8} {'findings':>8} {'peak MB':>8}")
    for case in args.cases:
        done = subprocess.run([sys.executable, __file__, "--child", case, "--repeat", str(args.repeat)],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"{case}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
        r = rows[case] = json.loads(done.stdout)
        print(f"{case:>6} {r['chars']:>11,} {r['mb']:>6.1f} {r['seconds']:>8.2f} {r['cpu']:>8.2f} {r['findings']:>8} "
              f"{r['peak_mb']:>8.0f}", flush=True)
    for kind in ("p", "d", "s", "mb"):
        same = [c for c in args.cases if (c.endswith("mb") if kind == "mb" else c[0] == kind and c[1:].isdigit())]
        for a, b in zip(same, same[1:]):
            size, grow = rows[b]["chars"] / rows[a]["chars"], rows[b]["seconds"] / rows[a]["seconds"]
            cpu = rows[b]["cpu"] / rows[a]["cpu"]
            print(f"{a} → {b}: size × {size:.2f}, time × {grow:.2f}, CPU time × {cpu:.2f}")


if __name__ == "__main__":
    main()
