"""medcode's hybrid search as a LangChain retriever, so it composes with LangChain chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.filters import Filters
from assistant.retrieval import Hit, Searcher


def to_document(hit: Hit) -> Document:
    p = hit.passage
    metadata: dict[str, Any] = {**p.public(), "score": hit.score}
    del metadata["text"]
    return Document(page_content=p.text, metadata=metadata, id=p.id)


class MedcodeRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [to_document(h) for h in self.searcher.search(query, self.k, self.filters).hits]
