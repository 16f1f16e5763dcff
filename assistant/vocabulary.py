"""The words the code sets use: every word stem of the loaded code titles and Alphabetic Index
paths, with how many of them hold it; and the words that can lead to a code (those of category
and block titles, Index main terms and inclusion terms). A phrase of a question is a clinical
concept when it holds such a word, the rarer the better ("laceration", "thigh"); narrative
words ("heated", "discussion", "archive") and names ("Tommy") are not among them."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter

from assistant.catalog import Catalog
from assistant.text import stem

WORD = re.compile(r"[a-z][a-z]+")
LEAD_STOP = frozenset(
    stem(w)
    for w in "and of with without other the in to by for due not or specified unspecified "
    "classified elsewhere".split()
)


class Vocabulary:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.counts: Counter[str] = Counter()
        self.leads: set[str] = set()  # words that name a condition or procedure on their own
        self.total = 0
        self.built = False
        self.lock = threading.Lock()

    def build(self) -> None:
        with self.lock:
            if self.built:
                return
            for text in self.catalog.title_and_path_texts():
                self.counts.update({stem(w) for w in WORD.findall(text.lower())})
                self.total += 1
            for text in self.catalog.heading_texts():
                self.leads.update(stem(w) for w in WORD.findall(text.lower()))
            self.leads -= LEAD_STOP
            self.built = True

    def weight(self, word: str) -> float:
        """How much a word says about which code is meant: its inverse document frequency
        among titles and index paths; 0 for a word the code sets never use."""
        self.build()
        count = self.counts.get(stem(word.lower()), 0)
        return math.log(self.total / count) if count else 0.0

    def leads_to(self, word: str) -> bool:
        """A word of a category title or an Alphabetic Index main term: it can name what a
        concept is about ("anxiety", "fracture"), where "performed" or "air" cannot."""
        self.build()
        return stem(word.lower()) in self.leads

    def known(self, word: str) -> bool:
        self.build()
        return stem(word.lower()) in self.counts
