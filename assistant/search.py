"""Hybrid search: exact codes from the catalog, BM25 and dense results, fused by weighted
reciprocal rank. Index lines and table rows vote for the codes they point to, so a query that
matches "Hives - see Urticaria" lifts the urticaria code passage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from assistant import lexical
from assistant.catalog import Catalog
from assistant.codes import to_key
from assistant.embedder import Embedder
from assistant.filters import Filters
from assistant.models import Passage
from assistant.query import CodeRef, Query, analyse
from assistant.vectorstore import VectorStore

RRF_K = 60
Ranked = list[str]


@dataclass(frozen=True)
class Weights:
    exact: float = 10.0
    lexical: float = 1.0
    dense: float = 1.0
    index: float = 0.6
    depth: int = 60


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    via: tuple[str, ...]


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit]
    warnings: list[str] = field(default_factory=list)


class Searcher:
    def __init__(
        self,
        catalog: Catalog,
        vectors: VectorStore | None,
        embedder: Embedder | None,
        weights: Weights | None = None,
    ) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.weights = weights or Weights()

    def search(
        self,
        text: str,
        k: int = 10,
        filters: Filters | None = None,
        modes: tuple[str, ...] = ("exact", "lexical", "dense", "index"),
    ) -> SearchResult:
        filters = filters or Filters()
        query = analyse(text, self.catalog)
        warnings: list[str] = []
        lists: dict[str, Ranked] = {}
        if "exact" in modes:
            lists["exact"] = self.exact(query.codes, filters)
        if "lexical" in modes:
            lists["lexical"] = [pid for pid, _ in self.lexical(text, filters)]
        if "dense" in modes:
            lists["dense"] = self.dense(text, filters, warnings)
        if "index" in modes and filters.kind in (None, "code"):
            lists["index"] = self.via_index(text, filters, warnings)
        return SearchResult(query, self.fuse(lists, k), warnings)

    def lexical(self, text: str, filters: Filters) -> list[tuple[str, float]]:
        return lexical.search(self.catalog.conn, text, self.weights.depth, filters)

    def dense(self, text: str, filters: Filters, warnings: list[str]) -> Ranked:
        if self.vectors is None or self.embedder is None:
            return []
        try:
            hits = self.vectors.query(
                self.embedder.embed_query(text), self.weights.depth, filters.chroma()
            )
        except Exception as exc:  # the vector store is optional at query time
            warnings.append(
                f"vector search unavailable ({type(exc).__name__}); "
                "results come from the lexical index and the catalog"
            )
            return []
        return [hit.id for hit in hits]

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

    def code_passages(self, system: str, code: str, filters: Filters) -> Ranked:
        """The passages that describe a code: its own, else its parent's (a 7th-character
        expansion's base code, or the ICD-10-PCS table row that lists the code)."""
        found = self.passages_for(system, code, filters)
        if found:
            return [p.id for p in found]
        parent = self.catalog.parent_key(system, to_key(code))
        if parent is None:
            return []
        found = self.passages_for(system, self.display(system, parent), filters)
        return [p.id for p in found if system != "icd10pcs" or code in p.codes]

    def passages_for(self, system: str, code: str, filters: Filters) -> list[Passage]:
        where, params = filters.sql("passages")
        rows = self.catalog.conn.execute(
            f"SELECT id FROM passages WHERE code = ? AND system = ? {where}",
            [code, system, *params],
        ).fetchall()
        return list(self.catalog.passages([row["id"] for row in rows]).values())

    def display(self, system: str, key: str) -> str:
        row = self.catalog.conn.execute(
            "SELECT code FROM codes WHERE system = ? AND key = ?", (system, key)
        ).fetchone()
        return str(row["code"]) if row else key

    def via_index(self, text: str, filters: Filters, warnings: list[str]) -> Ranked:
        """Index lines that match the query, replaced by the code passages they point to."""
        index_filters = replace(filters, kind="index", source=None, version=None)
        ranked = [pid for pid, _ in self.lexical(text, index_filters)][:20]
        ranked += self.dense(text, index_filters, warnings)[:20]
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

    def fuse(self, lists: dict[str, Ranked], k: int) -> list[Hit]:
        scores: dict[str, float] = defaultdict(float)
        via: dict[str, list[str]] = defaultdict(list)
        for name, ranked in lists.items():
            weight = getattr(self.weights, name)
            for rank, pid in enumerate(dict.fromkeys(ranked)):
                scores[pid] += weight / (RRF_K + rank)
                via[pid].append(name)
        best = sorted(scores, key=lambda pid: -scores[pid])[: k * 2]
        passages = self.catalog.passages(best)  # stray vectors of unfinished ingests drop out
        hits = [Hit(passages[pid], scores[pid], tuple(via[pid])) for pid in best if pid in passages]
        return hits[:k]
