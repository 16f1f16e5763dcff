"""BM25 over passage titles and text (SQLite FTS5), from the question's shared wide query."""

from __future__ import annotations

from assistant.retrieval.signal import Ranking, Request


class Lexical:
    name = "lexical"

    def ranked(self, request: Request) -> Ranking | None:
        words = request.probe.words
        if words is None:
            return None
        return Ranking(words.ranked(request.filters, request.weights.depth))
