"""The catalog's tables, and every write to them, next to each other: a write names its columns
(no positional inserts), so a column added to a table is added in one file. One source is
swapped in a single transaction, the lexical index (FTS5) with it. The reads are named methods
of ``assistant.catalog.Catalog``."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from assistant.codes import to_key
from assistant.editions import edition_name, shelf_name
from assistant.models import Passage, SourceData

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    shelf TEXT PRIMARY KEY, name TEXT, edition TEXT, version TEXT, path TEXT, checksum TEXT,
    loader TEXT, records INTEGER, passages INTEGER, loaded_at TEXT
);
-- the editions whose passages are in the catalog but not yet all in the vector store: written
-- with the catalog rows, in one transaction, removed once the vectors are (see ingest.pipeline)
CREATE TABLE IF NOT EXISTS pending_vectors (shelf TEXT PRIMARY KEY, source TEXT);
CREATE TABLE IF NOT EXISTS codes_all (
    system TEXT, key TEXT, code TEXT, title TEXT, short_title TEXT, billable INTEGER,
    level TEXT, parent TEXT, source TEXT, version TEXT, edition TEXT, shelf TEXT,
    PRIMARY KEY (system, key, shelf)
);
CREATE INDEX IF NOT EXISTS codes_all_parent ON codes_all (system, parent);
CREATE INDEX IF NOT EXISTS codes_all_key ON codes_all (key);  -- a code typed without its system
CREATE INDEX IF NOT EXISTS codes_all_shelf ON codes_all (shelf);
CREATE TABLE IF NOT EXISTS notes_all (
    system TEXT, key TEXT, kind TEXT, text TEXT, source TEXT, shelf TEXT
);
CREATE INDEX IF NOT EXISTS notes_all_code ON notes_all (system, key);
CREATE INDEX IF NOT EXISTS notes_all_shelf ON notes_all (shelf);
CREATE TABLE IF NOT EXISTS index_entries_all (
    source TEXT, path TEXT, code TEXT, col TEXT, see TEXT, see_also TEXT, shelf TEXT
);
CREATE INDEX IF NOT EXISTS index_all_code ON index_entries_all (code);
CREATE INDEX IF NOT EXISTS index_all_shelf ON index_entries_all (shelf);
CREATE TABLE IF NOT EXISTS crosswalk_all (
    source TEXT, from_system TEXT, from_key TEXT, to_system TEXT, to_key TEXT, flags TEXT,
    shelf TEXT
);
CREATE INDEX IF NOT EXISTS crosswalk_all_from ON crosswalk_all (from_system, from_key);
CREATE INDEX IF NOT EXISTS crosswalk_all_to ON crosswalk_all (to_system, to_key);
CREATE INDEX IF NOT EXISTS crosswalk_all_shelf ON crosswalk_all (shelf);
CREATE TABLE IF NOT EXISTS passages_all (
    id TEXT PRIMARY KEY, source TEXT, system TEXT, kind TEXT, code TEXT, codes TEXT,
    title TEXT, section TEXT, page INTEGER, trail TEXT, version TEXT, text TEXT, hash TEXT,
    ord INTEGER, edition TEXT, shelf TEXT
);
CREATE INDEX IF NOT EXISTS passages_all_shelf ON passages_all (shelf, ord);
CREATE INDEX IF NOT EXISTS passages_all_code ON passages_all (code);
CREATE INDEX IF NOT EXISTS passages_all_title ON passages_all (lower(title));
CREATE TABLE IF NOT EXISTS edits_all (
    kind TEXT, setting TEXT, code TEXT, other TEXT, effective INTEGER, deleted INTEGER,
    indicator TEXT, value INTEGER, rationale TEXT, line INTEGER, shelf TEXT
);
CREATE INDEX IF NOT EXISTS edits_all_code ON edits_all (kind, setting, code, other);
CREATE INDEX IF NOT EXISTS edits_all_shelf ON edits_all (shelf, line);
"""
# the lexical index; ``facet``: the passage's system and kind as words (see facet)
TOKENIZER = "porter unicode61"
FTS_TABLE = f"""CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    id UNINDEXED, title, text, shelf UNINDEXED, facet, tokenize = '{TOKENIZER}'
)"""
SCHEMA += FTS_TABLE + ";\n"
# each table of rows read by code, passage or index line, and its view of the editions in use
# (``seq``: the row's order of storage, as a view has no rowid)
EDITIONED = ("codes", "notes", "index_entries", "crosswalk", "passages")
# (``+shelf``: a read by id, key or code must go by that index, not walk every row of the shelves
# in use, which SQLite otherwise picks: 90 ms instead of 3 for 600 ids)
VIEWS = {
    # the newest loaded edition of each source: what every read sees unless it names editions
    "in_use": "CREATE VIEW in_use AS SELECT shelf FROM sources WHERE (name, edition) IN "
    "(SELECT name, max(edition) FROM sources GROUP BY name)",
    **{
        name: f"CREATE VIEW {name} AS SELECT rowid AS seq, * FROM {name}_all "
        "WHERE +shelf IN (SELECT shelf FROM in_use)"
        for name in EDITIONED
    },
}
SOURCE_COLUMNS = (
    "shelf", "name", "edition", "version", "path", "checksum", "loader", "records", "passages",
    "loaded_at",
)  # fmt: skip
CODE_COLUMNS = (
    "system", "key", "code", "title", "short_title", "billable", "level", "parent", "source",
    "version", "edition", "shelf",
)  # fmt: skip
NOTE_COLUMNS = ("system", "key", "kind", "text", "source", "shelf")
INDEX_COLUMNS = ("source", "path", "code", "col", "see", "see_also", "shelf")
CROSSWALK_COLUMNS = (
    "source", "from_system", "from_key", "to_system", "to_key", "flags", "shelf",
)  # fmt: skip
PASSAGE_COLUMNS = (
    "id", "source", "system", "kind", "code", "codes", "title", "section", "page", "trail",
    "version", "text", "hash", "ord", "edition", "shelf",
)  # fmt: skip
FTS_COLUMNS = ("id", "title", "text", "shelf", "facet")


