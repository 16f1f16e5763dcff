"""An in-memory vector index with numpy: the same contract as the Chroma store (see
tests/assistant/test_vectorstore.py), exact nearest neighbours, nothing written to disk. For
fast tests and trials (``MEDCODE_VECTORS=memory``): an ingest and the searches that follow it
must run in one process, which holds the vectors until it ends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from assistant.vectorstore import NONE, VectorHit


def matches(metadata: Mapping[str, Any], where: Mapping[str, Any] | None) -> bool:
    """Chroma's filters: ``{"field": value}``, ``{"field": {"$in": [...]}}`` or
    ``{"$and": [...]}``."""
    if not where:
        return True
    if "$and" in where:
        return all(matches(metadata, part) for part in where["$and"])
    return all(
        metadata.get(name) in value["$in"]
        if isinstance(value, dict)
        else metadata.get(name) == value
        for name, value in where.items()
    )


class MemoryVectors:
    # one index per data folder and collection name, for the life of the process
    SHELF: ClassVar[dict[tuple[str, str], MemoryVectors]] = {}
    SHELF_LOCK: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, place: str, name: str) -> None:
        self.place = place
        self.name = name
        self.vectors: dict[str, np.ndarray] = {}
        self.metadatas: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.stacked: tuple[list[str], np.ndarray] | None = None

    @classmethod
    def named(cls, place: str, name: str) -> MemoryVectors:
        with cls.SHELF_LOCK:
            return cls.SHELF.setdefault((place, name), cls(place, name))

    @cached_property
    def titles(self) -> MemoryVectors:
        return self.named(self.place, f"{self.name}-titles")

    @cached_property
    def prose(self) -> MemoryVectors:
        return self.named(self.place, f"{self.name}-prose")

    def count(self) -> int:
        return len(self.vectors)

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        if not len(ids) == len(vectors) == len(metadatas):
            raise ValueError(f"{len(ids)} ids, {len(vectors)} vectors, {len(metadatas)} metadatas")
        with self.lock:
            for pid, vector, metadata in zip(ids, vectors, metadatas, strict=True):
                self.vectors[pid] = np.asarray(vector, dtype=np.float32)
                self.metadatas[pid] = dict(metadata)
            self.stacked = None

    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        return {
            pid: str(self.metadatas[pid].get("hash", "")) for pid in ids if pid in self.metadatas
        }

    def ids_for_source(self, source: str) -> list[str]:
        return [pid for pid, meta in self.metadatas.items() if meta.get("source") == source]

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        with self.lock:
            return {pid: self.vectors[pid].copy() for pid in ids if pid in self.vectors}

    def delete(self, ids: Iterable[str]) -> None:
        with self.lock:
            for pid in ids:
                self.vectors.pop(pid, None)
                self.metadatas.pop(pid, None)
            self.stacked = None

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None = None,
        metadata: bool = True,
    ) -> list[VectorHit]:
        """Nearest first, by cosine distance (as the Chroma collections are made)."""
        with self.lock:
            if self.stacked is None:
                ids = list(self.vectors)
                matrix = np.stack(list(self.vectors.values())) if ids else np.zeros((0, 1))
                self.stacked = ids, matrix
            ids, matrix = self.stacked
        if not ids:
            return []
        norms = np.maximum(np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector), 1e-12)
        distances = 1.0 - (matrix @ np.asarray(vector, dtype=np.float32)) / norms
        hits = []
        for row in np.argsort(distances, kind="stable"):
            pid = ids[row]
            meta = self.metadatas.get(pid)
            if meta is None or not matches(meta, where):
                continue
            hits.append(VectorHit(pid, float(distances[row]), dict(meta) if metadata else NONE))
            if len(hits) == k:
                break
        return hits
