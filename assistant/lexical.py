"""BM25 over the passages with SQLite FTS5 (title weighted above body text). ``LexicalIndex``
holds the statistics its queries gate on (document frequencies, the passage count), so a new
one after an ingest starts from the new passages. Once warmed, it holds the words of the
passages in use in memory, which answer every search of the editions in use with FTS5's own
passages and scores (see held_words.py); FTS5 answers those of other editions."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from zipfile import BadZipFile

from assistant.catalog import FILTER_FIELDS, Catalog
from assistant.filters import Filters, Pool
from assistant.held_words import HeldWords, Row, Statistics
from assistant.schema import TOKENIZER, facet
from assistant.text import any_of, words_of
from assistant.tuning import FACET_SHARE, RARE_SHARES, WIDE_BUDGET
from assistant.vector_texts import title_alone

# columns id, title, text, shelf, facet: titles count 3 times, the facet words not at all
BM25 = "bm25(passages_fts, 0.0, 3.0, 1.0, 0.0, 0.0)"


HELD_FILE = "held-words"  # beside the catalog: see LexicalIndex.hold


class Stems:
    """FTS5's own tokenizer (porter over unicode61), for words held outside the lexical
    index: each word's stems as the index holds them (one for a plain word). The words of
    queries are remembered, up to ``REMEMBERED`` of them."""

    REMEMBERED = 20_000

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, ...]] = {}
        self.lock = threading.Lock()

    def __call__(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        known = self.known  # letting go of what is remembered swaps in a new dict
        found: dict[str, tuple[str, ...]] = {}
        new: list[str] = []
        for word in dict.fromkeys(words):
            stems = known.get(word)
            if stems is None:
                new.append(word)
            else:
                found[word] = stems
        if new:
            fresh = stems_of(new)
            found.update(fresh)
            if len(new) < self.REMEMBERED:
                with self.lock:
                    if len(self.known) + len(new) > self.REMEMBERED:
                        self.known = {}
                    self.known.update(fresh)
        return found


def stems_of(words: list[str]) -> dict[str, tuple[str, ...]]:
    """The words put through FTS5's tokenizer in a table of their own (one row a word, in a
    database of its own: deleted rows would slow the next read)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, instance)")
        conn.executemany("INSERT INTO words (rowid, word) VALUES (?, ?)", enumerate(words))
        found: dict[int, list[str]] = {}
        for term, doc in conn.execute("SELECT term, doc FROM stems ORDER BY doc, offset"):
            found.setdefault(doc, []).append(term)
    finally:
        conn.close()
    return {word: tuple(found.get(at, ())) for at, word in enumerate(words)}


