"""The Chroma vector store. medcode computes every embedding itself. Chroma would fall back to
its default embedding function (which downloads a model) for any text it is handed, even on a
collection opened with ``embedding_function=None``; the collection is opened with one that
refuses instead, so that can never happen."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

import numpy as np

from assistant.settings import Settings
from assistant.tuning import TITLES_EF_SEARCH

BATCH = 2000
OPENING = threading.Lock()
PROSE_KINDS = ("guideline", "definition", "document")
RETRY_SECONDS = 5.0
LOCKED_WAITS = (0.2, 0.5, 1.0, 2.0, None)  # seconds before each new try; None: give up
# the HNSW graph of a new collection. With Chroma's defaults (16 links a vector, 100 candidates
# while building) 0.8-3.7% of the main collection's vectors were not among the 480 nearest of
# their own vector, so a passage the question named exactly could be missing from the dense
# list; with 32 and 200, 0.2% (a collection made before keeps its graph)
GRAPH = {"hnsw:space": "cosine", "hnsw:M": 32, "hnsw:construction_ef": 200}


class RefuseToEmbed:
    """Chroma's embedding-function interface, refusing: text must never be embedded by Chroma."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Any) -> Any:
        raise RuntimeError("medcode embeds its own text: Chroma was handed text to embed")

    def embed_query(self, input: Any) -> Any:
        return self(input)

    @staticmethod
    def name() -> str:
        return "medcode-refuse-to-embed"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> RefuseToEmbed:
        return RefuseToEmbed()

    def is_legacy(self) -> bool:
        return False


def refusing_embedding_function() -> Any:
    from chromadb.utils.embedding_functions import register_embedding_function

    with contextlib.suppress(ValueError):  # registered already
        register_embedding_function(RefuseToEmbed)  # type: ignore[no-untyped-call]
    return RefuseToEmbed()


class VectorHit(NamedTuple):
    """A tuple, not a dataclass: a search makes some 600 (0.2 ms against 0.5)."""

    id: str
    distance: float
    metadata: Mapping[str, Any]


NONE: Mapping[str, Any] = MappingProxyType({})


class VectorIndex(Protocol):
    """What ingest and search need of a vector store: Chroma (``VectorStore``, embedded or a
    server) or the in-memory one (``assistant.memory_vectors``)."""

    @property
    def titles(self) -> VectorIndex: ...  # one vector per code passage, of its title alone

    @property
    def prose(self) -> VectorIndex: ...  # the guideline, definition and document passages again

    def count(self) -> int: ...

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None: ...

    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]: ...

    def ids_for_source(self, source: str) -> list[str]: ...

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...  # those stored

    def delete(self, ids: Iterable[str]) -> None: ...

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None = None,
        metadata: bool = True,
    ) -> list[VectorHit]: ...


def collection_name(settings: Settings, embedder_name: str) -> str:
    """One collection per embedding model: vectors of two models never mix."""
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", embedder_name).strip("-").lower()
    return f"{settings.collection}-{slug}"


