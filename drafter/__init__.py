"""drafter: drafting and review of 财政支出项目绩效自评报告, offline by default.

Library first: ``drafter.review(path_or_text)`` returns a ``ReviewResult`` of ``Finding``s;
``drafter.load(path)`` returns a ``Report``.
"""

from drafter.errors import DrafterError, InputError, RuleError
from drafter.findings import Finding, Level, ReviewResult
from drafter.documents.load import Report, from_text, load
from drafter.review.engine import review

__all__ = ["DrafterError", "Finding", "InputError", "Level", "Report", "ReviewResult", "RuleError", "from_text", "load", "review"]
__version__ = "0.1.0"
