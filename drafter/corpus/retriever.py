"""A LangChain retriever over the corpus index, so the drafting chain retrieves exemplars with
a standard component (``invoke``, ``batch``, composition with ``|``)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from drafter.corpus.index import CorpusIndex


class CorpusRetriever(BaseRetriever):
    """Hybrid retrieval from a ``CorpusIndex``; metadata filters narrow the search."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # CorpusIndex (Any: pydantic need not know chromadb's types)
    k: int = 4
    section_kind: str | None = None
    year: int | None = None
    unit: str | None = None
    exclude_source: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        idx: CorpusIndex = self.index
        hits = idx.search(query, self.k, section_kind=self.section_kind, year=self.year, unit=self.unit,
                          exclude_source=self.exclude_source)
        return [Document(page_content=h.text, metadata={**h.metadata, "id": h.id, "score": h.score}) for h in hits]
