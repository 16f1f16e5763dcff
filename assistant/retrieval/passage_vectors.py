"""Passages nearest the question in the embedding space; in a search over every kind, a code's
title vector stands in for its passage vector when nearer."""

from __future__ import annotations

from assistant.retrieval.signal import Ranking, Request


class Dense:
    name = "dense"

    def ranked(self, request: Request) -> Ranking | None:
        vectors = request.probe.vectors
        if vectors is None:
            return None
        titles = "title" in request.modes
        return Ranking(vectors.ranked(request.filters, fallback=True, titles=titles))
