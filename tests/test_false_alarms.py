"""Clean reports must stay clean: generated reports whose arithmetic holds by construction
(tests.support.synth) give no figures, score or unsupported findings at all."""

from collections import Counter

from drafter.documents.load import from_text
from drafter.review.engine import review
from drafter.review.registry import load_rules
from tests.support.synth import generate_corpus


def test_no_false_alarms_on_clean_generated_reports():
    rules = load_rules()
    wrong = Counter()
    examples = []
    for r in generate_corpus(80, seed=2026):
        for f in review(from_text(r.text, path=f"synth-{r.meta['project']}.md"), rules=rules).findings:
            if f.category in ("figures", "score", "unsupported"):
                wrong[f.rule] += 1
                examples.append(f"{f.rule}: {f.quote} | {f.evidence}")
    assert not wrong, "\n".join(examples[:10])


def test_planted_template_residue_is_found_and_nothing_else_structural():
    rules = load_rules()
    for r in generate_corpus(40, seed=99):
        result = review(from_text(r.text), rules=rules)
        # template instructions left in the text are boilerplate; the other structural findings too
        found = sorted(f.quote for f in result.findings
                       if f.category == "structure" or f.rule == "template-instruction")
        planted = sorted(s.rstrip("。") for s in r.facts["template_residue"])
        assert found == planted
