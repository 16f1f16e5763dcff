"""The catalog's tables, and every write to them, next to each other: a write names its columns
(no positional inserts), so a column added to a table is added in one file. One source is
swapped in a single transaction, the lexical index (FTS5) with it. The reads are named methods
of ``assistant.catalog.Catalog``."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from assistant.codes import to_key
from assistant.models import Passage, SourceData

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY, version TEXT, path TEXT, checksum TEXT, loader TEXT,
    records INTEGER, passages INTEGER, loaded_at TEXT
);
CREATE TABLE IF NOT EXISTS codes (
    system TEXT, key TEXT, code TEXT, title TEXT, short_title TEXT, billable INTEGER,
    level TEXT, parent TEXT, source TEXT, version TEXT, PRIMARY KEY (system, key)
);
CREATE INDEX IF NOT EXISTS codes_parent ON codes (system, parent);
CREATE INDEX IF NOT EXISTS codes_key ON codes (key);  -- a code typed without its system
CREATE TABLE IF NOT EXISTS notes (system TEXT, key TEXT, kind TEXT, text TEXT, source TEXT);
CREATE INDEX IF NOT EXISTS notes_code ON notes (system, key);
CREATE TABLE IF NOT EXISTS index_entries (
    source TEXT, path TEXT, code TEXT, col TEXT, see TEXT, see_also TEXT
);
CREATE INDEX IF NOT EXISTS index_code ON index_entries (code);
CREATE TABLE IF NOT EXISTS crosswalk (
    source TEXT, from_system TEXT, from_key TEXT, to_system TEXT, to_key TEXT, flags TEXT
);
CREATE INDEX IF NOT EXISTS crosswalk_from ON crosswalk (from_system, from_key);
CREATE INDEX IF NOT EXISTS crosswalk_to ON crosswalk (to_system, to_key);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY, source TEXT, system TEXT, kind TEXT, code TEXT, codes TEXT,
    title TEXT, section TEXT, page INTEGER, trail TEXT, version TEXT, text TEXT, hash TEXT,
    ord INTEGER
);
CREATE INDEX IF NOT EXISTS passages_source ON passages (source, ord);
CREATE INDEX IF NOT EXISTS passages_code ON passages (code);
CREATE INDEX IF NOT EXISTS passages_title ON passages (lower(title));  -- a query that is a title
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    id UNINDEXED, title, text, tokenize = 'porter unicode61'
);
"""
SOURCE_COLUMNS = (
    "name", "version", "path", "checksum", "loader", "records", "passages", "loaded_at",
)  # fmt: skip
CODE_COLUMNS = (
    "system", "key", "code", "title", "short_title", "billable", "level", "parent", "source",
    "version",
)  # fmt: skip
NOTE_COLUMNS = ("system", "key", "kind", "text", "source")
INDEX_COLUMNS = ("source", "path", "code", "col", "see", "see_also")
CROSSWALK_COLUMNS = ("source", "from_system", "from_key", "to_system", "to_key", "flags")
PASSAGE_COLUMNS = (
    "id", "source", "system", "kind", "code", "codes", "title", "section", "page", "trail",
    "version", "text", "hash", "ord",
)  # fmt: skip
FTS_COLUMNS = ("id", "title", "text")


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def reader(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def insert(table: str, columns: tuple[str, ...], replace: bool = False) -> str:
    """An INSERT of named columns from named parameters (``:column``)."""
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    return (
        f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )


def replace_source(conn: sqlite3.Connection, data: SourceData, loader: str) -> None:
    """Swap a source's rows for new ones. Until the commit, readers see the old rows; a crash
    before it leaves them untouched."""
    with conn:
        delete_source(conn, data.source)
        insert_codes(conn, data)
        insert_passages(conn, data)
        source = {
            "name": data.source,
            "version": data.version,
            "path": data.path,
            "checksum": data.checksum,
            "loader": loader,
            "records": data.records,
            "passages": len(data.passages),
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        conn.execute(insert("sources", SOURCE_COLUMNS), source)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the BM25 index's segments: replacing sources leaves FTS5 with many small ones,
    and every query reads them all (search p50 30.7 -> 26.7 ms on the full corpus after a
    reload of every source; the merge took 0.8 s)."""
    with conn:
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")


def delete_source(conn: sqlite3.Connection, source: str) -> None:
    conn.execute(
        "DELETE FROM passages_fts WHERE id IN (SELECT id FROM passages WHERE source = ?)",
        (source,),
    )
    for table in ("codes", "notes", "index_entries", "crosswalk", "passages", "sources"):
        column = "name" if table == "sources" else "source"
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (source,))


def insert_codes(conn: sqlite3.Connection, data: SourceData) -> None:
    conn.executemany(
        insert("codes", CODE_COLUMNS, replace=True),
        [
            {
                "system": c.system,
                "key": to_key(c.code),
                "code": c.code,
                "title": c.title,
                "short_title": c.short_title,
                "billable": int(c.billable),
                "level": c.level,
                "parent": to_key(c.parent) if c.parent else None,
                "source": data.source,
                "version": data.version,
            }
            for c in data.codes
        ],
    )
    conn.executemany(
        insert("notes", NOTE_COLUMNS),
        [
            {"system": n.system, "key": to_key(n.code), "kind": n.kind, "text": n.text,
             "source": data.source}
            for n in data.notes
        ],
    )  # fmt: skip
    conn.executemany(
        insert("index_entries", INDEX_COLUMNS),
        [
            {"source": data.source, "path": e.path, "code": e.code, "col": e.column,
             "see": e.see, "see_also": e.see_also}
            for e in data.index
        ],
    )  # fmt: skip
    conn.executemany(
        insert("crosswalk", CROSSWALK_COLUMNS),
        [
            {"source": data.source, "from_system": x.from_system,
             "from_key": to_key(x.from_code), "to_system": x.to_system,
             "to_key": to_key(x.to_code), "flags": x.flags}
            for x in data.crosswalk
        ],
    )  # fmt: skip


def insert_passages(conn: sqlite3.Connection, data: SourceData) -> None:
    conn.executemany(
        insert("passages", PASSAGE_COLUMNS, replace=True),
        [
            {
                "id": p.id,
                "source": p.source,
                "system": p.system,
                "kind": p.kind,
                "code": p.code,
                "codes": json.dumps(list(p.codes)),
                "title": p.title,
                "section": p.section,
                "page": p.page,
                "trail": p.trail,
                "version": p.version,
                "text": p.text,
                "hash": p.hash,
                "ord": order,
            }
            for order, p in enumerate(data.passages)
        ],
    )
    conn.executemany(
        insert("passages_fts", FTS_COLUMNS),
        [{"id": p.id, "title": p.title, "text": searchable(p)} for p in data.passages],
    )


def searchable(passage: Passage) -> str:
    """The text BM25 indexes: a passage's heading trail too, where it has one. A guideline's
    words are ruled by its section: "Section IV ... for Outpatient Services > H. Uncertain
    diagnosis" is the outpatient rule, though its own text never says "outpatient"."""
    return f"{passage.trail}\n{passage.text}" if passage.trail else passage.text
