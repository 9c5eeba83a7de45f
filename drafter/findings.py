"""The one finding model shared by every rule, printer and later the drafting guard."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["figures", "score", "unsupported", "boilerplate", "structure"]
CATEGORIES: tuple[str, ...] = ("figures", "score", "unsupported", "boilerplate", "structure")
CATEGORY_NAMES: dict[str, str] = {
    "figures": "数字核对",
    "score": "评分",
    "unsupported": "无依据表述",
    "boilerplate": "套话",
    "structure": "结构",
}


class Level(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


_RANK = {"info": 0, "warning": 1, "error": 2}


class Finding(BaseModel):
    """One problem in one report, pointing at the original text by character offsets."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    category: Category
    level: Level
    message: str
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    evidence: str = ""
    suggestion: str = ""

    def public(self) -> dict:
        """The stable JSON shape (a public interface: keep it)."""
        return {
            "rule": self.rule,
            "category": self.category,
            "level": self.level.value,
            "message": self.message,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "col": self.col,
            "evidence": self.evidence,
            "suggestion": self.suggestion,
        }


class CorpusUse(BaseModel):
    """The corpus index a review compared the report with."""

    reports: int  # reports in the index (several files of one report count once)
    index: str  # its folder, or the Chroma server's URL


class ReviewResult(BaseModel):
    """The findings for one file (or one text)."""

    file: str
    findings: list[Finding] = []
    silenced: int = 0
    corpus: CorpusUse | None = None  # None: no index, the copy check did not run

    @property
    def has_errors(self) -> bool:
        return any(f.level is Level.error for f in self.findings)

    def public(self) -> dict:
        """The stable JSON shape: ``corpus`` says whether the copy check ran and against what."""
        corpus = ({"used": True, "reports": self.corpus.reports, "index": self.corpus.index} if self.corpus
                  else {"used": False})
        return {"file": self.file, "corpus": corpus, "findings": [f.public() for f in self.findings]}
