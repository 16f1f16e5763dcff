"""One contract for the vector store, run against the in-memory index, the embedded Chroma client
and a real `chroma run` server on 127.0.0.1: what ingest and search rely on must hold for all
three."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

from assistant import vectorstore
from assistant.settings import Settings
from assistant.tuning import TITLES_EF_SEARCH
from assistant.vectorstore import (
    StoreHandle,
    VectorIndex,
    VectorStore,
    open_vectors,
    refusing_embedding_function,
)
from tests.chroma import ChromaServer


@pytest.fixture(
    params=["memory", "embedded", pytest.param("server", marks=pytest.mark.integration)]
)
def settings_for(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    collection = f"t{uuid.uuid4().hex[:12]}"  # one fresh collection per test, also on the server
    if request.param == "memory":
        return Settings(data_dir=tmp_path, collection=collection, vectors="memory")
    if request.param == "embedded":
        return Settings(data_dir=tmp_path, collection=collection)
    server: ChromaServer = request.getfixturevalue("chroma_server")
    return Settings(
        data_dir=tmp_path, collection=collection, chroma_host="127.0.0.1", chroma_port=server.port
    )


def unit(*values: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def filled(settings: Settings) -> VectorIndex:
    store = open_vectors(settings, "test-embedder")
    vectors = np.stack([unit(1), unit(1, 0.2), unit(0, 1), unit(0, 0, 1)])
    metas = [
        {"source": "a", "kind": "code", "hash": "h0"},
        {"source": "a", "kind": "index", "hash": "h1"},
        {"source": "b", "kind": "code", "hash": "h2"},
        {"source": "b", "kind": "guideline", "hash": "h3"},
    ]
    store.upsert(["p0", "p1", "p2", "p3"], vectors, metas)
    return store


def chroma(store: VectorIndex) -> VectorStore:
    if not isinstance(store, VectorStore):
        pytest.skip("a property of Chroma's collections")
    return store


def test_nearest_first_with_metadata(settings_for: Settings) -> None:
    store = filled(settings_for)
    assert store.count() == 4
    hits = store.query(unit(1, 0.02), 3)
    assert [h.id for h in hits] == ["p0", "p1", "p2"]
    assert hits[0].distance <= hits[1].distance <= hits[2].distance
    assert hits[0].metadata == {"source": "a", "kind": "code", "hash": "h0"}


def test_where_filters(settings_for: Settings) -> None:
    store = filled(settings_for)
    assert [h.id for h in store.query(unit(1), 4, where={"kind": "code"})] == ["p0", "p2"]
    both = {"$and": [{"source": "b"}, {"kind": "guideline"}]}
    assert [h.id for h in store.query(unit(1), 4, where=both)] == ["p3"]


def test_hashes_sources_replace_delete(settings_for: Settings) -> None:
    store = filled(settings_for)
    assert store.stored_hashes(["p0", "p3", "missing"]) == {"p0": "h0", "p3": "h3"}
    assert sorted(store.ids_for_source("b")) == ["p2", "p3"]
    store.upsert(["p0"], np.stack([unit(0, 0, 0, 1)]), [{"source": "a", "hash": "new"}])
    assert store.count() == 4 and store.stored_hashes(["p0"]) == {"p0": "new"}
    store.delete(["p2", "p3"])
    assert store.count() == 2 and store.ids_for_source("b") == []


def test_survives_reopening(settings_for: Settings) -> None:
    filled(settings_for)
    again = open_vectors(settings_for, "test-embedder")
    assert again.count() == 4
    assert [h.id for h in again.query(unit(0, 1), 1)] == ["p2"]


def test_one_collection_per_embedder(settings_for: Settings) -> None:
    filled(settings_for)
    other = open_vectors(settings_for, "another-model")
    assert other.count() == 0


def test_title_vectors_search_wider(settings_for: Settings) -> None:
    """The title collection's graph is searched with ef_search 400, also when it was made before
    that was set: a wider search finds more of the true nearest titles."""
    store = chroma(filled(settings_for))
    assert store.collection.configuration["hnsw"]["ef_search"] == 100  # Chroma's default
    made_before = store.client.get_or_create_collection(
        f"{store.name}-titles", embedding_function=refusing_embedding_function()
    )
    assert made_before.configuration["hnsw"]["ef_search"] == 100
    titles = store.titles
    assert titles.collection.configuration["hnsw"]["ef_search"] == TITLES_EF_SEARCH
    again = chroma(open_vectors(settings_for, "test-embedder")).titles
    assert again.collection.configuration["hnsw"]["ef_search"] == TITLES_EF_SEARCH


def test_a_new_collection_links_each_vector_widely(settings_for: Settings) -> None:
    """32 links a vector and 200 candidates while building (Chroma's defaults left some
    vectors out of reach); a collection made before keeps its graph, and opens."""
    store = chroma(filled(settings_for))
    for made in (store, store.titles, store.prose):
        hnsw = made.collection.configuration["hnsw"]
        assert (hnsw["max_neighbors"], hnsw["ef_construction"], hnsw["space"]) == (
            32,
            200,
            "cosine",
        )
    name = f"{store.name}-before"
    store.client.get_or_create_collection(
        name, metadata={"hnsw:space": "cosine"}, embedding_function=refusing_embedding_function()
    )
    before = VectorStore(store.client, name, "test-embedder")
    assert before.collection.configuration["hnsw"]["max_neighbors"] == 16 and before.count() == 0


def test_no_embedding_function_ever_runs(settings_for: Settings) -> None:
    """Chroma's default embedding function downloads a model: text must never reach it."""
    store = chroma(filled(settings_for))
    with pytest.raises(Exception, match="(?i)embeds its own text"):
        store.collection.query(query_texts=["diabetes"], n_results=1)
    with pytest.raises(Exception, match="(?i)embeds its own text"):
        store.collection.add(ids=["x"], documents=["some text"])
    assert store.count() == 4


def test_handle_reports_an_unreachable_server(tmp_path: Path) -> None:
    from tests.api.conftest import free_port

    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    handle = StoreHandle(settings, "test-embedder")
    assert handle.get() is None
    assert not (tmp_path / "chroma").exists()  # no embedded store was made behind its back


def test_a_busy_chroma_database_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's SQLite can be locked a moment (its log written, an ingest beside): setting the
    search breadth tries again, and gives up with Chroma's error after a few tries."""

    class Busy:
        configuration: dict[str, object] = {"hnsw": {"ef_search": 100}}

        def __init__(self, failures: int) -> None:
            self.failures = failures
            self.tries = 0

        def modify(self, configuration: dict[str, object]) -> None:
            self.tries += 1
            if self.tries <= self.failures:
                raise RuntimeError("Database error: (code: 5) database is locked")

    monkeypatch.setattr(vectorstore, "LOCKED_WAITS", (0.0, 0.0, None))
    store = object.__new__(VectorStore)
    store.collection = Busy(2)
    store.search_wider(400)
    assert store.collection.tries == 3
    store.collection = Busy(5)
    with pytest.raises(RuntimeError, match="locked"):
        store.search_wider(400)
    assert store.collection.tries == 3
