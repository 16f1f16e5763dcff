"""Code passages whose title alone is nearest the question, each vote weighed by how similar
the title is (a name the model does not know still has a nearest title, but not a near one).
Code searches only."""

from __future__ import annotations

from assistant.retrieval.signal import Ranking, Request


class Title:
    name = "title"

    def ranked(self, request: Request) -> Ranking | None:
        vectors = request.probe.vectors
        if vectors is None or request.filters.kind != "code":
            return None
        return Ranking(vectors.titled(request.filters), closeness=vectors.title_similarity())
