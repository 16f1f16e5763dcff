"""Hybrid search: exact codes from the catalog, BM25 and dense results, fused by weighted
reciprocal rank. Index lines and table rows vote for the codes they point to, so a query that
matches "Hives - see Urticaria" lifts the urticaria code passage."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from operator import itemgetter

import numpy as np

from assistant import lexical
from assistant.catalog import FILTER_FIELDS, Catalog
from assistant.codes import to_key
from assistant.defined import DefinedTerms
from assistant.embedder import Embedder
from assistant.filters import Filters
from assistant.inclusions import InclusionTerms
from assistant.lookup import IndexLookup
from assistant.models import Passage
from assistant.qualifiers import contradictions, read
from assistant.query import CodeRef, Query, analyse
from assistant.tuning import (
    INDEX_LINES,
    LEXICAL_POOL,
    NAMING_DEPTH,
    OVERFETCH,
    RERANK_SPAN,
    RRF_K,
    Weights,
)
from assistant.vectorstore import PROSE_KINDS, StoreHandle, VectorHit
from assistant.vocabulary import Vocabulary

REFRESH_SECONDS = 5.0
Ranked = list[str]
# the lists fused, then the reranking step that reads qualifiers off code titles
ALL_MODES = ("exact", "lexical", "dense", "index", "title", "lookup", "defined", "qualifiers")


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    via: tuple[str, ...]


@dataclass
class Probe:
    query: Query
    words: Lexical | None
    dense: Dense | None
    warnings: list[str]


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit]
    warnings: list[str] = field(default_factory=list)


class Searcher:
    def __init__(
        self,
        catalog: Catalog,
        vectors: StoreHandle | None,
        embedder: Embedder | None,
        weights: Weights | None = None,
    ) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.weights = weights or Weights()
        self.index_lookup = IndexLookup(catalog)
        self.inclusions = InclusionTerms(catalog)
        self.defined = DefinedTerms(catalog)
        self.vocabulary = Vocabulary(catalog)
        self.stamp = catalog.stamp()
        self.checked = time.monotonic()

    def refresh(self) -> None:
        """At most every few seconds, see whether an ingest has finished since the catalog's
        lookups were built; if so, build new ones in the background and swap them in when
        ready: searches meanwhile use the old ones, and never wait for the build."""
        if time.monotonic() - self.checked < REFRESH_SECONDS:
            return
        self.checked = time.monotonic()
        stamp = self.catalog.stamp()
        if stamp == self.stamp:
            return
        self.stamp = stamp
        lexical.forget()
        threading.Thread(target=self.rebuild, daemon=True).start()

    def rebuild(self) -> None:
        lookup, inclusions = IndexLookup(self.catalog), InclusionTerms(self.catalog)
        defined, vocabulary = DefinedTerms(self.catalog), Vocabulary(self.catalog)
        lookup.build()
        inclusions.load()
        defined.load()
        vocabulary.build()
        self.index_lookup, self.inclusions, self.defined = lookup, inclusions, defined
        self.vocabulary = vocabulary

    def probe(
        self,
        text: str,
        modes: tuple[str, ...] = ALL_MODES,
        query: Query | None = None,
        vector: np.ndarray | None = None,
    ) -> Probe:
        """The work a query costs whatever its filters, done once. The question is read first
        (see query.analyse): every list searches its focus, not the narrative around it.
        ``vector``: the focus already embedded (several texts embed faster as one batch)."""
        warnings: list[str] = []
        query = query or self.analyse(text)
        # without the dense list and index lines, the probe serves one filtered search
        wide = bool({"dense", "index"} & set(modes))
        words = Lexical(self, query.focus, wide) if {"lexical", "index"} & set(modes) else None
        wanted = {"dense", "index", "title"} & set(modes)
        dense = Dense(self, query.focus, warnings, vector, "dense" in modes) if wanted else None
        return Probe(query, words, dense, warnings)

    def embed(self, texts: list[str]) -> list[np.ndarray | None]:
        """Several texts in one batch; nothing when there is no embedder or it fails (each
        probe then tries on its own and reports what went wrong)."""
        if self.embedder is None or not texts:
            return [None] * len(texts)
        try:
            return list(self.embedder.embed_batch(texts))
        except Exception:  # the probe that needs it reports the failure
            return [None] * len(texts)

    def analyse(self, text: str) -> Query:
        return analyse(text, self.catalog, self.vocabulary)

    def search(
        self,
        text: str,
        k: int = 10,
        filters: Filters | None = None,
        modes: tuple[str, ...] = ALL_MODES,
        probe: Probe | None = None,
    ) -> SearchResult:
        """Several searches of one text (with other filters or k) may share one ``probe``."""
        self.refresh()
        filters = filters or Filters()
        probe = probe or self.probe(text, modes)
        words, dense, focus = probe.words, probe.dense, probe.query.focus
        codes_wanted = filters.kind in (None, "code")
        lists: dict[str, Ranked] = {}
        if "exact" in modes:
            lists["exact"] = self.exact(probe.query.codes, filters)
            lists["exact"] += self.named_exactly(focus, filters) if codes_wanted else []
        if words and "lexical" in modes:
            lists["lexical"] = words.ranked(filters, self.weights.depth)
        any_kind = filters.kind is None
        if dense and "dense" in modes:
            lists["dense"] = dense.ranked(filters, fallback=True, titles="title" in modes)
        similar: dict[str, float] = {}
        if dense and "title" in modes and filters.kind == "code":
            lists["title"] = dense.titled(filters)
            similar = dense.title_similarity()
        if words and dense and "index" in modes and codes_wanted:
            lists["index"] = self.via_index(filters, words, dense)
        whole = False
        if "lookup" in modes and codes_wanted:
            lists["lookup"], whole = self.lookup(focus, filters)
        if "defined" in modes and filters.kind in (None, "guideline"):
            lists["defined"] = self.catalog.passing(self.defined.ranked(text), filters)
            lists["defined"] += self.naming(probe.query, filters)
        weights = self.weights.for_any_kind() if any_kind else self.weights
        if whole:
            weights = replace(weights, lookup=weights.lookup * weights.whole_entry)
        reading = probe.query.prose if "qualifiers" in modes else None
        guideline_kind = filters.kind == "guideline" and "defined" in modes
        chapters = self.chapters(probe.query) if guideline_kind else ()
        hits = self.fuse(lists, k, weights, reading, similar, probe.query.setting, chapters)
        return SearchResult(probe.query, hits, list(probe.warnings))

    def naming(self, query: Query, filters: Filters) -> Ranked:
        """Guideline passages that name the categories of the codes a question names: "the
        Z79 codes" are ruled on where the guidelines write Z79."""
        categories = {ref.code[:3].lower() for ref in query.codes if ref.system == "icd10cm"}
        guideline = replace(filters, kind="guideline")
        conn = self.catalog.conn
        return lexical.mentioning(conn, sorted(categories), query.focus, NAMING_DEPTH, guideline)

    def chapters(self, query: Query) -> tuple[str, ...]:
        """The guideline sections of the chapters the question's codes lie in ("I.C.19" for
        an injury code)."""
        keys = [to_key(ref.code) for ref in query.codes if ref.system == "icd10cm"]
        names = [self.catalog.chapter("icd10cm", key) for key in dict.fromkeys(keys)]
        return tuple(f"I.C.{name}" for name in dict.fromkeys(names) if name)

    def exact(self, refs: tuple[CodeRef, ...], filters: Filters) -> Ranked:
        found: Ranked = []
        for ref in refs:
            if filters.system and filters.system != ref.system:
                continue
            found += self.code_passages(ref.system, ref.code, filters)
            for system, code, _ in self.catalog.mappings(ref.system, to_key(ref.code)):
                if ref.system == "icd9cm" and filters.system in (None, system):
                    found += self.code_passages(system, code, filters)
        return found

    def named_exactly(self, text: str, filters: Filters) -> Ranked:
        """Code passages whose title or one of whose inclusion terms is the query itself: a
        coder who types either means that code (case, spacing and end punctuation aside). Not
        a heading: "bipolar disorder" names category F31, and the code to report is one of its
        children, which the other lists find."""
        ids = self.catalog.titled(" ".join(text.lower().split()).strip(" .?"), filters)
        code_filters = replace(filters, kind="code")
        for system, key in self.inclusions.codes(text):
            if filters.system in (None, system):
                ids += self.code_passages(system, self.catalog.display(system, key), code_filters)
        found = self.catalog.passages(list(dict.fromkeys(ids)))
        return [pid for pid, passage in found.items() if not self.is_heading(passage)]

    def code_passages(self, system: str, code: str, filters: Filters) -> Ranked:
        """The passages that describe a code: its own, else its parent's (a 7th-character
        expansion's base code, or the ICD-10-PCS table row that lists the code)."""
        found = self.catalog.code_passages(system, code, filters)
        if found:
            return [pid for pid, _ in found]
        parent = self.catalog.parent_key(system, to_key(code))
        if parent is None:
            return []
        found = self.catalog.code_passages(system, self.catalog.display(system, parent), filters)
        return [pid for pid, codes in found if system != "icd10pcs" or f'"{code}"' in codes]

    def lookup(self, text: str, filters: Filters) -> tuple[Ranked, bool]:
        """The code passages the Alphabetic Index entries that best cover the query lead to,
        and whether the best entry is whole (see IndexLookup.search)."""
        out: Ranked = []
        code_filters = replace(filters, kind="code")
        pairs, whole = self.index_lookup.search(text, filters.system)
        for system, code in pairs:
            out += [pid for pid in self.code_passages(system, code, code_filters) if pid not in out]
        return out, whole

    def via_index(self, filters: Filters, words: Lexical, dense: Dense) -> Ranked:
        """Index lines that match the query, replaced by the code passages they point to."""
        index_filters = replace(filters, kind="index", source=None, version=None)
        ranked = words.ranked(index_filters, INDEX_LINES)
        ranked += dense.ranked(index_filters, fallback=False)[:INDEX_LINES]
        lines = self.catalog.passages(ranked)
        out: Ranked = []
        for pid in ranked:
            line = lines.get(pid)
            if line is None or not line.code:
                continue
            code = line.code.rstrip("-").rstrip(".")
            for target in self.code_passages(line.system, code, replace(filters, kind="code")):
                if target not in out:
                    out.append(target)
        return out

    def fuse(
        self,
        lists: dict[str, Ranked],
        k: int,
        weights: Weights,
        text: str | None,
        similar: dict[str, float] | None = None,
        setting: str | None = None,
        chapters: tuple[str, ...] = (),
    ) -> list[Hit]:
        """Weighted reciprocal-rank fusion, a title vote weighed by how ``similar`` its title
        is to the query; then, among the best 3k, headings and code titles that contradict
        ``text`` (when given) lose score."""
        scores: dict[str, float] = defaultdict(float)
        via: dict[str, list[str]] = defaultdict(list)
        similar = similar or {}
        for name, ranked in lists.items():
            weight = getattr(weights, name)
            for rank, pid in enumerate(dict.fromkeys(ranked)):
                vote = weight / (RRF_K + rank)
                if name == "title" and pid in similar:
                    vote *= max(similar[pid], 0.0) ** weights.closeness
                scores[pid] += vote
                via[pid].append(name)
        ranked = sorted(scores, key=lambda pid: -scores[pid])
        passages: dict[str, Passage] = {}
        span = k * RERANK_SPAN
        for start in range(0, len(ranked), span):
            # vectors of an ingest still running (or killed) have no catalog row yet: skip them
            passages.update(self.catalog.passages(ranked[start : start + span]))
            if len(passages) >= span:
                break
        asked = read(text) if text else None
        for pid, passage in passages.items():
            if setting and passage.kind == "guideline":
                scores[pid] *= weights.setting if elsewhere(passage, setting) else 1.0
            if chapters and passage.kind == "guideline" and within(passage, chapters):
                scores[pid] *= weights.chapter
            if "exact" in via[pid] or passage.kind != "code":
                continue
            if self.is_heading(passage):
                scores[pid] *= weights.heading  # coders report codes, not categories
            if asked:
                clashes = contradictions(asked, read(passage.title))
                scores[pid] *= weights.contradiction**clashes
        best = sorted(passages, key=lambda pid: -scores[pid])
        return [Hit(passages[pid], scores[pid], tuple(via[pid])) for pid in best][:k]

    def is_heading(self, passage: Passage) -> bool:
        if passage.kind != "code" or not passage.code or passage.system != "icd10cm":
            return False
        return self.catalog.is_header(passage.system, to_key(passage.code))


