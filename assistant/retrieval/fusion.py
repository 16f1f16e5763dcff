"""Weighted reciprocal-rank fusion: a pure function from the signals' lists to scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from assistant.retrieval.signal import Ranking
from assistant.tuning import RRF_K, Weights


def fuse(
    rankings: Mapping[str, Ranking], weights: Weights
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Each passage's score (the sum of ``weight / (RRF_K + rank)`` over the lists holding it,
    a vote weighed by the list's closeness when it has one) and the lists that voted for it,
    in the order first reached."""
    scores: dict[str, float] = defaultdict(float)
    via: dict[str, list[str]] = defaultdict(list)
    for name, ranking in rankings.items():
        weight = getattr(weights, name) * ranking.factor
        closeness = ranking.closeness or {}
        for rank, pid in enumerate(dict.fromkeys(ranking.ids)):
            vote = weight / (RRF_K + rank)
            if pid in closeness:
                vote *= max(closeness[pid], 0.0) ** weights.closeness
            scores[pid] += vote
            via[pid].append(name)
    return dict(scores), dict(via)
