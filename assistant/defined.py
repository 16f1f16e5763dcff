"""Terms the guidelines rule on. A guideline quotes the words it governs: "Do not code diagnoses
documented as "probable", "suspected," ..." (IV.H). A question that uses one of those words
("can I code probable pneumonia outpatient?") is asking about that rule, however loudly its
other words ("pneumonia") pull vectors and BM25 towards the chapter on the condition."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache

from assistant.catalog import Catalog
from assistant.filters import Filters
from assistant.lexical import LexicalIndex
from assistant.text import SEARCH_STOP, plain_words
from assistant.tuning import MOST_QUOTING, RARE_SHARES

GUIDELINES = Filters(kind="guideline")
REMEMBERED = 64  # questions whose ranking is kept: a chat searches one question three times
QUOTED = re.compile(r"[“\"]([^”\"]{3,40})[”\"]")


def terms_in(text: str) -> set[str]:
    """The quoted terms of a passage, as plain words (stop words alone are no term)."""
    found = {plain_words(m) for m in QUOTED.findall(text)}
    return {t for t in found if len(t) >= 3 and not set(t.split()) <= SEARCH_STOP}


class DefinedTerms:
    """Built from the catalog's guideline passages on first use."""

    def __init__(self, catalog: Catalog, bm25: LexicalIndex) -> None:
        self.catalog = catalog
        self.bm25 = bm25
        self.quoting: dict[str, list[tuple[int, str]]] | None = None
        self.lock = threading.Lock()
        self.remembered = lru_cache(maxsize=REMEMBERED)(self.rank)

    def ranked(self, text: str) -> list[str]:
        """Ids of the guideline passages that quote a term ``text`` uses: those quoting more of
        its terms first, then by how well the rest of the question fits them (BM25 of its rarer
        words over text and heading trail: "outpatient" picks Section IV's rule), then in the
        guidelines' order. A term common in the corpus ("acute", "unspecified") is a word of
        code titles more than a question about a rule, and counts for nothing. The last
        questions' rankings are kept (the catalog they were read from is this one's)."""
        return list(self.remembered(text))

    def rank(self, text: str) -> list[str]:
        words = f" {plain_words(text)} "
        hits: dict[tuple[int, str], int] = defaultdict(int)
        for term, passages in self.load().items():
            if f" {term} " in words and self.rare(term):
                for passage in passages:
                    hits[passage] += 1
        fit = self.bm25.scores(text, [pid for _, pid in hits], GUIDELINES)
        best = sorted(hits, key=lambda p: (-hits[p], fit.get(p[1], 0.0), p[0]))
        return [pid for _, pid in best]

    def rare(self, term: str) -> bool:
        """Whether the term's rarest word is rare in the corpus (a query's words have their
        counts cached by the BM25 search already)."""
        words = [w for w in term.split() if w not in SEARCH_STOP]
        frequencies = [self.bm25.document_frequency(w) for w in words]
        return bool(frequencies) and min(frequencies) <= RARE_SHARES[0] * self.bm25.passage_count()

    def load(self) -> dict[str, list[tuple[int, str]]]:
        with self.lock:
            if self.quoting is None:
                quoting: dict[str, list[tuple[int, str]]] = defaultdict(list)
                for row in self.catalog.guideline_texts():
                    for term in terms_in(row["text"]):
                        quoting[term].append((row["rowid"], row["id"]))
                self.quoting = {t: ps for t, ps in quoting.items() if len(ps) <= MOST_QUOTING}
            return self.quoting
