"""Drafting speed: offline drafting of generated facts files, and with a scripted
OpenAI-compatible server the model calls and prompt characters per report and the speed-up from
drafting sections concurrently.

    .venv/bin/python benchmarks/draft_bench.py [--n 100] [--server-n 10] [--latency 0.2]

Target: offline median ≤ 0.5 s per report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafter.draft.pipeline import draft  # noqa: E402
from drafter.facts.model import Facts  # noqa: E402
from drafter.llm.chat import CachedChat, Endpoint, chat_model  # noqa: E402
from tests.support.synth import generate_corpus  # noqa: E402


def facts_of(r) -> Facts:
    f = r.facts
    return Facts.model_validate({
        "template": "gd-annex5", "year": r.meta["year"],
        "unit": {"name": r.meta["unit"]}, "project": {"name": r.meta["project"]},
        "budget": {"unit": "元", "initial": f["initial"], "adjusted": f["adjusted"], "spent": f["spent"],
                   "adjustment_reason": "年中按实际需求调整" if f["adjusted"] != f["initial"] else None,
                   "underspend_reason": "部分采购尾款待验收后支付" if f["spent"] < 0.9 * f["adjusted"] else None},
        "achievements": list(f["achievements"])[:8], "problems": list(f.get("problems") or [])[:3],
        "improvements": list(f.get("improvements") or [])[:3],
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--server-n", type=int, default=10)
    ap.add_argument("--latency", type=float, default=0.2, help="seconds the scripted server waits per call")
    args = ap.parse_args()
    facts = [facts_of(r) for r in generate_corpus(args.n, seed=5, target_chars=5000)]
    runs = tempfile.mkdtemp()
    times = []
    for f in facts:
        t = time.perf_counter()
        draft(f, runs_dir=runs)
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"offline: {len(facts)} reports, median {statistics.median(times):.3f} s, "
          f"p95 {times[int(0.95 * len(times)) - 1]:.3f} s per report")

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from fake_openai import FakeOpenAI

    server = FakeOpenAI()
    server.default = lambda body: (
        time.sleep(args.latency),
        body["messages"][-1]["content"].split("本部分要写的事实：", 1)[1].split("可参考的往年同类段落", 1)[0].strip(),
    )[1]
    try:
        for jobs in (1, 4):
            calls = chars = 0
            t = time.perf_counter()
            for f in facts[: args.server_n]:
                chat = CachedChat(chat_model(Endpoint(model="scripted", base_url=server.url)))
                draft(f, model=chat, backend="openai", runs_dir=runs, jobs=jobs)
                calls += chat.calls
                chars += chat.prompt_chars
            el = time.perf_counter() - t
            print(f"openai (scripted server, {args.latency:.1f} s per call), {jobs} section(s) at once: "
                  f"{el / args.server_n:.2f} s per report, {calls / args.server_n:.1f} model calls and "
                  f"{chars / args.server_n:.0f} prompt characters per report")
    finally:
        server.close()


if __name__ == "__main__":
    main()
