"""BM25 over the passages with SQLite FTS5 (title weighted above body text)."""

from __future__ import annotations

import re
import sqlite3

from assistant.filters import Filters
from assistant.lookup import numbered
from assistant.tuning import RARE_SHARES

STOP = frozenset(
    "a an and are as at be by can code codes coding do does for from how i if in is it its may "
    "of on or should the this to what when where which with without you".split(" ")
)


BM25 = "bm25(passages_fts, 0.0, 3.0, 1.0)"  # columns id, title, text: titles count 3 times


def words_of(text: str) -> list[str]:
    """The query's words, and a Roman numeral after "grade", "stage", "type" and the like as
    a digit too (titles write "grade 4" or "type II")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    digits = [n for w, n in zip(words, numbered(words), strict=True) if n != w]
    return list(dict.fromkeys(w for w in words + digits if w not in STOP))


def any_of(words: list[str]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def fts_query(text: str) -> str:
    return any_of(words_of(text))


def selective(conn: sqlite3.Connection, text: str) -> str:
    """An FTS5 expression that matches passages holding one of the query's rarer terms and
    scores them on all of its terms: ``(rare...) AND (rare... OR common...)``. Scoring every
    passage that holds a common term ("acute", "chronic") is what makes BM25 slow here; gating
    on the rare ones keeps the same best results at a fraction of the cost."""
    words = words_of(text)
    if len(words) <= 1:
        return any_of(words)
    total = passage_count(conn)
    for share in RARE_SHARES:
        gate = [w for w in words if 0 < document_frequency(conn, w) <= share * total]
        if gate:
            return f"({any_of(gate)}) AND ({any_of(words)})"
    return any_of(words)


FREQUENCIES: dict[tuple[int, str], int] = {}


def document_frequency(conn: sqlite3.Connection, word: str) -> int:
    key = (id(conn), word)
    if key not in FREQUENCIES:
        row = conn.execute(
            "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (f'"{word}"',)
        ).fetchone()
        FREQUENCIES[key] = int(row[0])
    return FREQUENCIES[key]


COUNTS: dict[int, int] = {}


def passage_count(conn: sqlite3.Connection) -> int:
    """Counted once per connection (a full count takes milliseconds; a few percent of drift
    after an ingest does not move the rare-term threshold much)."""
    if id(conn) not in COUNTS:
        COUNTS[id(conn)] = int(conn.execute("SELECT count(*) FROM passages").fetchone()[0])
    return COUNTS[id(conn)]


def wide(conn: sqlite3.Connection, text: str, pool: int) -> list[sqlite3.Row]:
    """The best ``pool`` passages for the query, whatever their kind, with the fields filters
    use: one BM25 query serves every list that needs lexical results."""
    match = selective(conn, text)
    if not match:
        return []
    # the join runs after the limit: joining every match first costs a fifth more
    return conn.execute(
        "SELECT f.id AS id, f.rank AS rank, p.system AS system, p.kind AS kind, "
        "p.source AS source, p.version AS version FROM (SELECT id, "
        f"{BM25} AS rank FROM passages_fts WHERE passages_fts MATCH ? "
        "ORDER BY rank LIMIT ?) f JOIN passages p ON p.id = f.id ORDER BY f.rank",
        [match, pool],
    ).fetchall()


def search(
    conn: sqlite3.Connection, text: str, k: int, filters: Filters
) -> list[tuple[str, float]]:
    match = selective(conn, text)
    if not match:
        return []
    where, params = filters.sql("p")
    query = (
        f"SELECT f.id AS id, {BM25} AS rank FROM passages_fts f "
        f"JOIN passages p ON p.id = f.id WHERE passages_fts MATCH ? {where} "
        "ORDER BY rank LIMIT ?"
    )
    rows = conn.execute(query, [match, *params, k]).fetchall()
    if not rows and match != fts_query(text):
        # the rare words that gated the match may be absent from the filtered passages (no
        # guideline says "diuretics"): then their other words decide
        rows = conn.execute(query, [fts_query(text), *params, k]).fetchall()
    return [(row["id"], -float(row["rank"])) for row in rows]


def mentioning(
    conn: sqlite3.Connection, tokens: list[str], text: str, k: int, filters: Filters
) -> list[str]:
    """Passages that name one of ``tokens`` (code categories, as FTS5 splits "Z79.4" into
    "z79" and "4"), ranked by BM25 over them and the words of ``text``."""
    if not tokens:
        return []
    where, params = filters.sql("p")
    match = f"({any_of(tokens)}) AND ({any_of([*tokens, *words_of(text)])})"
    rows = conn.execute(
        f"SELECT f.id AS id FROM passages_fts f JOIN passages p ON p.id = f.id "
        f"WHERE passages_fts MATCH ? {where} ORDER BY {BM25} LIMIT ?",
        [match, *params, k],
    ).fetchall()
    return [row["id"] for row in rows]


def scores(conn: sqlite3.Connection, text: str, ids: list[str]) -> dict[str, float]:
    """BM25 of the given passages (lower is better, as FTS5 ranks) for the query's rarer words
    alone: matching a common word ("other") across the whole corpus first would cost some
    hundred milliseconds. Passages holding none of them are left out."""
    if not ids:
        return {}
    total = passage_count(conn)
    rare = [w for w in words_of(text) if 0 < document_frequency(conn, w) <= RARE_SHARES[-1] * total]
    if not rare:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, {BM25} AS rank FROM passages_fts "
        f"WHERE passages_fts MATCH ? AND id IN ({marks})",
        [any_of(rare), *ids],
    ).fetchall()
    return {row["id"]: float(row["rank"]) for row in rows}


def forget() -> None:
    """Drop the cached counts: an ingest changed the passages."""
    FREQUENCIES.clear()
    COUNTS.clear()