def facet(system: str | None, kind: str | None) -> str:
    """The words a passage's system and kind are indexed as, in the lexical index's ``facet``
    column: a filtered BM25 query matches them first ("kindguideline" picks 519 passages of
    186k), which spares scoring every passage the question's words match (40 -> 2 ms)."""
    words = [f"kind{kind}" if kind else "", f"system{system}" if system else ""]
    return " ".join(re.sub(r"[^a-z0-9]", "", w.lower()) for w in words if w)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    if single_edition_layout(conn):
        migrate(conn)
    conn.executescript(SCHEMA)
    if not has_facets(conn):
        add_facets(conn)
    write_views(conn)
    return conn


def has_facets(conn: sqlite3.Connection) -> bool:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(passages_fts)")}
    return "facet" in columns


def add_facets(conn: sqlite3.Connection) -> None:
    """Rebuild a lexical index written before it had a ``facet`` column, from its own rows and
    the passages' fields, in one transaction (about 6 s for the full corpus). Nothing is read
    again from the files; a kill halfway leaves the old index whole."""
    conn.create_function("facet", 2, facet, deterministic=True)
    conn.execute("BEGIN")
    try:
        conn.execute(FTS_TABLE.replace("passages_fts", "passages_fts_new"))
        conn.execute(
            "INSERT INTO passages_fts_new (rowid, id, title, text, shelf, facet) "
            "SELECT f.rowid, f.id, f.title, f.text, f.shelf, facet(p.system, p.kind) "
            "FROM passages_fts f JOIN passages_all p ON p.id = f.id"
        )
        conn.execute("DROP TABLE passages_fts")
        conn.execute("ALTER TABLE passages_fts_new RENAME TO passages_fts")
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def write_views(conn: sqlite3.Connection) -> None:
    """Create the views, or replace those a catalog holds in an older form."""
    held = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    if all(held.get(name) == sql for name, sql in VIEWS.items()):
        return
    with conn:
        for name in [*EDITIONED, "in_use"]:
            conn.execute(f"DROP VIEW IF EXISTS {name}")
        for sql in VIEWS.values():
            conn.execute(sql)