INPATIENT_SECTIONS = ("II", "III")


def within(passage: Passage, sections: tuple[str, ...]) -> bool:
    section = passage.section or ""
    return any(section == s or section.startswith(s + ".") for s in sections)


def elsewhere(passage: Passage, setting: str) -> bool:
    """A guideline passage of the setting the question is not about."""
    top = (passage.section or "").split(".")[0]
    if setting == "outpatient":
        return top in INPATIENT_SECTIONS
    return top == "IV"


class Lexical:
    """One wide BM25 query per search, shared by the lexical list and the index-line votes and
    filtered here; a filtered query is the fallback when the wide one ran out before enough
    passages of the wanted kind turned up."""

    POOL = LEXICAL_POOL

    def __init__(self, searcher: Searcher, text: str, wide: bool = True) -> None:
        self.searcher = searcher
        self.text = text
        self.wide = wide  # False: a probe for one filtered search, which goes straight to it
        self.rows = lexical.wide(searcher.catalog.conn, text, self.POOL) if wide else []

    def ranked(self, filters: Filters, k: int) -> Ranked:
        if not self.wide:
            return [
                pid for pid, _ in lexical.search(self.searcher.catalog.conn, self.text, k, filters)
            ]
        wanted = filters.items()
        kept = [r["id"] for r in self.rows if all(str(r[name]) == v for name, v in wanted)]
        if len(kept) >= k or len(self.rows) < self.POOL:
            return kept[:k]
        return [pid for pid, _ in lexical.search(self.searcher.catalog.conn, self.text, k, filters)]


