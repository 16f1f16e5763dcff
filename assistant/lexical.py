"""BM25 over the passages with SQLite FTS5 (title weighted above body text)."""

from __future__ import annotations

import re
import sqlite3

from assistant.filters import Filters

STOP = frozenset(
    "a an and are as at be by can code codes coding do does for from how i if in is it its may "
    "of on or should the this to what when where which with without you".split(" ")
)


def fts_query(text: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words))


def search(
    conn: sqlite3.Connection, text: str, k: int, filters: Filters
) -> list[tuple[str, float]]:
    match = fts_query(text)
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