def single_edition_layout(conn: sqlite3.Connection) -> bool:
    """A catalog written by a medcode that kept one edition per source (its ``codes`` is a
    table, not a view)."""
    row = conn.execute("SELECT type FROM sqlite_master WHERE name = 'codes'").fetchone()
    return row is not None and row[0] == "table"


def migrate(conn: sqlite3.Connection) -> None:
    """Move a single-edition catalog's rows into the editions layout in one transaction: each
    source becomes the edition its version names, each passage id gains that edition (as new
    loads name them). Nothing is read again from the files; the lexical index is rebuilt from
    the passages."""
    conn.create_function("edition_of", 1, edition_name, deterministic=True)
    conn.create_function("shelf_of", 2, shelf_name, deterministic=True)
    old = ("sources", *EDITIONED)
    # one explicit transaction: Python's sqlite3 would run each ALTER and CREATE on its own,
    # and executescript commits first; a failure or a kill halfway leaves the old layout whole
    conn.execute("BEGIN")
    try:
        move(conn, old)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def move(conn: sqlite3.Connection, old: tuple[str, ...]) -> None:
    """Rename the single-edition tables aside (old_*), create the editions layout, copy their
    rows into it and drop them."""
    for name in old:
        conn.execute(f"ALTER TABLE {name} RENAME TO old_{name}")
    conn.execute("DROP TABLE IF EXISTS passages_fts")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(
        "CREATE TEMP TABLE shelves AS SELECT name, edition_of(version) AS edition, "
        "shelf_of(name, edition_of(version)) AS shelf FROM old_sources"
    )
    conn.execute(
        f"INSERT INTO sources ({', '.join(SOURCE_COLUMNS)}) SELECT s.shelf, o.name, "
        "s.edition, o.version, o.path, o.checksum, o.loader, o.records, o.passages, "
        "o.loaded_at FROM old_sources o JOIN shelves s ON s.name = o.name"
    )
    # each table's columns, and what fills them: the old row's, then its edition and shelf
    carried = {
        "codes": (CODE_COLUMNS, ", ".join(CODE_COLUMNS[:10]) + ", s.edition, s.shelf"),
        "notes": (NOTE_COLUMNS, ", ".join(NOTE_COLUMNS[:5]) + ", s.shelf"),
        "index_entries": (INDEX_COLUMNS, ", ".join(INDEX_COLUMNS[:6]) + ", s.shelf"),
        "crosswalk": (CROSSWALK_COLUMNS, ", ".join(CROSSWALK_COLUMNS[:6]) + ", s.shelf"),
        "passages": (
            PASSAGE_COLUMNS,
            "CASE s.edition WHEN '' THEN o.id ELSE o.id || '@' || s.edition END, "
            + ", ".join(PASSAGE_COLUMNS[1:14])
            + ", s.edition, s.shelf",
        ),
    }
    for name, (columns, selected) in carried.items():
        conn.execute(
            f"INSERT INTO {name}_all ({', '.join(columns)}) SELECT {selected} "
            f"FROM old_{name} o JOIN shelves s ON s.name = o.source"
        )
    conn.create_function("facet", 2, facet, deterministic=True)
    conn.execute(
        "INSERT INTO passages_fts (id, title, text, shelf, facet) SELECT id, title, "
        "CASE WHEN trail IS NULL OR trail = '' THEN text ELSE trail || char(10) || text END, "
        "shelf, facet(system, kind) FROM passages_all"
    )
    for name in old:
        conn.execute(f"DROP TABLE old_{name}")
    conn.execute("DROP TABLE shelves")


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
        delete_source(conn, data.shelf)
        insert_codes(conn, data)
        insert_passages(conn, data)
        insert_edits(conn, data)
        source = {
            "shelf": data.shelf,
            "name": data.source,
            "edition": data.edition,
            "version": data.version,
            "path": data.path,
            "checksum": data.checksum,
            "loader": loader,
            "records": data.records,
            "passages": len(data.passages),
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        conn.execute(insert("sources", SOURCE_COLUMNS), source)
        conn.execute(
            "INSERT OR REPLACE INTO pending_vectors (shelf, source) VALUES (?, ?)",
            (data.shelf, data.source),
        )


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the BM25 index's segments: replacing sources leaves FTS5 with many small ones,
    and every query reads them all (search p50 30.7 -> 26.7 ms on the full corpus after a
    reload of every source; the merge took 0.8 s)."""
    with conn:
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")


def delete_source(conn: sqlite3.Connection, shelf: str) -> None:
    """Remove one edition of one source; its other editions stay."""
    conn.execute("DELETE FROM passages_fts WHERE shelf = ?", (shelf,))
    tables = [f"{name}_all" for name in EDITIONED] + ["edits_all", "sources", "pending_vectors"]
    for table in tables:
        conn.execute(f"DELETE FROM {table} WHERE shelf = ?", (shelf,))


def insert_codes(conn: sqlite3.Connection, data: SourceData) -> None:
    conn.executemany(
        insert("codes_all", CODE_COLUMNS, replace=True),
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
                "edition": data.edition,
                "shelf": data.shelf,
            }
            for c in data.codes
        ],
    )
    conn.executemany(
        insert("notes_all", NOTE_COLUMNS),
        [
            {"system": n.system, "key": to_key(n.code), "kind": n.kind, "text": n.text,
             "source": data.source, "shelf": data.shelf}
            for n in data.notes
        ],
    )  # fmt: skip
    conn.executemany(
        insert("index_entries_all", INDEX_COLUMNS),
        [
            {"source": data.source, "path": e.path, "code": e.code, "col": e.column,
             "see": e.see, "see_also": e.see_also, "shelf": data.shelf}
            for e in data.index
        ],
    )  # fmt: skip
    conn.executemany(
        insert("crosswalk_all", CROSSWALK_COLUMNS),
        [
            {"source": data.source, "from_system": x.from_system,
             "from_key": to_key(x.from_code), "to_system": x.to_system,
             "to_key": to_key(x.to_code), "flags": x.flags, "shelf": data.shelf}
            for x in data.crosswalk
        ],
    )  # fmt: skip


EDIT_COLUMNS = (
    "kind", "setting", "code", "other", "effective", "deleted", "indicator", "value",
    "rationale", "line", "shelf",
)  # fmt: skip


def insert_edits(conn: sqlite3.Connection, data: SourceData) -> None:
    shelf = data.shelf
    conn.executemany(
        insert("edits_all", EDIT_COLUMNS),
        ({**asdict(e), "shelf": shelf} for e in data.edits),
    )


def insert_passages(conn: sqlite3.Connection, data: SourceData) -> None:
    conn.executemany(
        insert("passages_all", PASSAGE_COLUMNS, replace=True),
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
                "edition": p.edition,
                "shelf": p.shelf,
            }
            for order, p in enumerate(data.passages)
        ],
    )
    conn.executemany(
        insert("passages_fts", FTS_COLUMNS),
        [
            {
                "id": p.id,
                "title": p.title,
                "text": searchable(p),
                "shelf": p.shelf,
                "facet": facet(p.system, p.kind),
            }
            for p in data.passages
        ],
    )


def searchable(passage: Passage) -> str:
    """The text BM25 indexes: a passage's heading trail too, where it has one. A guideline's
    words are ruled by its section: "Section IV ... for Outpatient Services > H. Uncertain
    diagnosis" is the outpatient rule, though its own text never says "outpatient"."""
    return f"{passage.trail}\n{passage.text}" if passage.trail else passage.text
