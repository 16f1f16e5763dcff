"""The work a search costs whatever its filters, done once per question and shared by the
signals: one wide BM25 query (``Words``) and one embedding with one wide vector query
(``Vectors``). Each is filtered here, per search."""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import itemgetter

import numpy as np

from assistant.catalog import FILTER_FIELDS, Catalog
from assistant.embedder import Embedder
from assistant.filters import Filters, Pool
from assistant.held_words import HeldWords
from assistant.lexical import LexicalIndex
from assistant.query import Query
from assistant.retrieval.signal import Ranked
from assistant.retrieval.small_sets import SmallSets
from assistant.tuning import LEXICAL_POOL, OVERFETCH, PROSE_OVERFETCH
from assistant.vector_texts import WITHOUT_VECTOR
from assistant.vectorstore import PROSE_KINDS, StoreHandle, VectorHit, each_once

KIND = FILTER_FIELDS.index("kind")


@dataclass
class Probe:
    query: Query
    words: Words | None
    vectors: Vectors | None
    warnings: list[str]
    shelves: tuple[str, ...] = ()  # the source editions its pools were drawn from


class Words:
    """One wide BM25 query per search, shared by the lexical list and the index-line votes and
    filtered here; a filtered query is the fallback when the wide one ran out before enough
    passages of the wanted kind turned up."""

    POOL = LEXICAL_POOL

    def __init__(
        self, bm25: LexicalIndex, text: str, wide: bool = True, shelves: tuple[str, ...] = ()
    ) -> None:
        self.bm25 = bm25
        self.text = text
        self.wide = wide  # False: a probe for one filtered search, which goes straight to it
        self.shelves = shelves  # the source editions searched; (): those in use
        self.hits = bm25.wide(text, self.POOL, shelves) if wide else Pool.of_rows([])

    def ranked(self, filters: Filters, k: int) -> Ranked:
        filters = replace(filters, shelves=self.shelves)
        if not self.wide:
            return [pid for pid, _ in self.bm25.search(self.text, k, filters)]
        kept = self.hits.kept(filters.items())
        if len(kept) >= k or len(self.hits) < self.POOL:
            return kept[:k]
        return [pid for pid, _ in self.bm25.search(self.text, k, filters)]


