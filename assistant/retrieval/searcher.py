"""A search: the question read once (query.analyse), each registered signal ranks for it, the
lists are fused (fusion.py) and the best candidates reranked (rerank.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from assistant.catalog import Catalog
from assistant.codes import to_key
from assistant.embedder import Embedder
from assistant.filters import Filters
from assistant.models import Passage
from assistant.qualifiers import Reading, read
from assistant.query import Query, analyse
from assistant.retrieval.codes import headings
from assistant.retrieval.derived import Derived
from assistant.retrieval.fusion import fuse
from assistant.retrieval.pools import Probe, Vectors, Words
from assistant.retrieval.registry import ALL_MODES, SIGNALS
from assistant.retrieval.rerank import MEASURES_ASKED, rerank
from assistant.retrieval.signal import Hit, Ranking, Request, SearchResult, Signal
from assistant.retrieval.small_sets import SmallSets
from assistant.shelves import in_use_or, of_edition
from assistant.tuning import RERANK_SPAN, Weights
from assistant.vectorstore import PROSE_KINDS, StoreHandle

REFRESH_SECONDS = 5.0
WARM_SETS = (
    Filters(system="icd10pcs"),
    Filters(system="hcpcs"),
    *(Filters(kind=kind) for kind in PROSE_KINDS),
)


class Searcher:
    def __init__(
        self,
        catalog: Catalog,
        vectors: StoreHandle | None,
        embedder: Embedder | None,
        weights: Weights | None = None,
        signals: tuple[Signal, ...] = SIGNALS,
    ) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.weights = weights or Weights()
        self.signals = signals
        self.derived = Derived.of(catalog)
        self.sets = SmallSets(catalog, vectors)
        self.stamp = catalog.stamp()
        self.waiting = waiting_shelves(catalog)
        self.checked = time.monotonic()
        # what every search says while the semantic part is incomplete (see build_status.Notice)
        self.notice: Callable[[], str] = lambda: ""

    def refresh(self) -> None:
        """At most every few seconds, see whether an ingest has finished since the snapshot
        was built; if so, build a new one in the background and swap it in when ready:
        searches meanwhile use the old one, and never wait for the build."""
        if time.monotonic() - self.checked < REFRESH_SECONDS:
            return
        self.checked = time.monotonic()
        stamp, waiting = self.catalog.stamp(), waiting_shelves(self.catalog)
        if stamp != self.stamp:
            self.stamp, self.waiting = stamp, waiting
            threading.Thread(target=self.rebuild, daemon=True).start()
        elif waiting != self.waiting:  # an edition's vectors are all stored now
            self.waiting = waiting
            threading.Thread(target=self.reread_sets, daemon=True).start()

    def rebuild(self) -> None:
        self.derived = Derived.of(self.catalog).build()
        self.reread_sets()

    def reread_sets(self) -> None:
        """The small sets, read again: while vectors are stored, a set holds those it found."""
        self.sets = SmallSets(self.catalog, self.vectors).like(self.sets)

    def warm(self) -> None:
        """What a first search would wait for, read now: every part of the snapshot (the
        vocabulary alone takes seconds on the full index), and the small sets a filtered
        search reads exactly (see small_sets.py), of the systems and prose kinds searched on
        their own."""
        self.derived.build()
        for filters in WARM_SETS:
            self.sets.prepare(filters)

    def analyse(self, text: str) -> Query:
        return analyse(text, self.catalog, self.derived.vocabulary)

    def embed(self, texts: list[str]) -> list[np.ndarray | None]:
        """Several texts in one batch; nothing when there is no embedder or it fails (each
        probe then tries on its own and reports what went wrong)."""
        if self.embedder is None or not texts:
            return [None] * len(texts)
        try:
            return list(self.embedder.embed_batch(texts))
        except Exception:  # the probe that needs it reports the failure
            return [None] * len(texts)

    def probe(
        self,
        text: str,
        modes: tuple[str, ...] = ALL_MODES,
        query: Query | None = None,
        vector: np.ndarray | None = None,
        shelves: tuple[str, ...] = (),
        prose: bool = False,
    ) -> Probe:
        """The work a query costs whatever its filters, done once. The question is read first
        (see query.analyse): every list searches its focus, not the narrative around it.
        ``vector``: the focus already embedded (several texts embed faster as one batch);
        ``shelves``: the source editions searched (see shelves.on_day), () those in use;
        ``prose``: the probe serves one search of guidelines or definitions, which needs
        neither wide pool (a handful of them among 186k passages) nor code titles."""
        self.refresh()  # a chat probes before it searches: it must see an edition completed
        warnings: list[str] = []
        query = query or self.analyse(text)
        # without the dense list and index lines, the probe serves one filtered search
        wide = bool({"dense", "index"} & set(modes)) and not prose
        bm25 = self.derived.bm25
        lexical = {"lexical", "index"} & set(modes)
        words = Words(bm25, query.focus, wide, shelves) if lexical else None
        vectors = None
        if {"dense", "index", "title"} & set(modes):
            vectors = Vectors(
                self.vectors,
                self.embedder,
                self.catalog,
                self.weights.depth,
                query.focus,
                warnings,
                vector,
                "dense" in modes and not prose,
                shelves,
                titles=not prose,
                sets=self.sets,
                held=bm25.held,
                waiting=self.waiting,
            )
        return Probe(query, words, vectors, warnings, shelves)

    def search(
        self,
        text: str,
        k: int = 10,
        filters: Filters | None = None,
        modes: tuple[str, ...] = ALL_MODES,
        probe: Probe | None = None,
    ) -> SearchResult:
        """Several searches of one text (with other filters or k) may share one ``probe``.
        ``filters`` may name an edition or the source editions (shelves) to search."""
        self.refresh()
        filters = self.narrowed(filters or Filters())
        if probe is None or probe.shelves != filters.shelves:
            known = probe.query if probe else None
            prose = filters.kind in PROSE_KINDS
            probe = self.probe(text, modes, query=known, shelves=filters.shelves, prose=prose)
        weights = self.weights.for_any_kind() if filters.kind is None else self.weights
        catalog = self.catalog.on_shelves(filters.shelves) if filters.shelves else self.catalog
        request = Request(text, probe.query, filters, modes, probe, catalog, self.derived, weights)
        rankings: dict[str, Ranking] = {}
        for signal in self.signals:
            if signal.name in modes:
                ranking = signal.ranked(request)
                if ranking is not None:
                    rankings[signal.name] = ranking
        scores, via = fuse(rankings, weights)
        passages = self.candidates(sorted(scores, key=lambda pid: -scores[pid]), k)
        guideline_kind = filters.kind == "guideline" and "defined" in modes
        held_back = headings(self.catalog, passages.values())
        best = rerank(
            scores,
            via,
            passages,
            weights,
            lambda passage: passage.id in held_back,
            self.reading(probe.query, modes),
            probe.query.setting,
            self.chapters(probe.query) if guideline_kind else (),
            bool(MEASURES_ASKED.search(probe.query.text)),
        )
        hits = [Hit(passages[pid], scores[pid], tuple(via[pid])) for pid in best][:k]
        searched = filters.shelves or self.catalog.in_use()
        notice = self.notice()
        warnings = [*probe.warnings, notice] if notice else list(probe.warnings)
        return SearchResult(probe.query, hits, warnings, searched)

    def narrowed(self, filters: Filters) -> Filters:
        """The filters with their editions resolved: an ``edition`` becomes the source editions
        of that name, whatever else chose them (an error naming the field when none is loaded);
        shelves that are the ones in use become () (the default reads)."""
        shelves = filters.shelves
        if filters.edition:
            shelves = of_edition(self.catalog, filters.edition)
        if shelves:
            shelves = in_use_or(self.catalog, shelves)
        return replace(filters, shelves=shelves) if shelves != filters.shelves else filters

    @staticmethod
    def reading(query: Query, modes: tuple[str, ...]) -> Reading | None:
        """The question's qualifiers, which code titles must not contradict."""
        return read(query.prose) if "qualifiers" in modes and query.prose else None

    def candidates(self, ranked: list[str], k: int) -> dict[str, Passage]:
        """The passages of the best RERANK_SPAN * k fused ids; vectors of an ingest still
        running (or killed) have no catalog row yet: they are skipped."""
        passages: dict[str, Passage] = {}
        span = k * RERANK_SPAN
        for start in range(0, len(ranked), span):
            passages.update(self.catalog.passages(ranked[start : start + span]))
            if len(passages) >= span:
                break
        return passages

    def chapters(self, query: Query) -> tuple[str, ...]:
        """The guideline sections of the chapters the question's codes lie in ("I.C.19" for
        an injury code)."""
        keys = [to_key(ref.code) for ref in query.codes if ref.system == "icd10cm"]
        names = [self.catalog.chapter("icd10cm", key) for key in dict.fromkeys(keys)]
        return tuple(f"I.C.{name}" for name in dict.fromkeys(names) if name)


def waiting_shelves(catalog: Catalog) -> frozenset[str]:
    """The source editions whose vectors are still being stored."""
    return frozenset(shelf for shelf, _ in catalog.pending_vectors())
