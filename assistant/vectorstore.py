"""The Chroma vector store. medcode computes every embedding itself: the collection has no
embedding function, so Chroma's default (which downloads a model) can never run."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.settings import Settings

BATCH = 2000


@dataclass(frozen=True)
class VectorHit:
    id: str
    distance: float
    metadata: dict[str, Any]


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class VectorStore:
    def __init__(self, client: Any, name: str, embedder_name: str) -> None:
        self.client = client
        self.collection = client.get_or_create_collection(
            name=name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder_name},
        )

    @classmethod
    def open(cls, settings: Settings, embedder_name: str) -> VectorStore:
        slug = re.sub(r"[^a-zA-Z0-9]+", "-", embedder_name).strip("-").lower()
        return cls(make_client(settings), f"{settings.collection}-{slug}", embedder_name)

    def count(self) -> int:
        return int(self.collection.count())

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        self.collection.upsert(
            ids=list(ids), embeddings=vectors.tolist(), metadatas=list(metadatas)
        )

    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            got = self.collection.get(ids=list(ids[start : start + BATCH]), include=["metadatas"])
            for pid, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
                found[pid] = str((meta or {}).get("hash", ""))
        return found

    def ids_for_source(self, source: str) -> list[str]:
        got = self.collection.get(where={"source": source}, include=[])
        return list(got["ids"])

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[start : start + BATCH])

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[VectorHit]:
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where or None,
            include=["metadatas", "distances"],
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        return [
            VectorHit(pid, float(dist), dict(meta or {}))
            for pid, dist, meta in zip(ids, distances, metas, strict=False)
        ]
