"""A catalog written before editions (one edition per source, a ``codes`` table) is moved into
the editions layout when opened: nothing is lost, ids gain their edition, BM25 still finds it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.filters import Filters
from assistant.lexical import LexicalIndex

OLD_LAYOUT = """
CREATE TABLE sources (name TEXT PRIMARY KEY, version TEXT, path TEXT, checksum TEXT,
    loader TEXT, records INTEGER, passages INTEGER, loaded_at TEXT);
CREATE TABLE codes (system TEXT, key TEXT, code TEXT, title TEXT, short_title TEXT,
    billable INTEGER, level TEXT, parent TEXT, source TEXT, version TEXT,
    PRIMARY KEY (system, key));
CREATE INDEX codes_parent ON codes (system, parent);
CREATE TABLE notes (system TEXT, key TEXT, kind TEXT, text TEXT, source TEXT);
CREATE TABLE index_entries (source TEXT, path TEXT, code TEXT, col TEXT, see TEXT,
    see_also TEXT);
CREATE TABLE crosswalk (source TEXT, from_system TEXT, from_key TEXT, to_system TEXT,
    to_key TEXT, flags TEXT);
CREATE TABLE passages (id TEXT PRIMARY KEY, source TEXT, system TEXT, kind TEXT, code TEXT,
    codes TEXT, title TEXT, section TEXT, page INTEGER, trail TEXT, version TEXT, text TEXT,
    hash TEXT, ord INTEGER);
CREATE VIRTUAL TABLE passages_fts USING fts5(id UNINDEXED, title, text,
    tokenize = 'porter unicode61');
INSERT INTO sources VALUES ('icd10cm-tabular', 'FY2026', '/x.xml', 'c1', 'icd10cm-tabular@4',
    2, 1, '2026-11-01T00:00:00+00:00');
INSERT INTO sources VALUES ('my-policy', 'ab12', '/p.md', 'c2', 'document@4', 1, 1,
    '2026-11-01T00:00:00+00:00');
INSERT INTO codes VALUES ('icd10cm', 'E11', 'E11', 'Type 2 diabetes mellitus', NULL, 0,
    'category', NULL, 'icd10cm-tabular', 'FY2026');
INSERT INTO codes VALUES ('icd10cm', 'E119', 'E11.9', 'Type 2 diabetes mellitus without
    complications', NULL, 1, 'code', 'E11', 'icd10cm-tabular', 'FY2026');
INSERT INTO notes VALUES ('icd10cm', 'E11', 'includes', 'first note', 'icd10cm-tabular');
INSERT INTO notes VALUES ('icd10cm', 'E11', 'excludes1', 'second note', 'icd10cm-tabular');
INSERT INTO passages VALUES ('icd10cm-tabular:aaa', 'icd10cm-tabular', 'icd10cm', 'code',
    'E11.9', '["E11.9"]', 'Type 2 diabetes mellitus without complications', NULL, NULL,
    'Chapter 4', 'FY2026', 'E11.9 Type 2 diabetes mellitus without complications', 'h1', 0);
INSERT INTO passages VALUES ('my-policy:bbb', 'my-policy', 'none', 'document', NULL, '[]',
    'Payer policy', NULL, 1, NULL, 'ab12', 'Glucose monitors are covered twice a year', 'h2', 0);
INSERT INTO passages_fts VALUES ('icd10cm-tabular:aaa', 'Type 2 diabetes mellitus',
    'E11.9 Type 2 diabetes mellitus without complications');
INSERT INTO passages_fts VALUES ('my-policy:bbb', 'Payer policy',
    'Glucose monitors are covered twice a year');
"""


def test_an_old_catalog_is_moved_into_editions(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_LAYOUT)
    catalog = Catalog(path)
    assert catalog.editions() == [
        ("icd10cm-tabular", "FY2026", "icd10cm-tabular@FY2026"),
        ("my-policy", "", "my-policy"),  # a document has one edition: its id is unchanged
    ]
    info = catalog.lookup("E11.9")
    assert info.title.startswith("Type 2 diabetes") and info.parents == [
        ("E11", "Type 2 diabetes mellitus")
    ]
    assert [kind for _, kind, _ in info.notes] == ["includes", "excludes1"]  # order kept
    assert catalog.passage("icd10cm-tabular:aaa@FY2026") is not None
    assert catalog.passage("icd10cm-tabular:aaa") is None
    policy = catalog.passage("my-policy:bbb")
    assert policy is not None and policy.edition == "" and policy.shelf == "my-policy"
    bm25 = LexicalIndex(catalog)
    assert [pid for pid, _ in bm25.search("glucose monitors", 5, Filters())] == ["my-policy:bbb"]
    found = bm25.search("diabetes complications", 5, Filters(edition="FY2026"))
    assert [pid for pid, _ in found] == ["icd10cm-tabular:aaa@FY2026"]
    catalog.close()
    again = Catalog(path)  # opened again: already moved, nothing changes
    assert len(again.editions()) == 2 and again.lookup("E11.9").code == "E11.9"
    kinds = dict(again.conn.execute("SELECT name, type FROM sqlite_master WHERE name = 'codes'"))
    assert kinds == {"codes": "view"}


def test_a_move_that_fails_halfway_leaves_the_old_catalog_whole(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    broken = (
        OLD_LAYOUT.replace("hash TEXT, ord INTEGER);", "hash TEXT);")
        .replace("'h1', 0);", "'h1');")
        .replace("'h2', 0);", "'h2');")
    )  # a passages table without its order: the copy fails
    with sqlite3.connect(path) as conn:
        conn.executescript(broken)
    with pytest.raises(sqlite3.OperationalError, match="ord"):
        Catalog(path)
    with sqlite3.connect(path) as conn:
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE name = 'codes'"))
        assert kinds == {"codes": "table"}
        assert conn.execute("SELECT count(*) FROM codes").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 2
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert not {"codes_all", "old_codes", "passages_all"} & tables


def test_a_lexical_index_without_facets_gains_them_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_LAYOUT)
    Catalog(path).close()  # moved into the editions layout, facets and all
    with sqlite3.connect(path) as conn:  # then its lexical index as an older medcode wrote it
        conn.executescript(
            "DROP TABLE passages_fts; CREATE VIRTUAL TABLE passages_fts USING fts5(id "
            "UNINDEXED, title, text, shelf UNINDEXED, tokenize = 'porter unicode61');"
            "INSERT INTO passages_fts (id, title, text, shelf) "
            "SELECT id, title, text, shelf FROM passages_all;"
        )
    catalog = Catalog(path)
    facets = dict(catalog.conn.execute("SELECT id, facet FROM passages_fts").fetchall())
    assert facets == {
        "icd10cm-tabular:aaa@FY2026": "kindcode systemicd10cm",
        "my-policy:bbb": "kinddocument systemnone",
    }
    bm25 = LexicalIndex(catalog)
    # a filtered search matches the facet first: the wrong kind finds nothing, the right one
    # finds the passage
    assert bm25.search("glucose monitors", 5, Filters(kind="code")) == []
    found = bm25.search("glucose monitors", 5, Filters(kind="document"))
    assert [pid for pid, _ in found] == ["my-policy:bbb"]
    assert bm25.search("diabetes", 5, Filters(system="icd10cm", kind="code"))[0][0] == (
        "icd10cm-tabular:aaa@FY2026"
    )
