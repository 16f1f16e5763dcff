"""Inclusion terms, the Tabular List's own synonyms of a code, by their plain text: a coder who
types one ("Phlebotomus fever") means its code (A93.1 Sandfly fever). Words in parentheses or
brackets are nonessential and "NOS" (not otherwise specified) is notation, so "paraphrenia" matches
"Paraphrenia (late)" and "sore throat" matches "Sore throat (acute) NOS"."""

from __future__ import annotations

import threading
from collections import defaultdict

from assistant.catalog import Catalog
from assistant.text import plain_term


class InclusionTerms:
    """Built from the catalog's notes on first use (some 12,600 terms for ICD-10-CM)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.terms: dict[str, list[tuple[str, str]]] | None = None
        self.lock = threading.Lock()

    def codes(self, text: str) -> list[tuple[str, str]]:
        """(system, key) of the codes that list ``text`` among their inclusion terms."""
        return self.load().get(plain_term(text), [])

    def load(self) -> dict[str, list[tuple[str, str]]]:
        with self.lock:
            if self.terms is None:
                terms: dict[str, list[tuple[str, str]]] = defaultdict(list)
                for row in self.catalog.inclusion_terms():
                    terms[plain_term(row["text"])].append((row["system"], row["key"]))
                self.terms = terms
            return self.terms
