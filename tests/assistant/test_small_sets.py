"""Filtered searches among a small system or kind: exact, in memory, read once; and the lexical
index's cheaper filtered matches (facet words, the budgeted gate, the looser retry)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assistant.filters import Filters
from assistant.index import Index
from assistant.lexical import LexicalIndex
from assistant.retrieval import small_sets
from assistant.retrieval.searcher import Searcher
from assistant.retrieval.small_sets import SmallSets
from assistant.settings import Settings
from assistant.text import words_of
from assistant.vectorstore import (
    StoreHandle,
    VectorHit,
    VectorIndex,
    nearest_passages,
    vectors_of_passages,
)


@pytest.fixture(scope="module")
def index(default_index: Settings) -> Index:
    return Index(default_index)


def store_of(index: Index) -> VectorIndex:
    store = index.vectors.get()
    assert store is not None
    return store


def nearest(index: Index, vector: np.ndarray, k: int, filters: Filters) -> list[VectorHit]:
    alone = index.catalog.title_alone
    return nearest_passages(store_of(index), vector, k, alone, filters.chroma())


def counts(index: Index, field: str) -> Counter[str]:
    rows = index.catalog.conn.execute(f"SELECT {field} FROM passages").fetchall()
    return Counter(row[0] for row in rows)


def nearest_alike(
    found: list[str], expected: list[VectorHit], store: VectorIndex, vector: np.ndarray
) -> None:
    """``found`` holds the store's answer, but for the order of equal distances (the hash
    embedder gives many ties, and the two break them by different orders of rows): the same
    distances in the same order, and any id not in the store's answer at the last one."""
    held = vectors_of_passages(store, found)
    query = vector / np.linalg.norm(vector)
    distances = [1.0 - float(held[pid] @ query / np.linalg.norm(held[pid])) for pid in found]
    assert distances == pytest.approx([hit.distance for hit in expected], abs=1e-5)
    last = expected[-1].distance
    others = [
        d for pid, d in zip(found, distances, strict=True) if pid not in {h.id for h in expected}
    ]
    assert all(abs(d - last) < 1e-5 for d in others)


def test_a_small_set_finds_what_the_stores_filtered_query_finds(index: Index) -> None:
    systems = counts(index, "system")
    small = min(systems, key=lambda s: systems[s])  # the GEMs' ICD-9-CM, of the two
    sets = SmallSets(index.catalog, index.vectors)
    vector = index.embedder.embed_query("diabetes with ketoacidosis")
    filters = Filters(system=small)
    found = sets.nearest(vector, filters, 10)
    expected = nearest(index, vector, 10, filters)  # exact, in memory
    assert found is not None and len(found) == 10
    nearest_alike(found, expected, store_of(index), vector)


def test_a_filter_on_two_fields_is_read_from_the_smaller_set(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = counts(index, "kind")
    monkeypatch.setattr(small_sets, "SMALL_SET", kinds["code"])  # the kind fits, the system not
    sets = SmallSets(index.catalog, index.vectors)
    vector = index.embedder.embed_query("chronic kidney disease")
    filters = Filters(system="icd10cm", kind="code")
    found = sets.nearest(vector, filters, 8)
    expected = nearest(index, vector, 8, filters)
    assert found is not None
    nearest_alike(found, expected, store_of(index), vector)
    assert list(sets.held) == [("kind", "code", "passages")]


def test_a_set_too_large_is_left_to_the_store(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(small_sets, "SMALL_SET", 10)
    sets = SmallSets(index.catalog, index.vectors)
    vector = index.embedder.embed_query("asthma")
    assert sets.nearest(vector, Filters(system="icd10cm"), 5) is None
    assert sets.nearest(vector, Filters(), 5) is None  # nothing to read a set by


def test_a_store_out_of_reach_is_tried_again_later(index: Index) -> None:
    class Flaky(StoreHandle):
        def __init__(self, real: StoreHandle) -> None:
            self.real = real
            self.up = False

        def get(self) -> VectorIndex | None:
            return self.real.get() if self.up else None

    handle = Flaky(index.vectors)
    sets = SmallSets(index.catalog, handle)
    vector = index.embedder.embed_query("asthma")
    filters = Filters(system="icd9cm")
    assert sets.nearest(vector, filters, 5) is None
    assert sets.held == {}  # not remembered as missing
    handle.up = True
    assert sets.nearest(vector, filters, 5)


def test_warming_reads_the_sets_and_an_ingest_keeps_them(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval import searcher as searcher_module

    monkeypatch.setattr(searcher_module, "WARM_SETS", (Filters(system="icd9cm"),))
    searcher = Searcher(index.catalog, index.vectors, index.embedder)
    searcher.warm()
    held = searcher.sets.held[("system", "icd9cm", "passages")]
    assert held is not None and len(held.ids) == counts(index, "system")["icd9cm"]
    searcher.rebuild()  # as after an ingest: a new snapshot reads the same sets
    assert searcher.sets.held[("system", "icd9cm", "passages")] is not held
    assert list(searcher.sets.held) == [("system", "icd9cm", "passages")]


def test_facet_words_narrow_a_match_and_never_change_what_it_finds(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import lexical

    bm25 = LexicalIndex(index.catalog)
    filters = Filters(system="icd9cm", kind="crosswalk")
    found = {}
    for share in (0.0, 1.0):
        monkeypatch.setattr(lexical, "FACET_SHARE", share)
        found[share] = bm25.search("diabetes with coma", 10, filters)
        assert len(bm25.facet_words(filters)) == (2 if share else 0)
    assert found[0.0] == found[1.0] and found[0.0]


def test_the_wide_gate_keeps_the_rarest_words_within_its_budget(index: Index) -> None:
    bm25 = LexicalIndex(index.catalog)
    words = words_of("diabetes mellitus ketoacidosis coma hyperosmolarity kidney")
    gate = bm25.gate(words)
    frequency = {w: bm25.document_frequency(w) for w in gate}
    rarest = min(gate, key=frequency.__getitem__)
    assert bm25.within(gate, 1) == [rarest]  # the rarest one at least
    budget = sorted(frequency.values())[1] + frequency[rarest]
    kept = bm25.within(gate, budget)
    assert len(kept) >= 2 and sum(frequency[w] for w in kept) <= budget
    assert all(frequency[w] <= min(frequency[v] for v in gate if v not in kept) for w in kept)
    assert bm25.within(gate, 10**9) == gate