class Dense:
    """One embedding and one wide vector query per search, shared by every list that needs
    dense results. Chroma's metadata filter is slow on a large collection and most filters keep
    a large share of it, so results are filtered here, on fields read from the catalog (which
    also drops vectors of an unfinished ingest); a filtered query is the fallback when too
    little survives."""

    def __init__(
        self,
        searcher: Searcher,
        text: str,
        warnings: list[str],
        vector: np.ndarray | None = None,
        wide: bool = True,
    ) -> None:
        self.searcher = searcher
        self.warnings = warnings
        self.vector = None
        self.wide: list[VectorHit] = []
        self.titles: list[VectorHit] = []
        self.fields: dict[str, tuple[str, ...]] = {}
        self.store = searcher.vectors.get() if searcher.vectors else None
        if self.store is None or searcher.embedder is None:
            if searcher.vectors is not None:
                self.unavailable("the vector store cannot be reached", forget=False)
            return
        try:
            self.vector = vector if vector is not None else searcher.embedder.embed_query(text)
            depth = searcher.weights.depth
            near = self.store.query(self.vector, depth * OVERFETCH, metadata=False) if wide else []
            titles = self.store.titles.query(self.vector, depth * 2, metadata=False)
            self.fields = searcher.catalog.filter_fields([h.id for h in near + titles])
            self.wide = [h for h in near if h.id in self.fields]
            self.titles = [h for h in titles if h.id in self.fields]
        except Exception as exc:  # the vector store is optional at query time
            self.unavailable(type(exc).__name__)

    def unavailable(self, why: str, forget: bool = True) -> None:
        self.vector = None
        if forget and self.searcher.vectors is not None:
            self.searcher.vectors.failed()
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
        return self.kept(self.titles, filters)[: self.searcher.weights.depth]

    def title_similarity(self) -> dict[str, float]:
        """Cosine similarity of each title vector found to the query (the store's distances
        are cosine distances)."""
        return {h.id: 1.0 - h.distance for h in self.titles}

    def ranked(self, filters: Filters, fallback: bool, titles: bool = False) -> Ranked:
        """Nearest passages. In a search over every kind, with ``titles``, a code's title
        vector stands in for its passage vector when nearer (same model, same query: the
        distances compare), so a code gets one dense vote, not two."""
        depth = self.searcher.weights.depth
        hits = self.wide
        if titles and filters.kind is None:
            hits = sorted([*self.wide, *self.titles], key=lambda h: h.distance)
        kept_ids = list(dict.fromkeys(self.kept(hits, filters)))
        if len(kept_ids) >= depth // 2 or not fallback or self.vector is None:
            return kept_ids[:depth]
        assert self.store is not None
        where = filters.chroma()
        try:
            prose = filters.kind in PROSE_KINDS
            hits = self.store.prose.query(self.vector, depth, where) if prose else []
            # an index built before the prose collection existed has it empty: ask the store
            hits = hits or self.store.query(self.vector, depth, where)
        except Exception as exc:
            self.unavailable(type(exc).__name__)
            return kept_ids
        return [h.id for h in hits]