class Vectors:
    """One embedding and one wide vector query per search, shared by every list that needs
    dense results. Chroma's metadata filter is slow on a large collection and most filters keep
    a large share of it, so results are filtered here, on fields read from the catalog (which
    also drops vectors of an unfinished ingest); a filtered query is the fallback when too
    little survives."""

    def __init__(
        self,
        handle: StoreHandle | None,
        embedder: Embedder | None,
        catalog: Catalog,
        depth: int,
        text: str,
        warnings: list[str],
        vector: np.ndarray | None = None,
        wide: bool = True,
        shelves: tuple[str, ...] = (),
        titles: bool = True,
        sets: SmallSets | None = None,
        held: HeldWords | None = None,
        waiting: frozenset[str] = frozenset(),
    ) -> None:
        self.handle = handle
        # editions whose vectors are still being stored: a half-stored edition would pull its
        # stored half ahead of the rest, so its passages are left to the lexical lists
        self.waiting = waiting
        self.held = held
        self.sets = sets
        self.shelves = shelves  # the source editions searched; (): those in use
        self.depth = depth
        self.warnings = warnings
        self.vector = None
        self.wide: list[VectorHit] = []
        self.titles: list[VectorHit] = []
        self.fields: dict[str, tuple[str, ...]] = {}
        self.catalog = catalog
        self.store = handle.get() if handle else None
        if self.store is None or embedder is None:
            if handle is not None:
                self.unavailable("the vector store cannot be reached", forget=False)
            return
        try:
            self.vector = vector if vector is not None else embedder.embed_query(text)
            # most codes' one vector is their title's (see vector_texts): the title query is
            # as deep as the wide one, and its hits of those codes join the wide list
            wants, named_wants = vector_depths(depth, wide)
            near = self.store.query(self.vector, wants, metadata=False) if wide else []
            named = []
            if titles or wide:
                named = self.store.titles.query(self.vector, named_wants, metadata=False)
            self.read_fields(near + named)
            self.wide = self.joined(near, named)[:wants] if wide else []
            self.titles = [h for h in named[: depth * 2] if h.id in self.fields] if titles else []
        except Exception as exc:  # the vector store is optional at query time
            self.unavailable(type(exc).__name__)

    def joined(self, near: list[VectorHit], named: list[VectorHit]) -> list[VectorHit]:
        """The main collection's hits and the title hits of codes whose one vector is their
        title's, nearest first, each passage once (an index built before they were left out
        of the main collection holds them twice)."""
        alone = self.alone([h.id for h in named])
        # an index built before its index lines lost their vectors still holds them
        fields = self.fields
        hits = [h for h in near if h.id in fields and fields[h.id][KIND] not in WITHOUT_VECTOR]
        if not alone:
            return hits
        return each_once(
            sorted([*hits, *(h for h in named if h.id in alone)], key=lambda h: h.distance)
        )

    def read_fields(self, hits: list[VectorHit]) -> None:
        """The catalog's filter fields of the hits' passages, of the editions searched."""
        ids = [h.id for h in hits]
        if not self.shelves and self.held is not None:  # the passages in use, in memory
            fields = self.held.filter_fields(ids)
        else:
            fields = self.catalog.filter_fields(ids, self.table())
        at = FILTER_FIELDS.index("shelf")
        if self.shelves:
            fields = {k: v for k, v in fields.items() if v[at] in self.shelves}
        if self.waiting:
            fields = {k: v for k, v in fields.items() if v[at] not in self.waiting}
        self.fields.update(fields)

    def table(self) -> str:
        return "passages_all" if self.shelves else "passages"

    def alone(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` (whose fields are read) that have no vector of their own in the
        main collection: their title's is their one vector."""
        ids = [pid for pid in ids if pid in self.fields]
        if not self.shelves and self.held is not None:
            return self.held.alone_among(ids)
        return self.catalog.title_alone(ids, self.table())

    def unavailable(self, why: str, forget: bool = True) -> None:
        self.vector = None
        if forget and self.handle is not None:
            self.handle.failed()
        self.warnings.append(
            f"vector search unavailable ({why}); "
            "results come from the lexical index and the catalog"
        )

    def kept(self, hits: list[VectorHit], filters: Filters) -> Ranked:
        """Ids of the hits whose catalog fields pass the filters."""
        wanted = filters.items()
        if not wanted:
            return [h.id for h in hits]
        # one comparison per hit (this runs over some 600 hits a search)
        get = itemgetter(*[FILTER_FIELDS.index(name) for name, _ in wanted])
        value = tuple(v for _, v in wanted) if len(wanted) > 1 else wanted[0][1]
        fields = self.fields
        return [h.id for h in hits if get(fields[h.id]) == value]

    def titled(self, filters: Filters) -> Ranked:
        """Code passages whose title alone is nearest the query (no fallback: a filter that
        keeps few of them keeps few codes)."""
        return self.kept(self.titles, filters)[: self.depth]

    def title_similarity(self) -> dict[str, float]:
        """Cosine similarity of each title vector found to the query (the store's distances
        are cosine distances)."""
        return {h.id: 1.0 - h.distance for h in self.titles}

    def ranked(self, filters: Filters, fallback: bool, titles: bool = False) -> Ranked:
        """Nearest passages. In a search over every kind, with ``titles``, a code's title
        vector stands in for its passage vector when nearer (same model, same query: the
        distances compare), so a code gets one dense vote, not two."""
        if filters.kind in WITHOUT_VECTOR:  # none stored: nothing to keep or ask the store for
            return []
        depth = self.depth
        hits = self.wide
        if titles and filters.kind is None:
            hits = sorted([*self.wide, *self.titles], key=lambda h: h.distance)
        kept_ids = list(dict.fromkeys(self.kept(hits, filters)))
        if len(kept_ids) >= depth // 2 or not fallback or self.vector is None:
            return kept_ids[:depth]
        assert self.store is not None
        within = replace(filters, shelves=self.shelves)
        exact = self.sets.nearest(self.vector, within, depth) if self.sets else None
        if exact is not None:
            return self.stored(exact)
        where = within.chroma()
        try:
            prose = filters.kind in PROSE_KINDS
            if prose:
                kept_ids, whole = self.prose(filters)
                if whole or len(kept_ids) >= depth // 2:
                    return kept_ids[:depth]
            hits = self.store.prose.query(self.vector, depth, where) if prose else []
            # an index built before the prose collection existed has it empty: ask the store
            if not hits:
                near = self.store.query(self.vector, depth, where, metadata=False)
                named = []
                if filters.kind in (None, "code"):
                    named = self.store.titles.query(self.vector, depth, where, metadata=False)
                self.read_fields(near + named)
                hits = self.joined(near, named)
        except Exception as exc:
            self.unavailable(type(exc).__name__)
            return kept_ids
        return self.stored([h.id for h in hits][:depth])

    def stored(self, ids: Ranked) -> Ranked:
        """The ids of editions whose vectors are all stored."""
        if not self.waiting:
            return ids
        return [pid for pid in ids if shelf_of(pid) not in self.waiting]

    def prose(self, filters: Filters) -> tuple[Ranked, bool]:
        """The nearest prose passages (guidelines, definitions, documents: a small collection)
        filtered here, as the wide list is: Chroma's own filter costs about 10 ms a query even
        there, the unfiltered query about 1. True with them when the whole collection came
        back (what the filter keeps is then all there is)."""
        assert self.store is not None and self.vector is not None
        wanted = self.depth * PROSE_OVERFETCH
        near = self.store.prose.query(self.vector, wanted, metadata=False)
        self.read_fields(near)
        whole = 0 < len(near) < wanted
        return self.kept([h for h in near if h.id in self.fields], filters), whole


def vector_depths(depth: int, wide: bool = True) -> tuple[int, int]:
    """Neighbours a search asks of the main collection (none without the wide list) and of the
    title collection (twice the depth for the title list, and as deep as the wide query)."""
    wants = depth * OVERFETCH if wide else 0
    return wants, max(wants, depth * 2)


def shelf_of(passage_id: str) -> str:
    """The source edition a passage id names ("icd10pcs-tables:ab12@FY2026" ->
    "icd10pcs-tables@FY2026")."""
    source = passage_id.split(":", 1)[0]
    _, at, edition = passage_id.rpartition("@")
    return f"{source}@{edition}" if at else source
