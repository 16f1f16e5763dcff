"""BM25 over the code passages held in memory, scored as FTS5 scores them (lexical.py).

A search for a concept among the codes of one system ran an FTS5 query over every passage
holding one of its rarer words, then joined the hits to the filters: 10-20 ms a query, two or
three queries a long question. The words of the code passages in use (59k on the full index)
are held here as postings, and a query costs a few array operations over them. Scores are
FTS5's own: the same formula and constants, the same column weights (title 3, text 1), the
same statistics (every passage's word counts and lengths, of every edition), so the passages
found and their order are those of the SQL query they replace (tests compare them)."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import numpy as np

from assistant.catalog import FILTER_FIELDS

# a token as unicode61 draws it, near enough (FTS5's tokenizer then stems each, see Stemmer)
TOKEN = re.compile(r"[^\W_]+")
CHUNK = 4096  # passages read and tokenized at a time while building
Stemmer = Callable[[list[str]], dict[str, tuple[str, ...]]]  # words -> their FTS5 stems

K1, B = 1.2, 0.75  # FTS5's bm25 constants
TITLE_WEIGHT, TEXT_WEIGHT = 3.0, 1.0  # as lexical.BM25 weighs the columns


@dataclass(frozen=True)
class Statistics:
    """What FTS5 scores a word by, over the whole lexical index: its rows, and the word's
    document frequency."""

    rows: int
    frequency: Callable[[str], int]

    def idf(self, word: str) -> float:
        hits = self.frequency(word)
        idf = math.log((self.rows - hits + 0.5) / (hits + 0.5))
        return idf if idf > 0 else 1e-6  # as FTS5 floors it


@dataclass(frozen=True)
class Row:
    """One passage as the lexical index holds it: its filter fields and indexed columns."""

    id: str
    fields: tuple[str, ...]
    title: str
    text: str
    facet: str


@dataclass(frozen=True, eq=False)  # hashed by identity (its masks are remembered)
class HeldWords:
    """The postings of a set of passages: for each stem, its span of ``rows`` (the rows that
    hold it) and ``counts`` (its weighted count there, title words thrice)."""

    ids: tuple[str, ...]
    fields: dict[str, np.ndarray]  # each filter field's values, row by row
    spans: dict[str, tuple[int, int]]
    rows: np.ndarray
    counts: np.ndarray
    norm: np.ndarray  # each row's length term: K1 * (1 - B + B * length / mean length)
    stem: Stemmer

    @classmethod
    def of(cls, passages: Iterable[Row], stem: Stemmer, mean_length: float) -> HeldWords:
        """``mean_length``: of a passage of the whole lexical index, in tokens. The passages
        are read a chunk at a time, so that their text is never held all at once."""
        ids: list[str] = []
        fields: list[tuple[str, ...]] = []
        numbers: dict[str, int] = {}  # stem -> its number
        coded: dict[str, list[int]] = {}  # word -> the numbers of its stems
        lengths: list[np.ndarray] = []
        rows: list[np.ndarray] = []  # each (row, term) pair once, with its weighted count
        terms: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        it = iter(passages)
        while chunk := list(islice(it, CHUNK)):
            split = [(TOKEN.findall(p.title.lower()), TOKEN.findall(p.text.lower())) for p in chunk]
            new = {w for title, text in split for w in (*title, *text) if w not in coded}
            for word, found in stem(list(new)).items():
                coded[word] = [numbers.setdefault(s, len(numbers)) for s in found]
            held = array("i")
            sizes = array("i")  # tokens of each row's title, then of its text
            for title, text in split:
                for words in (title, text):
                    numbered = [n for word in words for n in coded[word]]
                    held.extend(numbered)
                    sizes.append(len(numbered))
            size = np.frombuffer(sizes, dtype=np.int32).reshape(-1, 2)
            facet = np.array([len(TOKEN.findall(p.facet)) for p in chunk], dtype=np.float64)
            lengths.append(size.sum(axis=1) + facet)
            # one (row, term) pair a token, summed by pair with its column's weight
            row = np.repeat(np.arange(len(ids), len(ids) + len(chunk)), size.sum(axis=1))
            weight = np.repeat(np.tile([TITLE_WEIGHT, TEXT_WEIGHT], len(chunk)), size.ravel())
            pairs = row * len(numbers) + np.frombuffer(held, dtype=np.int32)
            unique, inverse = np.unique(pairs, return_inverse=True)
            counts.append(np.bincount(inverse, weights=weight).astype(np.float32))
            rows.append((unique // len(numbers)).astype(np.int32) if len(numbers) else unique)
            terms.append((unique % len(numbers)).astype(np.int32) if len(numbers) else unique)
            ids.extend(p.id for p in chunk)
            fields.extend(p.fields for p in chunk)
        term = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        order = np.argsort(term, kind="stable")  # by term, then row
        bounds = np.searchsorted(term[order], np.arange(len(numbers) + 1))
        length = np.concatenate(lengths) if lengths else np.zeros(0)
        # the operations in FTS5's order, so that the scores are the same to the last bit
        norm = K1 * (1 - B + B * length / mean_length)
        return cls(
            tuple(ids),
            {name: np.array([row[at] for row in fields]) for at, name in enumerate(FILTER_FIELDS)},
            {s: (int(bounds[n]), int(bounds[n + 1])) for s, n in numbers.items()},
            np.concatenate(rows)[order].astype(np.int32) if rows else term,
            np.concatenate(counts)[order] if counts else np.zeros(0, dtype=np.float32),
            norm,
            stem,
        )

    @lru_cache(maxsize=32)  # noqa: B019 (a set lives as long as its lexical index)
    def mask(self, wanted: tuple[tuple[str, str], ...]) -> np.ndarray:
        """The rows that pass the filters."""
        mask = np.ones(len(self.ids), dtype=bool)
        for name, value in wanted:
            mask &= self.fields[name] == value
        return mask

    def postings(self, stem: str | None) -> tuple[np.ndarray, np.ndarray] | None:
        span = self.spans.get(stem or "")
        if span is None:
            return None
        # in doubles, as FTS5 scores (whole numbers: float32 holds them exactly)
        return self.rows[span[0] : span[1]], self.counts[span[0] : span[1]].astype(np.float64)

    def best(
        self,
        words: list[str],
        gate: list[str],
        k: int,
        wanted: tuple[tuple[str, str], ...],
        statistics: Statistics,
    ) -> list[tuple[str, float]]:
        """The ``k`` best passages (id, BM25 score, higher better) of those that hold one of
        the ``gate`` words (of ``words`` when there is no gate) and pass the filters
        ``wanted``, as FTS5 ranks ``(gate) AND (words)``: a gate word counts twice, being a
        phrase of both sides."""
        # a query's words are plain letters and digits: one stem each
        stems = {word: found[0] for word, found in self.stem(words).items() if len(found) == 1}
        held = np.zeros(len(self.ids), dtype=bool)
        for word in gate or words:
            found = self.postings(stems.get(word))
            if found is not None:
                held[found[0]] = True
        held &= self.mask(wanted)
        if not held.any():
            return []
        score = np.zeros(len(self.ids))
        norm = self.norm
        for word in [*gate, *words]:
            found = self.postings(stems.get(word))
            if found is None:
                continue
            rows, counts = found
            score[rows] += statistics.idf(word) * ((counts * (K1 + 1.0)) / (counts + norm[rows]))
        candidates = np.flatnonzero(held)
        order = np.argsort(-score[candidates], kind="stable")[:k]
        return [(self.ids[i], float(score[i])) for i in candidates[order]]
