"""Exact nearest neighbours among the passages of a small system or kind (ICD-10-PCS, HCPCS,
the guidelines), held in memory. A search restricted to one of them seldom finds enough of its
passages among the wide vector query's hits, and Chroma's metadata filter then costs 100-200 ms
a query on the full index; a product with the set's vectors costs about one. A set is read
from the vector store once (about 2 s for ICD-10-PCS's 22k passages) and kept until an ingest
changes the catalog (a new ``SmallSets`` is made then, see Searcher.refresh)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.catalog import FILTER_FIELDS, Catalog
from assistant.filters import Column, Filters, passing
from assistant.retrieval.signal import Ranked
from assistant.tuning import SMALL_SET
from assistant.vectorstore import StoreHandle, VectorIndex, vectors_of_passages

# the fields a set is read by, smallest first as a rule: a kind before a system
BASES = ("kind", "system")


@dataclass(frozen=True, eq=False)  # hashed by identity (its masks are remembered)
class Held:
    """One set: its passages' ids, their filter fields (a column each) and unit vectors, row by
    row."""

    ids: tuple[str, ...]
    fields: dict[str, Column]
    matrix: np.ndarray

    @lru_cache(maxsize=32)  # noqa: B019 (a set lives as long as its SmallSets)
    def mask(self, wanted: tuple[tuple[str, str], ...], shelves: tuple[str, ...]) -> np.ndarray:
        """The rows that pass the filters."""
        return passing(self.fields, wanted, shelves)


class SmallSets:
    def __init__(self, catalog: Catalog, handle: StoreHandle | None) -> None:
        self.catalog = catalog
        self.handle = handle
        self.held: dict[tuple[str, str, str], Held | None] = {}  # None: too large, or failed
        self.lock = threading.Lock()

    def nearest(self, vector: np.ndarray, filters: Filters, k: int) -> Ranked | None:
        """The ``k`` passages nearest ``vector`` among those the filters keep, exactly; None
        when no field of the filters picks a small set (Chroma's filter answers then)."""
        found = self.base(filters)
        if found is None:
            return None
        mask = found.mask(tuple(filters.items()), filters.shelves)
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        query = vector / (np.linalg.norm(vector) or 1.0)
        similarity = found.matrix[rows] @ query
        best = np.argsort(-similarity, kind="stable")[:k]
        return [found.ids[i] for i in rows[best]]

    def base(self, filters: Filters) -> Held | None:
        """The held set the filters lie in: that of their kind or system, whichever is held or
        small enough to hold."""
        table = filters.table
        for field in BASES:
            value = getattr(filters, field)
            if value:
                found = self.held_set(field, value, table)
                if found is not None:
                    return found
        return None

    def prepare(self, filters: Filters) -> bool:
        """The set ``filters`` would search, read now (at start-up, not on a first question);
        True when there is one."""
        return self.base(filters) is not None

    def held_set(self, field: str, value: str, table: str) -> Held | None:
        key = (field, value, table)
        if key in self.held:
            return self.held[key]
        with self.lock:  # read once, whichever thread asks first
            if key in self.held:
                return self.held[key]
            store = self.handle.get() if self.handle else None
            if store is None:  # not remembered: the store may come back
                return None
            try:
                found = self.read(store, field, value, table)
            except Exception:  # the store failed: Chroma's filter answers, as before
                if self.handle is not None:
                    self.handle.failed()
                return None
            self.held[key] = found
        return found

    def read(self, store: VectorIndex, field: str, value: str, table: str) -> Held | None:
        fields = self.catalog.fields_where(field, value, table, SMALL_SET)
        if not fields:
            return None
        vectors = vectors_of_passages(store, list(fields))
        ids = tuple(pid for pid in fields if pid in vectors)  # an unfinished ingest: some lack one
        if not ids:
            return None
        matrix = np.stack([vectors[pid] for pid in ids]).astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        columns = {
            name: Column.of([fields[pid][at] for pid in ids])
            for at, name in enumerate(FILTER_FIELDS)
        }
        return Held(ids, columns, matrix)

    def like(self, other: SmallSets) -> SmallSets:
        """The sets ``other`` held, read afresh here (after an ingest, before the swap)."""
        for field, value, table in list(other.held):
            self.held_set(field, value, table)
        return self
