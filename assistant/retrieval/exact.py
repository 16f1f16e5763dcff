"""Codes the question names ("E11.9", an ICD-9-CM code and its mapped ICD-10 codes), and code
passages whose title or inclusion term is the question itself."""

from __future__ import annotations

from dataclasses import replace

from assistant.codes import to_key
from assistant.retrieval.codes import describing, headings
from assistant.retrieval.signal import Ranked, Ranking, Request


class Exact:
    name = "exact"

    def ranked(self, request: Request) -> Ranking:
        ids = self.named_codes(request)
        ids += self.named_exactly(request) if request.codes_wanted else []
        return Ranking(ids)

    @staticmethod
    def named_codes(request: Request) -> Ranked:
        catalog, filters = request.catalog, request.filters
        found: Ranked = []
        for ref in request.query.codes:
            if filters.system and filters.system != ref.system:
                continue
            found += describing(catalog, ref.system, ref.code, filters)
            for system, code, _ in catalog.mappings(ref.system, to_key(ref.code)):
                if ref.system == "icd9cm" and filters.system in (None, system):
                    found += describing(catalog, system, code, filters)
        return found

    @staticmethod
    def named_exactly(request: Request) -> Ranked:
        """Code passages whose title or one of whose inclusion terms is the query itself: a
        coder who types either means that code (case, spacing and end punctuation aside). Not
        a heading: "bipolar disorder" names category F31, and the code to report is one of its
        children, which the other lists find."""
        catalog, filters, text = request.catalog, request.filters, request.query.focus
        ids = catalog.titled(" ".join(text.lower().split()).strip(" .?"), filters)
        code_filters = replace(filters, kind="code")
        for system, key in request.derived.inclusions.codes(text):
            if filters.system in (None, system):
                ids += describing(catalog, system, catalog.display(system, key), code_filters)
        found = catalog.passages(list(dict.fromkeys(ids)))
        held_back = headings(catalog, found.values())
        return [pid for pid in found if pid not in held_back]
