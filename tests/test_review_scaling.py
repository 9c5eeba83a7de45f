"""Issue 13, items 4 and 6: a review's time grows linearly with the report.

8,000 identical budget paragraphs took 44 s against 2.4 s for 2,000 (``check_execution_rate``
asked ``budget.first`` 16 million times); a 19 MB text took 91 s, 8 MB 14 s, 4 MB 3.9 s (steps
that read every section, sentence, table line or flagged span for each section, sentence or
figure: 800 short sections took 6.6 s of CPU against 0.66 s for 200). Each size is reviewed in
a child process with a time limit (a hang fails, it does not block), the rules loaded first,
the smaller size timed twice (its best time: it is the one noise moves most). The times are the
child's CPU time, which the other processes of a loaded machine do not stretch as they do the
wall clock; the assertion is on their ratio, with room to spare: linear growth gives the size
ratio, quadratic growth its square.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

_CHILD = """
import sys, time
import drafter
from tests.support.large import budget_paragraphs, corpus_text, short_sections
text = {build}
drafter.review(text="本项目年初预算 100 万元。")
best = None
for _ in range({runs}):
    t0 = time.process_time()
    drafter.review(text=text)
    best = min(best or 1e9, time.process_time() - t0)
print(len(text), best)
"""


def _review_seconds(build: str, runs: int = 1, timeout: float = 300) -> tuple[int, float]:
    """(characters, CPU seconds) of the review of the text ``build`` (a Python expression): the
    process's CPU time, which other processes on a loaded machine do not inflate as they do the
    wall clock's."""
    done = subprocess.run([sys.executable, "-c", _CHILD.format(build=build, runs=runs)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=True)
    chars, seconds = done.stdout.split()
    return int(chars), float(seconds)


@pytest.mark.parametrize("distinct, small, large", [(False, 2000, 8000), (True, 1000, 4000)],
                         ids=["identical paragraphs", "paragraphs with their own figures"])
def test_many_short_budget_paragraphs_review_in_linear_time(distinct, small, large):
    n_small, t_small = _review_seconds(f"budget_paragraphs({small}, distinct={distinct})", runs=2)
    n_large, t_large = _review_seconds(f"budget_paragraphs({large}, distinct={distinct})")
    size = n_large / n_small
    assert size == pytest.approx(4, rel=0.05)
    # linear: × 4; quadratic: × 16 (44 s against 2.4 s before)
    assert t_large / t_small < 2 * size, f"{small}: {t_small:.2f} s, {large}: {t_large:.2f} s"


def test_many_short_sections_review_in_linear_time():
    """Issue 13, item 6: headings, tables, figures, claims and problems by the thousand."""
    n_small, t_small = _review_seconds("short_sections(200)", runs=2)
    size = 4
    n_large, t_large = _review_seconds(f"short_sections({200 * size})", timeout=120)  # before: 13 s
    assert n_large / n_small == pytest.approx(size, rel=0.05)
    # linear: × 4; quadratic: × 16 (6.6 s of CPU against 0.66 s before: × 9.95)
    assert t_large / t_small < 2 * size, f"200: {t_small:.2f} s, 800: {t_large:.2f} s"
