"""The code passages the Alphabetic Index entries that best cover the question lead to, read
the way a coder reads the index (see assistant/lookup.py). An entry that holds the whole
question counts ``Weights.whole_entry`` times more."""

from __future__ import annotations

from dataclasses import replace

from assistant.catalog import Catalog
from assistant.filters import Filters
from assistant.lookup import IndexLookup
from assistant.retrieval.codes import describing_each
from assistant.retrieval.signal import Ranked, Ranking, Request


def leads(
    lookup: IndexLookup, catalog: Catalog, text: str, filters: Filters
) -> tuple[Ranked, bool]:
    """The code passages the best entries lead to, and whether the best entry is whole."""
    out: Ranked = []
    code_filters = replace(filters, kind="code")
    pairs, whole = lookup.search(text, filters.system)
    described = describing_each(catalog, pairs, code_filters)
    for pair in pairs:
        out += [pid for pid in described[pair] if pid not in out]
    return out, whole


class Lookup:
    name = "lookup"

    def ranked(self, request: Request) -> Ranking | None:
        if not request.codes_wanted:
            return None
        lookup, catalog = request.derived.lookup, request.catalog
        ids, whole = leads(lookup, catalog, request.query.focus, request.filters)
        return Ranking(ids, factor=request.weights.whole_entry if whole else 1.0)
