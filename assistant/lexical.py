"""BM25 over the passages with SQLite FTS5 (title weighted above body text)."""

from __future__ import annotations

import re
import sqlite3

from assistant.filters import Filters

STOP = frozenset(
    "a an and are as at be by can code codes coding do does for from how i if in is it its may "
    "of on or should the this to what when where which with without you".split(" ")
)


COMMON = 0.03  # a term in more than 3% of passages costs much and tells little


def fts_query(text: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words))


def selective(conn: sqlite3.Connection, text: str) -> str:
    """The query's terms less the very common ones (unless nothing else is left). BM25 gives
    those little weight anyway, and scoring their long posting lists is what makes FTS slow."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]
    words = list(dict.fromkeys(words))
    if len(words) <= 2:
        return fts_query(" ".join(words))
    limit = COMMON * passage_count(conn)
    rare = [w for w in words if document_frequency(conn, w) <= limit]
    return fts_query(" ".join(rare or words))


FREQUENCIES: dict[tuple[int, str], int] = {}


def document_frequency(conn: sqlite3.Connection, word: str) -> int:
    key = (id(conn), word)
    if key not in FREQUENCIES:
        row = conn.execute(
            "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (f'"{word}"',)
        ).fetchone()
        FREQUENCIES[key] = int(row[0])
    return FREQUENCIES[key]


def passage_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM passages").fetchone()[0])


def search(
    conn: sqlite3.Connection, text: str, k: int, filters: Filters
) -> list[tuple[str, float]]:
    match = selective(conn, text)
    if not match:
        return []
    where, params = filters.sql("p")
    rows = conn.execute(
        "SELECT f.id AS id, bm25(passages_fts, 0.0, 3.0, 1.0) AS rank FROM passages_fts f "
        f"JOIN passages p ON p.id = f.id WHERE passages_fts MATCH ? {where} "
        "ORDER BY rank LIMIT ?",
        [match, *params, k],
    ).fetchall()
    return [(row["id"], -float(row["rank"])) for row in rows]
