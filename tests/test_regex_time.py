"""Issue 13, item 2: no regular expression of the package takes more than linear time on a long
run of one character class. ``FIGURE_RE`` took 11 s on 20,000 blanks (every start position
backtracked over the rest of the run); a report with such a run froze the web server.

Every pattern (``tests.support.regex_sweep``: the modules' compiled patterns, the literal ones
in the source, the rules' and templates') is run with ``finditer`` over 100,000 characters of
each class, in a child process whose every step must come back within the bound, so a pattern
that hangs fails the test (naming it) instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.support.regex_sweep import all_patterns

RUN = 100_000  # characters of each input
BOUND = 2.0  # seconds per 100,000 characters: generous, a linear pattern takes a few milliseconds
SLACK = 5.0  # seconds for the child's start and a loaded machine, on top of each step's bound


def _run(unit: str) -> str:
    return (unit * (RUN // len(unit) + 1))[:RUN]


INPUTS = {
    "ascii spaces": _run(" "),
    "full-width spaces": _run("\u3000"),
    "tabs and no-break spaces": _run("\t\u00a0"),
    "newlines": _run("\n"),
    "blank lines with spaces": _run(" \n"),
    "digits": _run("1"),
    "full-width digits": _run("１"),
    "digits with thousands commas": "1" + _run(",234")[1:],
    "digits and commas": _run("1,"),
    "digits and dots": _run("1."),
    "digits and spaces": _run("1 "),
    "digits and 、": _run("1、"),
    "amounts": _run("1万元"),
    "percentages": _run("1%"),
    "products": _run("1×"),
    "CJK": _run("的"),
    "Chinese numerals": _run("一"),
    "Chinese numerals and spaces": _run("一 "),
    "budget words": _run("预算资金"),
    "ideographic comma": _run("、"),
    "full-width comma": _run("，"),
    "full stop": _run("。"),
    "colon": _run("："),
    "pipes": _run("|"),
    "pipes and spaces": _run("| "),
    "opening brackets": _run("（"),
    "quotes": _run("“"),
    "dashes": _run("-"),
}


def test_the_sweep_finds_the_patterns_of_code_rules_and_templates():
    patterns = all_patterns()
    sources = {source for source, _ in patterns.values()}
    from drafter.analysis.budget import _CUE_RE
    from drafter.text.figures import FIGURE_RE

    assert FIGURE_RE.pattern in sources and _CUE_RE.pattern in sources  # module level
    assert r"合计|共计|总计" in sources  # a literal in a function (analysis/budget.py)
    assert any(name.startswith("product-total.patterns") for name in patterns)  # a rule's list
    assert any(name.startswith("arrival-mismatch.claim") for name in patterns)  # a rule's string
    assert any(name.startswith("template national-table.field_evidence") for name in patterns)
    assert len(patterns) > 400


def _sweep(patterns: list[tuple[str, str, int]], inputs: list[tuple[str, str]]) -> tuple[list, list]:
    """(slow, hung): (pattern name, input name, seconds) over the bound, and the steps that did not
    come back in time (the child is then killed and restarted after that pattern)."""
    slow, hung = [], []
    start = 0
    while start < len(patterns):
        child = subprocess.Popen([sys.executable, "-m", "tests.support.regex_sweep"], cwd=ROOT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        child.stdin.write(json.dumps({"patterns": patterns[start:], "inputs": inputs}).encode())
        child.stdin.close()
        fd = child.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        pending, expected = b"", (start, 0)
        try:
            while expected[0] < len(patterns):
                if b"\n" not in pending:  # wait for the next step (unbuffered: select sees every byte)
                    limit = BOUND * len(inputs[expected[1]][1]) / 100_000 + SLACK
                    chunk = os.read(fd, 65536) if sel.select(timeout=limit) else None
                    if chunk is None:
                        i, j = expected
                        hung.append((patterns[i][0], inputs[j][0], f"> {limit:.0f} s"))
                        expected = (i + 1, 0)
                        break
                    if not chunk:
                        i, j = expected
                        raise AssertionError(f"the sweep stopped at {patterns[i][0]} on {inputs[j][0]}")
                    pending += chunk
                    continue
                line, pending = pending.split(b"\n", 1)
                i, j, secs = line.split()
                i, j, secs = int(i) + start, int(j), float(secs)
                if secs > BOUND * len(inputs[j][1]) / 100_000:
                    slow.append((patterns[i][0], inputs[j][0], secs))
                expected = (i, j + 1) if j + 1 < len(inputs) else (i + 1, 0)
        finally:
            sel.close()
            child.kill()
            child.wait()
        start = expected[0]
    return slow, hung


def test_every_pattern_is_linear_on_long_runs_of_each_character_class():
    patterns = [(name, source, flags) for name, (source, flags) in sorted(all_patterns().items())]
    t0 = time.perf_counter()
    slow, hung = _sweep(patterns, list(INPUTS.items()))
    elapsed = time.perf_counter() - t0
    problems = [f"{name} on {inp}: {secs}" for name, inp, secs in hung + slow]
    assert problems == [], f"{len(problems)} slow steps (sweep took {elapsed:.0f} s):\n" + "\n".join(problems)


def test_the_sweep_catches_a_quadratic_pattern():
    """The harness itself: the old figure pattern's shape (optional blanks before a number that
    is not there) is reported as hung, and a linear one passes."""
    quadratic = r"(?:约)?\s*\d+\s*元"
    inputs = [("ascii spaces", _run(" ")[:30_000])]
    slow, hung = _sweep([("quadratic", quadratic, re.UNICODE), ("linear", r"(?:约\s*)?\d+\s*元", re.UNICODE)],
                        inputs)
    assert [(name, inp) for name, inp, _ in slow + hung] == [("quadratic", "ascii spaces")]


_QUOTE_PATTERN = re.compile("“[^”\n]*”|《[^》\n]*》|「[^」\n]*」")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet="“”《》「」\na的 1", max_size=60))
def test_the_quote_scanner_finds_what_the_quote_pattern_found(text):
    """drafter.draft.numbers read a line of openers without closers again from each opener (a
    quadratic pattern the sweep caught): its linear scanner must find the pattern's matches."""
    from drafter.draft.numbers import _quoted

    assert _quoted(text) == [(m.start(), m.end(), m.group(0).startswith("《")) for m in _QUOTE_PATTERN.finditer(text)]
