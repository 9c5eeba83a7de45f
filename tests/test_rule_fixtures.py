"""Vale-style rule fixtures: each folder under ``tests/fixtures/rules/<category>/<case>/`` holds an
``input.md`` (a short report excerpt) and an ``expected.yml`` listing the exact findings of that
category's rules, in text order, as ``- {rule: ID, quote: "…"}`` (``[]`` when nothing may be flagged).

Case folders are named ``<rule-id>__flag__<slug>`` (the case must raise ``rule-id``) or
``<rule-id>__ok__<slug>`` (a near miss: the category must stay silent)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drafter.findings import CATEGORIES
from drafter.review.engine import review
from drafter.review.registry import RULES_DIR, load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
MIN_PER_CATEGORY = 5  # should-flag and should-not-flag cases per category
MIN_PER_RULE = 2  # ... and per rule id


def _cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/input.md"))


def _parse_name(case: Path) -> tuple[str, str, str]:
    """(rule id, "flag" | "ok", slug) from a case folder name."""
    parts = case.name.split("__")
    assert len(parts) == 3 and parts[1] in ("flag", "ok"), f"{case.name}: name it <rule-id>__flag|ok__<slug>"
    return parts[0], parts[1], parts[2]


def _expected(case: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load((case / "expected.yml").read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{case}/expected.yml must be a YAML list"
    out = []
    for item in data:
        assert isinstance(item, dict) and set(item) == {"rule", "quote"}, f"{case}/expected.yml: bad entry {item!r}"
        out.append((str(item["rule"]), str(item["quote"])))
    return out


CASES = _cases()
# Rules of stage corpus need an index (tests/test_index.py), and those of stage llm a model
# (tests/test_claims.py): they are tested there instead of with single-file fixtures (the tests
# are named in tests/test_rule_types.py).
RULES = {r.id: r for r in load_rules() if r.stage == "text"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_rule_fixture(case: Path) -> None:
    category = case.parent.name
    assert category in CATEGORIES, f"unknown category folder {category}"
    rule_id, kind, _ = _parse_name(case)
    assert rule_id in RULES, f"{case.name}: no rule {rule_id}"
    assert RULES[rule_id].category == category, f"{rule_id} belongs in {RULES[rule_id].category}/"

    path = case / "input.md"
    text = path.read_text(encoding="utf-8")
    result = review(path)
    findings = [f for f in result.findings if f.category == category]
    for f in findings:
        assert f.quote == text[f.start : f.end], f"{f.rule}: quote {f.quote!r} is not text[{f.start}:{f.end}]"
        line, col = text.count("\n", 0, f.start) + 1, f.start - (text.rfind("\n", 0, f.start) + 1) + 1
        assert (f.line, f.col) == (line, col), f"{f.rule}: line/col {(f.line, f.col)} != {(line, col)}"
    got = [(f.rule, f.quote) for f in sorted(findings, key=lambda f: (f.start, f.end, f.rule))]
    expected = _expected(case)
    assert got == expected, "\n".join(
        ["findings differ", "got:", *(f"  {r}: {q!r}" for r, q in got),
         "expected:", *(f"  {r}: {q!r}" for r, q in expected)]
    )
    if kind == "flag":
        assert any(r == rule_id for r, _ in expected), f"{case.name}: a flag case must expect a {rule_id} finding"
    else:
        assert expected == [], f"{case.name}: a near-miss case must expect no {category} findings"


def test_fixture_coverage() -> None:
    """At least MIN_PER_CATEGORY flag and no-flag cases per category, MIN_PER_RULE per rule id."""
    per_category = {c: {"flag": 0, "ok": 0} for c in CATEGORIES}
    per_rule = {rule_id: {"flag": 0, "ok": 0} for rule_id in RULES}
    for case in CASES:
        rule_id, kind, _ = _parse_name(case)
        per_category[case.parent.name][kind] += 1
        per_rule.setdefault(rule_id, {"flag": 0, "ok": 0})[kind] += 1
    short = [f"{c}: {n}" for c, n in per_category.items() if min(n.values()) < MIN_PER_CATEGORY]
    assert not short, f"categories below {MIN_PER_CATEGORY} flag / no-flag cases: {short}"
    short = [f"{r}: {n}" for r, n in sorted(per_rule.items()) if min(n.values()) < MIN_PER_RULE]
    assert not short, f"rules below {MIN_PER_RULE} flag / no-flag cases: {short}"
    built_in = {p.stem for p in RULES_DIR.glob("*.yml")} & set(RULES)
    assert built_in <= set(per_rule), f"rules without fixtures: {sorted(built_in - set(per_rule))}"
