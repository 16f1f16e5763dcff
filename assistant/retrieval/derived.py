"""What retrieval derives from the catalog, as one snapshot: the Alphabetic Index lookup, the
inclusion terms, the guideline terms, the vocabulary of the code sets and the BM25 statistics.
A search reads one snapshot throughout; after an ingest a new one is built aside and swapped
in by one reference (see Searcher.refresh)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.catalog import Catalog
from assistant.defined import DefinedTerms
from assistant.inclusions import InclusionTerms
from assistant.lexical import LexicalIndex
from assistant.lookup import IndexLookup
from assistant.vocabulary import Vocabulary


@dataclass(frozen=True)
class Derived:
    lookup: IndexLookup
    inclusions: InclusionTerms
    defined: DefinedTerms
    vocabulary: Vocabulary
    bm25: LexicalIndex

    @classmethod
    def of(cls, catalog: Catalog) -> Derived:
        """Each part builds itself on first use (a first search pays for what it needs)."""
        bm25 = LexicalIndex(catalog)
        return cls(
            IndexLookup(catalog),
            InclusionTerms(catalog),
            DefinedTerms(catalog, bm25),
            Vocabulary(catalog),
            bm25,
        )

    def build(self) -> Derived:
        """Every part built now, and the words of the code passages held in memory (which
        only a warmed snapshot does: see LexicalIndex.hold)."""
        self.lookup.build()
        self.inclusions.load()
        self.defined.load()
        self.vocabulary.build()
        self.bm25.hold()
        return self
