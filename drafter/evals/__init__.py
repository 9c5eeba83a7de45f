"""Evals: score the reviewer and the drafter against reference reports (``evals/``).

    from drafter.evals.suite import load_suite
    from drafter.evals.runner import run_suite
    summary = run_suite(load_suite("evals/default.yaml"))

``inject`` plants labelled defects, ``metrics`` judges findings and drafts, ``runner`` runs a
suite (resumable), ``compare`` diffs two runs, ``html`` writes the report page.
"""
