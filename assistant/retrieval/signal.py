"""What a retrieval signal is: given one search (the analysed question, its filters and the
work shared by every signal), a ranked list of passage ids, or nothing when the signal has no
say on that search. Fusion (fusion.py) weighs the lists by ``Weights.<name>``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.catalog import Catalog
from assistant.filters import Filters
from assistant.models import Passage
from assistant.query import Query
from assistant.tuning import Weights

if TYPE_CHECKING:
    from assistant.retrieval.derived import Derived
    from assistant.retrieval.pools import Probe

Ranked = list[str]


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
    editions: tuple[str, ...] = ()  # the source editions searched (source@edition)


@dataclass(frozen=True)
class Ranking:
    """A signal's list. ``factor`` scales the signal's weight for this search alone (a whole
    Alphabetic Index entry counts more); ``closeness`` weighs each vote by how similar the
    passage is to the question (0 to 1), raised to ``Weights.closeness``."""

    ids: Ranked
    factor: float = 1.0
    closeness: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Request:
    """One search, as every signal sees it."""

    text: str  # as asked; ``query.focus`` is what most signals search
    query: Query
    filters: Filters
    modes: tuple[str, ...]
    probe: Probe
    catalog: Catalog
    derived: Derived
    weights: Weights

    @property
    def codes_wanted(self) -> bool:
        return self.filters.kind in (None, "code")


class Signal(Protocol):
    name: str  # the key of its weight in Weights, and of its list in Hit.via

    def ranked(self, request: Request) -> Ranking | None: ...


class Retriever(Protocol):
    """What answering needs of retrieval (``Searcher`` is the implementation)."""

    def analyse(self, text: str) -> Query: ...

    def warm(self) -> None: ...  # read ahead what a first search would wait for

    def embed(self, texts: list[str]) -> list[np.ndarray | None]: ...

    def probe(
        self,
        text: str,
        modes: tuple[str, ...] = ...,
        query: Query | None = None,
        vector: np.ndarray | None = None,
        shelves: tuple[str, ...] = (),
    ) -> Probe: ...

    def search(
        self,
        text: str,
        k: int = 10,
        filters: Filters | None = None,
        modes: tuple[str, ...] = ...,
        probe: Probe | None = None,
    ) -> SearchResult: ...