class LexicalIndex:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.frequencies: dict[str, int] = {}
        self.count: int | None = None
        self.lock = threading.Lock()
        self.stems = Stems()
        self.held: HeldWords | None = None  # the passages in use, once warmed (see hold)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.catalog.conn  # one connection per thread

    def document_frequency(self, word: str) -> int:
        if word not in self.frequencies:
            row = self.conn.execute(
                "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (f'"{word}"',)
            ).fetchone()
            with self.lock:
                self.frequencies[word] = int(row[0])
        return self.frequencies[word]

    def passage_count(self) -> int:
        """Counted once (a full count takes milliseconds; a few percent of drift while an
        ingest runs does not move the rare-term threshold much)."""
        if self.count is None:
            query = "SELECT count(*) FROM passages_all"  # every edition, as the frequencies
            self.count = int(self.conn.execute(query).fetchone()[0])
        return self.count

    def rare(self, words: list[str], share: float) -> list[str]:
        """The words held by at most ``share`` of the passages (and by one at least)."""
        total = self.passage_count()
        return [w for w in words if 0 < self.document_frequency(w) <= share * total]

    def faceted(self, match: str, filters: Filters) -> str:
        """``match`` among the passages of the filters' system and kind (see schema.facet)."""
        words = self.facet_words(filters)
        return f"facet : ({' AND '.join(words)}) AND ({match})" if words else match

    def facet_words(self, filters: Filters) -> list[str]:
        """The filters' facet words that pick a small share of the passages: FTS5 reads the
        whole list of passages a facet word is in, so "systemicd10cm" (three passages in four)
        would cost more than the scoring it spares. The callers' SQL filters the rest."""
        total = self.passage_count()
        return [
            word
            for word in facet(filters.system, filters.kind).split()
            if self.document_frequency(word) <= FACET_SHARE * total
        ]

    def selective(self, text: str) -> str:
        """An FTS5 expression that matches passages holding one of the query's rarer terms and
        scores them on all of its terms: ``(rare...) AND (rare... OR common...)``. Scoring
        every passage that holds a common term ("acute", "chronic") is what makes BM25 slow
        here; gating on the rare ones keeps the same best results at a fraction of the cost."""
        return self.gated(words_of(text))

    def gate(self, words: list[str], budget: int | None = None) -> list[str]:
        """The rarest words of a query of several (see selective); none when all are common.
        ``budget``: the most passages the gate may let through, rarest words first (see
        within)."""
        if len(words) <= 1:
            return []
        for share in RARE_SHARES:
            gate = self.rare(words, share)
            if gate:
                return self.within(gate, budget) if budget else gate
        return []

    def within(self, gate: list[str], budget: int) -> list[str]:
        """The rarest words of ``gate`` whose passages add up to at most ``budget`` (the
        rarest one at least), in their order. A long question has a score of rare words, each
        held by a thousand passages or so: scoring their union (5-12k passages) was the tail of
        the answer time, and the rarest of them carry the best matches."""
        ranked = sorted(gate, key=self.document_frequency)
        kept: list[str] = []
        held = 0
        for word in ranked:
            if kept and held + self.document_frequency(word) > budget:
                break
            kept.append(word)
            held += self.document_frequency(word)
        return [w for w in gate if w in kept]

    def gated(self, words: list[str], budget: int | None = None) -> str:
        gate = self.gate(words, budget)
        return f"({any_of(gate)}) AND ({any_of(words)})" if gate else any_of(words)

    def wide(self, text: str, pool: int, shelves: tuple[str, ...] = ()) -> Pool:
        """The best ``pool`` passages for the query, whatever their kind, with the fields
        filters use: one BM25 query serves every list that needs lexical results. Of the
        editions in use, or of ``shelves``."""
        words = words_of(text)
        held = self.held
        if held is not None and not shelves:
            gate = self.gate(words, WIDE_BUDGET)
            found = held.best(words, gate, pool, (), self.statistics()) if words else []
            return held.pool([row for row, _ in found], [-score for _, score in found])
        match = self.gated(words, WIDE_BUDGET)
        if not match:
            return Pool.of_rows([])
        marks = ",".join("?" * len(shelves))
        among = f"IN ({marks})" if shelves else "IN (SELECT shelf FROM in_use)"
        # the join runs after the limit: joining every match first costs a fifth more
        rows = self.conn.execute(
            "SELECT f.id AS id, f.rank AS rank, p.system AS system, p.kind AS kind, "
            "p.source AS source, p.version AS version, p.edition AS edition FROM (SELECT id, "
            f"{BM25} AS rank FROM passages_fts WHERE passages_fts MATCH ? AND shelf {among} "
            "ORDER BY rank LIMIT ?) f JOIN passages_all p ON p.id = f.id ORDER BY f.rank",
            [match, *shelves, pool],
        ).fetchall()
        return Pool.of_rows(rows)

    def search(self, text: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """The ``k`` best passages the filters keep (id, BM25 score: higher is better)."""
        words = words_of(text)
        if not words:
            return []
        gate = self.gate(words)
        found = self.matched(words, gate, k, filters)
        rest = [w for w in words if w not in gate]
        if not found and gate and rest and self.loosens(rest, filters):
            # the rare words that gated the match may be absent from the filtered passages (no
            # guideline says "diuretics"): then the other words decide
            found = self.matched(rest, self.gate(rest), k, filters)
        return found

    def matched(
        self, words: list[str], gate: list[str], k: int, filters: Filters
    ) -> list[tuple[str, float]]:
        """The best passages holding a ``gate`` word (any word without one), scored on all."""
        held = self.held
        if held is not None and filters.table == "passages":
            found = held.best(words, gate, k, tuple(filters.items()), self.statistics())
            return [(held.ids[row], score) for row, score in found]
        where, params = filters.sql("p")
        query = (
            f"SELECT f.id AS id, {BM25} AS rank FROM passages_fts f "
            f"JOIN {filters.table} p ON p.id = f.id WHERE passages_fts MATCH ? {where} "
            "ORDER BY rank LIMIT ?"
        )
        match = f"({any_of(gate)}) AND ({any_of(words)})" if gate else any_of(words)
        rows = self.conn.execute(query, [self.faceted(match, filters), *params, k]).fetchall()
        return [(row["id"], -float(row["rank"])) for row in rows]

    def loosens(self, words: list[str], filters: Filters) -> bool:
        """Whether matching ``words`` after the gate failed is cheap enough: some of them are
        rare, or a facet narrows the match first. BM25 over every passage that holds
        "specified" or "medical" costs some 150 ms."""
        return bool(self.rare(words, RARE_SHARES[-1]) or self.facet_words(filters))

    def mentioning(self, tokens: list[str], text: str, k: int, filters: Filters) -> list[str]:
        """Passages that name one of ``tokens`` (code categories, as FTS5 splits "Z79.4" into
        "z79" and "4"), ranked by BM25 over them and the words of ``text``."""
        if not tokens:
            return []
        where, params = filters.sql("p")
        match = f"({any_of(tokens)}) AND ({any_of([*tokens, *words_of(text)])})"
        rows = self.conn.execute(
            f"SELECT f.id AS id FROM passages_fts f JOIN {filters.table} p ON p.id = f.id "
            f"WHERE passages_fts MATCH ? {where} ORDER BY {BM25} LIMIT ?",
            [self.faceted(match, filters), *params, k],
        ).fetchall()
        return [row["id"] for row in rows]

    def scores(self, text: str, ids: list[str], filters: Filters | None = None) -> dict[str, float]:
        """BM25 of the given passages (lower is better, as FTS5 ranks) for the query's rarer
        words alone: matching a common word ("other") across the whole corpus first would cost
        some hundred milliseconds. Passages holding none of them are left out. ``filters``: the
        system and kind the passages are of, which narrow the match first (see faceted)."""
        if not ids:
            return {}
        rare = self.rare(words_of(text), RARE_SHARES[-1])
        if not rare:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, {BM25} AS rank FROM passages_fts "
            f"WHERE passages_fts MATCH ? AND id IN ({marks})",
            [self.faceted(any_of(rare), filters or Filters()), *ids],
        ).fetchall()
        return {row["id"]: float(row["rank"]) for row in rows}

    def hold(self) -> None:
        """The words of the passages in use, read into memory: the searches of the editions
        in use no longer query FTS5. They are read from the file the first hold wrote beside
        the catalog for its sources (a fraction of a second), else from the lexical index (some
        seconds on the full index), and that file written."""
        if self.held is not None:
            return
        stamp = self.catalog.stamp()
        mean = self.mean_length()
        path = self.catalog.path.parent / f"{HELD_FILE}-{digest(stamp)}.npz"
        held = None
        if path.exists():
            try:
                held = HeldWords.load(path, self.stems, mean)
            except (OSError, ValueError, KeyError, EOFError, BadZipFile):  # damaged: read again
                held = None
        if held is None:
            held = HeldWords.of(self.rows_of(), self.stems, mean)
            if self.catalog.stamp() == stamp:  # no ingest ended meanwhile
                self.keep(held, path)
        self.held = held

    @staticmethod
    def keep(held: HeldWords, path: Path) -> None:
        """``held`` saved at ``path``, and the files of other sources removed; a folder that
        cannot be written keeps none (each start then reads the index)."""
        try:
            held.save(path)
            for other in path.parent.glob(f"{HELD_FILE}-*.npz"):
                if other != path:
                    other.unlink(missing_ok=True)
        except OSError:
            pass

    def statistics(self) -> Statistics:
        return Statistics(self.passage_count(), self.document_frequency)

    def mean_length(self) -> float:
        """The mean length in tokens of a passage of the lexical index, all columns, from
        FTS5's own record of it (rows, then tokens by column, as varints)."""
        blob = self.conn.execute("SELECT block FROM passages_fts_data WHERE id = 1").fetchone()[0]
        numbers = varints(bytes(blob))
        return sum(numbers[1:]) / numbers[0] if numbers and numbers[0] else 1.0

    def rows_of(self) -> Iterator[Row]:
        """The passages in use, as the lexical index holds them."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        columns = ", ".join(f"p.{name}" for name in FILTER_FIELDS)
        cursor.execute(
            f"SELECT f.id, f.title, f.text, f.facet, p.code, p.title, p.text, {columns} "
            "FROM passages_fts f JOIN passages p ON p.id = f.id ORDER BY f.rowid"
        )
        kind = 7 + FILTER_FIELDS.index("kind")
        for row in cursor:
            alone = title_alone(row[kind], row[4], row[5], row[6] or "")
            yield Row(row[0], row[7:], row[1] or "", row[2] or "", row[3] or "", alone)


def varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, one after another (big-endian groups of seven bits,
    the ninth byte whole)."""
    numbers: list[int] = []
    at = 0
    while at < len(blob):
        value = 0
        for step in range(9):
            byte = blob[at]
            at += 1
            if step == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        numbers.append(value)
    return numbers


def digest(stamp: str) -> str:
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]
