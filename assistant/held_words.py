"""BM25 over the passages in use held in memory, scored as FTS5 scores them (lexical.py).

A question's wide BM25 query and each of its filtered ones (a concept among the codes of one
system, a rule among the guidelines) ran in FTS5 over every passage holding one of its rarer
words: 5-25 ms a query, three to five a long question, the larger part of an answer's time.
The words of the passages in use are held here as postings, and a query costs a few array
operations over them. Scores are FTS5's own: the same formula and constants, the same column
weights (title 3, text 1), the same statistics (every passage's word counts and lengths, of
every edition), so the passages found and their order are those of the SQL queries they
replace (tests compare them)."""

from __future__ import annotations

import json
import math
import os
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from assistant.catalog import FILTER_FIELDS
from assistant.filters import Column, Pool, passing

# a token as unicode61 draws it: letters, digits and private-use characters (which guideline
# PDFs use for their bullets); FTS5's tokenizer then stems each (see Stemmer)
TOKEN = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff\U000f0000-\U0010fffd])+")
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
    alone: bool = False  # its one vector is in the title collection (see vector_texts)


@dataclass(frozen=True, eq=False)  # hashed by identity (its masks are remembered)
class HeldWords:
    """The postings of a set of passages: for each stem, its span of ``rows`` (the rows that
    hold it) and ``counts`` (its weighted count there, title words thrice)."""

    ids: tuple[str, ...]
    fields: dict[str, Column]  # each filter field's values, row by row
    alone: np.ndarray  # each row's: its one vector is in the title collection (vector_texts)
    terms: dict[str, int]  # stem -> its number n: its postings lie from bounds[n] to bounds[n+1]
    bounds: np.ndarray
    rows: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray  # each row's tokens, all columns
    norm: np.ndarray  # each row's length term: K1 * (1 - B + B * length / mean length)
    stem: Stemmer

    @classmethod
    def of(cls, passages: Iterable[Row], stem: Stemmer, mean_length: float) -> HeldWords:
        """``mean_length``: of a passage of the whole lexical index, in tokens. The passages
        are read a chunk at a time, so that their text is never held all at once."""
        ids: list[str] = []
        fields: list[tuple[str, ...]] = []
        alone: list[bool] = []
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
            alone.extend(p.alone for p in chunk)
        term = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        order = np.argsort(term, kind="stable")  # by term, then row
        length = np.concatenate(lengths) if lengths else np.zeros(0)
        return cls(
            tuple(ids),
            {name: Column.of([row[at] for row in fields]) for at, name in enumerate(FILTER_FIELDS)},
            np.array(alone, dtype=bool),
            numbers,
            np.searchsorted(term[order], np.arange(len(numbers) + 1)),
            np.concatenate(rows)[order].astype(np.int32) if rows else term,
            np.concatenate(counts)[order] if counts else np.zeros(0, dtype=np.float32),
            length,
            norm_of(length, mean_length),
            stem,
        )

    def save(self, path: Path) -> None:
        """Written whole or not at all (another process may be reading the folder)."""
        arrays: dict[str, Any] = {
            "ids": joined(self.ids),
            "terms": joined(self.terms),  # in the order of their numbers
            "bounds": self.bounds,
            "rows": self.rows,
            "counts": self.counts,
            "lengths": self.lengths,
            "alone": self.alone,
        }
        for name, column in self.fields.items():
            arrays[f"codes_{name}"] = column.codes
            arrays[f"values_{name}"] = np.frombuffer(json.dumps(column.values).encode(), np.uint8)
        part = path.with_name(path.name + ".part")
        with part.open("wb") as out:
            np.savez(out, **arrays)
        os.replace(part, path)

    @classmethod
    def load(cls, path: Path, stem: Stemmer, mean_length: float) -> HeldWords:
        with np.load(path) as saved:
            terms = split(saved["terms"])
            lengths = saved["lengths"]
            return cls(
                tuple(split(saved["ids"])),
                {name: Column.saved(saved, name) for name in FILTER_FIELDS},
                saved["alone"].astype(bool),
                {term: at for at, term in enumerate(terms)},
                saved["bounds"],
                saved["rows"],
                saved["counts"],
                lengths,
                norm_of(lengths, mean_length),
                stem,
            )

    @lru_cache(maxsize=32)  # noqa: B019 (a set lives as long as its lexical index)
    def mask(self, wanted: tuple[tuple[str, str], ...]) -> np.ndarray:
        """The rows that pass the filters."""
        return passing(self.fields, wanted)

    def postings(self, stem: str | None) -> tuple[np.ndarray, np.ndarray] | None:
        at = self.terms.get(stem or "")
        if at is None:
            return None
        start, end = self.bounds[at], self.bounds[at + 1]
        return self.rows[start:end], self.counts[start:end]

    def best(
        self,
        words: list[str],
        gate: list[str],
        k: int,
        wanted: tuple[tuple[str, str], ...],
        statistics: Statistics,
    ) -> list[tuple[int, float]]:
        """The ``k`` best rows (row, BM25 score, higher better) of those that hold one of the
        ``gate`` words (of ``words`` when there is no gate) and pass the filters ``wanted``, as
        FTS5 ranks ``(gate) AND (words)``: a gate word counts twice, being a phrase of both
        sides."""
        # a query's words are plain letters and digits: one stem each
        stems = {word: found[0] for word, found in self.stem(words).items() if len(found) == 1}
        postings = {word: self.postings(stems.get(word)) for word in words}
        held = [found[0] for word in gate or words if (found := postings[word]) is not None]
        if not held:
            return []
        rows = np.unique(np.concatenate(held))
        if wanted:
            rows = rows[self.mask(wanted)[rows]]
        if not len(rows):
            return []
        score = np.zeros(len(rows))
        norm = self.norm[rows]
        for word in [*gate, *words]:
            found = postings[word]
            if found is None:
                continue
            at, counts = among(rows, *found)
            counts = counts.astype(np.float64)  # whole numbers: float32 held them exactly
            # FTS5's arithmetic, in its order: the scores agree to the last bit
            score[at] += statistics.idf(word) * ((counts * (K1 + 1.0)) / (counts + norm[at]))
        order = np.argsort(-score, kind="stable")[:k]  # ties in the index's order, as FTS5
        return [(int(rows[i]), float(score[i])) for i in order]

    def filter_fields(self, ids: list[str]) -> dict[str, tuple[str, ...]]:
        """As Catalog.filter_fields reads them for the passages in use, of the ids held."""
        at = self.row_of()
        held = [pid for pid in ids if pid in at]
        rows = np.fromiter((at[pid] for pid in held), dtype=np.int64, count=len(held))
        # a column at a time over every row (a numpy scalar read per field and row cost 4 ms
        # a search)
        columns = []
        for name in FILTER_FIELDS:
            column = self.fields[name]
            values = column.values
            columns.append([values[code] for code in column.codes[rows].tolist()])
        return dict(zip(held, zip(*columns, strict=True), strict=True))

    def alone_among(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` held whose one vector is in the title collection."""
        at = self.row_of()
        return {pid for pid in ids if (row := at.get(pid)) is not None and self.alone[row]}

    @cache  # noqa: B019 (a set lives as long as its lexical index)
    def row_of(self) -> dict[str, int]:
        return {pid: row for row, pid in enumerate(self.ids)}

    def pool(self, rows: list[int], ranks: list[float]) -> Pool:
        """The rows' ids and filter fields, in their order."""
        at = np.array(rows, dtype=np.int64)
        ids = self.ids
        return Pool(
            [ids[row] for row in rows],
            ranks,
            {name: Column(column.codes[at], column.values) for name, column in self.fields.items()},
        )


def among(rows: np.ndarray, held: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where in ``rows`` (sorted) the rows ``held`` (sorted) lie, and their counts there."""
    if len(held) <= len(rows):
        at = np.searchsorted(rows, held)
        inside = at < len(rows)
        inside[inside] = rows[at[inside]] == held[inside]
        return at[inside], counts[inside]
    at = np.searchsorted(held, rows)  # a common word: look the few rows up in its long list
    inside = at < len(held)
    inside[inside] = held[at[inside]] == rows[inside]
    return np.flatnonzero(inside), counts[at[inside]]


def norm_of(lengths: np.ndarray, mean_length: float) -> np.ndarray:
    """Each row's length term, with FTS5's operations in its order (the scores then agree to
    the last bit)."""
    norm: np.ndarray = K1 * (1 - B + B * lengths / mean_length)
    return norm


def joined(words: Iterable[str]) -> np.ndarray:
    """Words (no line breaks in them) as one array of UTF-8 bytes."""
    return np.frombuffer("\n".join(words).encode(), dtype=np.uint8)


def split(saved: np.ndarray) -> list[str]:
    text = bytes(saved).decode()
    return text.split("\n") if text else []
