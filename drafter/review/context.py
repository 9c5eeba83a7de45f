"""What a rule may use besides the report's analysis: the corpus matcher (when the review has
an index) and the claim checker (when it has a model). Rules of stage ``text`` are given the
``Analysis`` alone; rules of stage ``corpus`` and ``llm`` are given this context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from drafter.analysis.view import Analysis

if TYPE_CHECKING:  # the corpus pulls in chromadb, the claim check a model client: only when used
    from drafter.corpus.copy import CorpusMatcher
    from drafter.llm.claims import CheckFailure, ClaimChecker, ClaimResult


@dataclass
class ReviewContext:
    analysis: Analysis
    corpus: CorpusMatcher | None = None  # the report's matches in the corpus index
    claims: ClaimChecker | None = None  # a model judging outcome claims (review --llm)

    @cached_property
    def claim_results(self) -> tuple[list[ClaimResult], list[CheckFailure]]:
        """The model's verdicts and the checks that failed, asked once for all llm rules."""
        if self.claims is None:
            return [], []
        return self.claims.run(self.analysis)
