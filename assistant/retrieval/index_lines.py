"""Alphabetic Index and table lines that match the question by their words (BM25; index lines
have no vectors, see vector_texts), replaced by the code passages they point to: "Hives - see
Urticaria" votes for the urticaria code."""

from __future__ import annotations

from dataclasses import replace

from assistant.retrieval.codes import describing_each
from assistant.retrieval.signal import Ranked, Ranking, Request
from assistant.tuning import INDEX_LINES


class IndexLines:
    name = "index"

    def ranked(self, request: Request) -> Ranking | None:
        words = request.probe.words
        if words is None or not request.codes_wanted:
            return None
        filters = request.filters
        index_filters = replace(filters, kind="index", source=None, version=None)
        ranked = words.ranked(index_filters, INDEX_LINES)
        lines = request.catalog.pointed_codes(ranked)
        code_filters = replace(filters, kind="code")
        pointed = [
            (line[0], line[1].rstrip("-").rstrip("."))
            for pid in ranked
            if (line := lines.get(pid)) is not None
        ]
        described = describing_each(request.catalog, pointed, code_filters)
        out: Ranked = []
        for pair in pointed:
            out += [target for target in described[pair] if target not in out]
        return Ranking(out)
