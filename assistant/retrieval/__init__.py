"""Retrieval as signals -> fusion -> rerank. Each signal (registry.py) ranks passages for one
analysed question and its filters; fusion.py sums their weighted reciprocal ranks; rerank.py
applies the score factors that need a passage read. Every number is in assistant/tuning.py."""

from assistant.retrieval.pools import Probe
from assistant.retrieval.registry import ALL_MODES, SIGNALS
from assistant.retrieval.searcher import Searcher
from assistant.retrieval.signal import Hit, Ranking, Request, Retriever, SearchResult, Signal

__all__ = [
    "ALL_MODES",
    "SIGNALS",
    "Hit",
    "Probe",
    "Ranking",
    "Request",
    "Retriever",
    "SearchResult",
    "Searcher",
    "Signal",
]
