"""drafter: drafting and review of 财政支出项目绩效自评报告, offline by default.

The library face::

    import drafter

    result = drafter.review("报告.docx")              # a file (str or Path)
    result = drafter.review(text=md, path="报告.md")  # the report's text; path= only names it
    report = drafter.load("报告.pdf")                 # a Report (text, metadata, blocks)
    result = drafter.review(report)
    made = drafter.draft(facts)                       # drafter.facts.model.load_facts(...)

``review`` returns a ``ReviewResult`` of ``Finding``s; every problem with an input is an
``InputError`` (a ``DrafterError``) naming the file and what is wrong. A str that names no
file is such an error, not report text: text goes in ``text=``.

Importing ``drafter`` is cheap: the review engine, the document readers and the drafting
pipeline are imported on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from drafter.errors import DrafterError, InputError, RuleError
from drafter.findings import Finding, Level, ReviewResult

if TYPE_CHECKING:
    from drafter.documents.load import Report

__all__ = ["DrafterError", "Finding", "InputError", "Level", "Report", "ReviewResult", "RuleError", "draft",
           "from_text", "load", "review"]
__version__ = "0.1.0"

# drafter.review and drafter.draft are also subpackages. Loading a subpackage sets the package's
# attribute of that name, so both are loaded (they are empty) before the functions below take
# the names: importing drafter.review.engine or drafter.draft.pipeline later leaves them alone.
importlib.import_module("drafter.review")
importlib.import_module("drafter.draft")

def review(source: Report | str | Path | None = None, *, text: str | None = None, path: str | Path | None = None,
           rules=None, accept=None, min_level: Level | str = Level.info, index=None, claims=None) -> ReviewResult:
    """Review a report and return its findings, silenced ones removed.

    - ``review("报告.docx")`` or ``review(Path(...))``: a .md/.txt/.docx/.pdf file;
    - ``review(text=…)``: the report's text (``path=`` the name its findings show);
    - ``review(report)``: a ``Report`` from ``drafter.load``.

    A str naming no file raises ``InputError`` (use ``text=``). A str holding a newline is
    still read as the text (the old way, kept working; ``text=`` is the way to write it).
    ``rules`` default to the built-in rules, read once per process
    (``drafter.review.registry.load_rules(dirs)`` adds folders of your own); ``accept`` is an
    accept list, ``min_level`` drops lower levels, ``index`` a corpus index for the copy
    checks, ``claims`` a model's claim checker (``review --llm``)."""
    from drafter.review.engine import review as run

    return run(source, text=text, path=path, rules=rules, accept=accept, min_level=min_level, index=index,
               claims=claims)


def load(source: str | Path | None = None, *, text: str | None = None, path: str | Path | None = None,
         max_bytes: int | None = None) -> Report:
    """A ``Report``: ``load("报告.docx")`` reads a file (every problem is an ``InputError``
    naming it: a str naming no file among them, with a pointer to ``text=``; ``max_bytes``
    the size limit, 20 MB by default);
    ``load(text=…, path=…)`` takes the report's text (a metadata header is read)."""
    from drafter.review.engine import as_report

    return as_report(source, text=text, path=path, max_bytes=max_bytes, caller="drafter.load")


def draft(facts, **options):
    """Draft a report from facts (``drafter.facts.model.load_facts(path)``): the same keyword
    options as ``drafter.draft.pipeline.draft`` (template_id, model, backend, section, …)."""
    from drafter.draft.pipeline import draft as run

    return run(facts, **options)


def __getattr__(name: str):
    """``Report`` and ``from_text`` come from the document layer, imported when first asked for."""
    if name in ("Report", "from_text"):
        from drafter.documents import load as documents

        return getattr(documents, name)
    raise AttributeError(f"module 'drafter' has no attribute {name!r}")
