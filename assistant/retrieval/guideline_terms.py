"""Guideline passages that quote a term the question uses (see assistant/defined.py), then
those that name the categories of the question's codes: "the Z79 codes" are ruled on where
the guidelines write Z79."""

from __future__ import annotations

from dataclasses import replace

from assistant.retrieval.signal import Ranked, Ranking, Request
from assistant.tuning import NAMING_DEPTH


class Defined:
    name = "defined"

    def ranked(self, request: Request) -> Ranking | None:
        if request.filters.kind not in (None, "guideline"):
            return None
        quoting = request.derived.defined.ranked(request.text)
        return Ranking(request.catalog.passing(quoting, request.filters) + self.naming(request))

    @staticmethod
    def naming(request: Request) -> Ranked:
        query = request.query
        categories = {ref.code[:3].lower() for ref in query.codes if ref.system == "icd10cm"}
        guideline = replace(request.filters, kind="guideline")
        bm25 = request.derived.bm25
        return bm25.mentioning(sorted(categories), query.focus, NAMING_DEPTH, guideline)