def open_vectors(settings: Settings, embedder_name: str) -> VectorIndex:
    """The vector store the settings name: Chroma (embedded, or the server at
    ``chroma_host``), or in memory."""
    if settings.vectors == "memory":
        from assistant.memory_vectors import MemoryVectors

        place = str(settings.data_dir.resolve())
        return MemoryVectors.named(place, collection_name(settings, embedder_name))
    return VectorStore.open(settings, embedder_name)


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    # Chroma sets up one system per folder and process, and two threads opening it at once (a
    # server and its background build) can each see the other's half-made one
    with OPENING:
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class VectorStore:
    def __init__(
        self, client: Any, name: str, embedder_name: str, ef_search: int | None = None
    ) -> None:
        self.client = client
        self.name = name
        self.embedder_name = embedder_name
        with OPENING:  # two threads creating one collection at once: one of them fails
            self.collection = client.get_or_create_collection(
                name=name,
                embedding_function=refusing_embedding_function(),
                metadata={**GRAPH, "embedder": embedder_name},
            )
        if ef_search:
            self.search_wider(ef_search)

    def search_wider(self, ef_search: int) -> None:
        """Set the collection's HNSW search breadth, once: a collection made before it was set
        is changed in place (an embedded client reads it when it first loads the graph; a Chroma
        server, when it next loads the collection)."""
        hnsw = (self.collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") == ef_search:
            return
        # Chroma's own SQLite may be busy a moment (its log being written, an ingest beside):
        # a locked database is tried again, a little later each time
        for wait in LOCKED_WAITS:
            try:
                self.collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
                return
            except Exception as exc:
                if "database is locked" not in str(exc) or wait is None:
                    raise
                time.sleep(wait)

    @classmethod
    def open(cls, settings: Settings, embedder_name: str) -> VectorStore:
        return cls(make_client(settings), collection_name(settings, embedder_name), embedder_name)

    @cached_property
    def titles(self) -> VectorStore:
        """A companion collection: one vector per code passage, of its title alone, under the
        passage's id. A paraphrase of a code's title finds it there far more often than among
        vectors that also carry the code's inclusion terms."""
        return VectorStore(self.client, f"{self.name}-titles", self.embedder_name, TITLES_EF_SEARCH)

    @cached_property
    def prose(self) -> VectorStore:
        """A companion collection holding the passages of the small prose kinds (guidelines,
        definitions, documents) again: a search restricted to one of them queries a few
        thousand vectors, where Chroma's metadata filter over the whole store costs ~30 ms."""
        return VectorStore(self.client, f"{self.name}-prose", self.embedder_name)

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

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), BATCH):
            got = self.collection.get(ids=list(ids[start : start + BATCH]), include=["embeddings"])
            embeddings = got["embeddings"] if got["embeddings"] is not None else []
            for pid, vector in zip(got["ids"], embeddings, strict=False):
                found[pid] = np.asarray(vector, dtype=np.float32)
        return found

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[start : start + BATCH])

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None = None,
        metadata: bool = True,
    ) -> list[VectorHit]:
        """Nearest first. Without ``metadata`` only ids and distances come back, several times
        faster on a large collection (Chroma reads metadata row by row)."""
        include = ["metadatas", "distances"] if metadata else ["distances"]
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where or None, include=include
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        if not metadata:  # hundreds of hits a query: no metadata dict each
            return [VectorHit(pid, dist, NONE) for pid, dist in zip(ids, distances, strict=False)]
        metas = (result["metadatas"] or [[None] * len(ids)])[0]
        return [
            VectorHit(pid, float(dist), dict(meta or {}))
            for pid, dist, meta in zip(ids, distances, metas, strict=False)
        ]


def each_once(hits: Iterable[VectorHit]) -> list[VectorHit]:
    """The hits (nearest first) with each passage at its first, nearest, place."""
    first: dict[str, VectorHit] = {}
    for hit in hits:
        first.setdefault(hit.id, hit)
    return list(first.values())


def nearest_passages(
    store: VectorIndex,
    vector: np.ndarray,
    k: int,
    alone: Callable[[list[str]], set[str]],
    where: dict[str, Any] | None = None,
) -> list[VectorHit]:
    """The ``k`` passages nearest ``vector``, as one collection of every passage would give
    them: the main collection's, and the codes whose one vector is their title's (``alone``
    tells which of the title hits those are; see vector_texts)."""
    near = store.query(vector, k, where)
    named = store.titles.query(vector, k, where)
    keep = alone([hit.id for hit in named])
    hits = sorted([*near, *(hit for hit in named if hit.id in keep)], key=lambda h: h.distance)
    return each_once(hits)[:k]


def vectors_of_passages(store: VectorIndex, ids: Sequence[str]) -> dict[str, np.ndarray]:
    """Each passage's vector: of the main collection, else its title's (see vector_texts)."""
    found = store.vectors_of(ids)
    if missing := [pid for pid in ids if pid not in found]:
        found.update(store.titles.vectors_of(missing))
    return found


class StoreHandle:
    """Opens the vector store on first use and again after a failure, at most every few
    seconds: while a Chroma server is down, ``get`` returns None (the lexical index and the
    catalog still answer), and search recovers on its own when the server returns."""

    def __init__(self, settings: Settings, embedder_name: str) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.store: VectorIndex | None = None
        self.last_try = -RETRY_SECONDS

    def get(self) -> VectorIndex | None:
        if self.store is None and time.monotonic() - self.last_try >= RETRY_SECONDS:
            self.last_try = time.monotonic()
            try:
                self.store = open_vectors(self.settings, self.embedder_name)
            except Exception:
                self.store = None
        return self.store

    def failed(self) -> None:
        """A query failed: open the store afresh next time (a restarted server may hold a new
        collection)."""
        self.store = None
        self.last_try = time.monotonic()
