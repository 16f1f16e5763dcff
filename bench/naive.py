"""The naive reference a user would otherwise build, for bench.capacity: a LangChain retriever
over the same Chroma collections, dense only (the query embedded by the same packaged model,
the nearest passages returned with their text), behind the same FastAPI shape as medcode's
search (``GET /v1/search?q=&k=``, ``GET /readyz``). Not part of the product.

    MEDCODE_DATA_DIR=data python -m uvicorn bench.naive:app --port 8010
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.index import Index
from assistant.settings import Settings
from assistant.vectorstore import nearest_passages


class DenseRetriever(BaseRetriever):
    """Nearest passages by the query's vector alone, as a LangChain vector-store retriever
    gives them; the passage text is read from the catalog (the collection holds vectors and
    metadata only), as a store holding documents would return it."""

    index: Any
    k: int = 10

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        store = self.index.vectors.get()
        vector = self.index.embedder.embed_query(query)
        # most codes' one vector lies in the title collection (see assistant.vector_texts)
        hits = nearest_passages(store, vector, self.k, self.index.catalog.title_alone)
        passages = self.index.catalog.passages([hit.id for hit in hits])
        return [
            Document(
                page_content=passages[hit.id].text if hit.id in passages else "",
                metadata={**hit.metadata, "id": hit.id, "distance": hit.distance},
            )
            for hit in hits
        ]


def create_app(settings: Settings | None = None) -> FastAPI:
    index = Index(settings or Settings())
    retriever = DenseRetriever(index=index)
    retriever.invoke("warm up")  # the model and the collection loaded before the first request
    app = FastAPI(title="naive dense reference")

    @app.get("/readyz")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/v1/search")
    def search(q: str = Query(min_length=1), k: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
        found = retriever.model_copy(update={"k": k}).invoke(q)
        return {
            "hits": [
                {"id": d.metadata["id"], "text": d.page_content, "score": d.metadata["distance"]}
                for d in found
            ]
        }

    return app


app = create_app()
