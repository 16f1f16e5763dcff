"""The SQLite catalog: codes, hierarchy, notes, index entries, crosswalk, sources, passages.

The lexical index (FTS5, BM25) lives in the same file so that one transaction updates both.
"""

from __future__ import annotations

import copy
import difflib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant import codes as codeforms
from assistant.errors import UnknownCode
from assistant.filters import Filters
from assistant.models import Passage
from assistant.schema import connect, reader
from assistant.vector_texts import title_alone


@dataclass(frozen=True)
class CodeInfo:
    system: str
    code: str
    title: str
    billable: bool
    level: str
    version: str
    source: str
    parents: list[tuple[str, str]]
    children: list[tuple[str, str]]
    notes: list[tuple[str, str, str]]  # (from code, kind, text), own notes first
    mappings: list[tuple[str, str, str]]  # (system, code, GEM flags), either direction


def row_to_passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"],
        source=row["source"],
        system=row["system"],
        kind=row["kind"],
        text=row["text"],
        version=row["version"],
        title=row["title"] or "",
        code=row["code"],
        codes=tuple(json.loads(row["codes"] or "[]")),
        section=row["section"],
        page=row["page"],
        trail=row["trail"],
        edition=row["edition"] or "",
    )


FILTER_FIELDS = ("system", "kind", "source", "version", "edition", "shelf")
EDITIONED_READS = (
    ("codes_table", "codes"), ("notes_table", "notes"), ("crosswalk_table", "crosswalk"),
    ("index_table", "index_entries"), ("passages_table", "passages"),
)  # fmt: skip
DOTTED = ("icd10cm", "icd9cm")
IN_BATCH = 500  # values bound in one IN (...) query, well under SQLite's limit


class Catalog:
    """One SQLite connection per thread: a server answers many requests at once, and separate
    connections let SQLite (WAL) read in parallel and release the GIL, where one shared
    connection would serialise every query.

    Reads see the editions in use (the newest loaded of each source) unless the catalog was
    narrowed to other editions with ``on_shelves`` (a date of service's)."""

    codes_table = "codes"
    notes_table = "notes"
    crosswalk_table = "crosswalk"
    index_table = "index_entries"
    passages_table = "passages"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()
        self.opened: list[sqlite3.Connection] = []
        self.lock = threading.Lock()
        self.sections: dict[tuple[str, str], dict[str, str]] = {}
        self.local.conn = connect(path)  # the first connection creates the schema
        self.opened.append(self.local.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self.local, "conn", None)
        if conn is None:
            conn = connect(self.path) if not self.opened else reader(self.path)
            self.local.conn = conn
            with self.lock:
                self.opened.append(conn)
        return conn

    def close(self) -> None:
        with self.lock:
            for conn in self.opened:
                conn.close()
            self.opened.clear()
        self.local = threading.local()

    def on_shelves(self, shelves: tuple[str, ...]) -> Catalog:
        """This catalog read as if only ``shelves`` (source editions) were loaded; itself when
        they are the ones in use (or none are named). Shares the connections."""
        if not shelves or set(shelves) == set(self.in_use()):
            return self
        narrowed = copy.copy(self)
        quoted = ",".join("'" + shelf.replace("'", "''") + "'" for shelf in shelves) or "NULL"
        for attribute, name in EDITIONED_READS:
            table = f"(SELECT rowid AS seq, * FROM {name}_all WHERE +shelf IN ({quoted}))"
            setattr(narrowed, attribute, table)
        return narrowed

    def in_use(self) -> tuple[str, ...]:
        """The source editions every default read sees: the newest loaded of each source."""
        rows = self.conn.execute("SELECT shelf FROM in_use ORDER BY shelf").fetchall()
        return tuple(str(r[0]) for r in rows)

    def editions(self) -> list[tuple[str, str, str]]:
        """(source, edition, shelf) of every loaded source edition."""
        rows = self.conn.execute(
            "SELECT name, edition, shelf FROM sources ORDER BY name, edition"
        ).fetchall()
        return [(str(r[0]), str(r[1] or ""), str(r[2])) for r in rows]

    def code_shelves(self, system: str) -> dict[str, str]:
        """{edition: shelf} of the loaded editions holding codes of ``system``."""
        rows = self.conn.execute(
            "SELECT edition, shelf FROM sources s WHERE EXISTS "
            "(SELECT 1 FROM codes_all c WHERE c.shelf = s.shelf AND c.system = ?)",
            (system,),
        ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows if r[0]}

    def code_editions(self, system: str, key: str) -> list[str]:
        """The loaded editions that hold the code, whichever is in use."""
        rows = self.conn.execute(
            "SELECT edition FROM codes_all WHERE system = ? AND key = ?", (system, key)
        ).fetchall()
        return [str(r[0]) for r in rows if r[0]]

    def edition_codes(self, system: str, shelf: str) -> dict[str, tuple[str, str]]:
        """{key: (code, title)} of the reportable codes of one loaded edition."""
        rows = self.conn.execute(
            "SELECT key, code, title FROM codes_all WHERE shelf = ? AND system = ? "
            "AND billable = 1",
            (shelf, system),
        ).fetchall()
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}

    def stamp(self) -> str:
        """Changes whenever an ingest replaces, adds or removes a source (each in one
        transaction): what was derived from the catalog is then out of date."""
        row = self.conn.execute(
            "SELECT group_concat(shelf || ' ' || checksum || ' ' || loaded_at, ';') FROM "
            "(SELECT * FROM sources ORDER BY shelf)"
        ).fetchone()
        return str(row[0] or "")

    def titles(self, system: str, keys: list[str]) -> dict[str, tuple[str, str]]:
        """(display code, title) of each of ``keys`` the catalog holds, in one pass."""
        rows = self.code_rows(system, keys, "key, code, title")
        return {r["key"]: (r["code"], r["title"]) for r in rows}

    def code_rows(
        self, system: str, keys: list[str], columns: str, where: str = ""
    ) -> Iterator[sqlite3.Row]:
        """``columns`` of the codes of one system with one of ``keys`` (and ``where``), read
        a batch of keys a query."""
        for start in range(0, len(keys), IN_BATCH):
            part = keys[start : start + IN_BATCH]
            yield from self.conn.execute(
                f"SELECT {columns} FROM {self.codes_table} WHERE system = ? {where} "
                f"AND key IN ({','.join('?' * len(part))})",
                [system, *part],
            )

    def sources(self) -> list[dict[str, object]]:
        rows = self.conn.execute("SELECT * FROM sources ORDER BY name, edition").fetchall()
        return [dict(row) for row in rows]

    def find(self, raw: str, written: bool = False) -> list[sqlite3.Row]:
        """Rows of every system holding the code, the likeliest system first; ``written``:
        ``raw`` comes from an answer's own text, where the form decides (see as_written)."""
        key = codeforms.to_key(raw)
        rows = self.conn.execute(
            f"SELECT * FROM {self.codes_table} WHERE key = ?", (key,)
        ).fetchall()
        order = codeforms.as_written(raw) if written else codeforms.systems_for(raw)
        if "." in raw:  # only ICD-10-CM and ICD-9-CM print a dot: J30.90 is never J3090
            rows = [r for r in rows if r["system"] in DOTTED]
        return sorted(rows, key=lambda r: order.index(r["system"]) if r["system"] in order else 9)

    def lookup(self, raw: str) -> CodeInfo:
        rows = self.find(raw)
        if not rows:
            raise UnknownCode(raw.strip(), self.closest(raw))
        return self.describe(rows[0])

    def brief(self, raw: str) -> CodeInfo:
        """A code's own row and its parent (no children, notes or crosswalk): enough for one
        line and its citation."""
        rows = self.find(raw, written=True)
        if not rows:
            raise UnknownCode(raw.strip(), self.closest(raw))
        return self.describe(rows[0], whole=False)

    def reportable_keys(self, system: str) -> list[str]:
        """The keys of every reportable (billable) code of a system."""
        rows = self.conn.execute(
            f"SELECT key FROM {self.codes_table} WHERE system = ? AND billable = 1", (system,)
        ).fetchall()
        return [r["key"] for r in rows]

    def expansions(self, system: str, code: str) -> list[tuple[str, str]]:
        """(code, title) of the billable 7th-character codes built on ``code``."""
        rows = self.conn.execute(
            f"SELECT key, code, title FROM {self.codes_table} WHERE system = ? AND parent = ? "
            "AND length(key) = 7 AND billable = 1",
            (system, codeforms.to_key(code)),
        ).fetchall()
        # sorted here: ORDER BY key led SQLite to walk the whole primary key, 17 ms a call
        return [(r["code"], r["title"]) for r in sorted(rows, key=lambda r: r["key"])]

    def describe(self, row: sqlite3.Row, whole: bool = True) -> CodeInfo:
        """The code with its ancestors, children, notes and crosswalk; not ``whole``: with
        its parent only."""
        system, key = row["system"], row["key"]
        parents = self.ancestors(system, key)[: None if whole else 1]
        # sorted here: ORDER BY key has SQLite walk the system's whole primary key (30 ms)
        # rather than take the parent index
        children = (
            sorted(
                self.conn.execute(
                    f"SELECT key, code, title FROM {self.codes_table} "
                    "WHERE system = ? AND parent = ?",
                    (system, key),
                ).fetchall(),
                key=lambda r: r["key"],
            )
            if whole
            else []
        )
        return CodeInfo(
            system=system,
            code=row["code"],
            title=row["title"],
            billable=bool(row["billable"]),
            level=row["level"],
            version=row["version"],
            source=row["source"],
            parents=[(r["code"], r["title"]) for r in parents],
            children=[(r["code"], r["title"]) for r in children],
            notes=self.notes(
                system, [(key, row["code"])] + [(r["key"], r["code"]) for r in parents]
            )
            if whole
            else [],
            mappings=self.mappings(system, key) if whole else [],
        )

    def mappings(self, system: str, key: str) -> list[tuple[str, str, str]]:
        forward = self.conn.execute(
            f"SELECT to_system AS s, to_key AS k, flags FROM {self.crosswalk_table} "
            "WHERE from_system = ? AND from_key = ? AND to_key != ''",
            (system, key),
        ).fetchall()
        backward = self.conn.execute(
            f"SELECT from_system AS s, from_key AS k, flags FROM {self.crosswalk_table} "
            "WHERE to_system = ? AND to_key = ?",
            (system, key),
        ).fetchall()
        return [
            (r["s"], codeforms.display(r["s"], r["k"]), r["flags"]) for r in [*forward, *backward]
        ]

    def ancestors(self, system: str, key: str) -> list[sqlite3.Row]:
        chain: list[sqlite3.Row] = []
        parent = self.parent_key(system, key)
        while parent is not None and len(chain) < 12:
            row = self.conn.execute(
                f"SELECT * FROM {self.codes_table} WHERE system = ? AND key = ?", (system, parent)
            ).fetchone()
            if row is None:
                break
            chain.append(row)
            parent = row["parent"]
        return chain

    def chapter(self, system: str, key: str) -> str | None:
        """The name of the chapter a code lies in ("19"), or None."""
        for row in self.ancestors(system, key):
            if row["level"] == "chapter":
                return str(row["code"])
        return None

    def parent_key(self, system: str, key: str) -> str | None:
        row = self.conn.execute(
            f"SELECT parent FROM {self.codes_table} WHERE system = ? AND key = ?", (system, key)
        ).fetchone()
        return row["parent"] if row else None

    def notes(self, system: str, codes: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """Notes of each (key, display) code in order: the code's own, then its ancestors'."""
        out: list[tuple[str, str, str]] = []
        for key, display in codes:
            rows = self.conn.execute(
                f"SELECT kind, text FROM {self.notes_table} WHERE system = ? AND key = ? "
                "ORDER BY seq",
                (system, key),
            ).fetchall()
            out += [(display, r["kind"], r["text"]) for r in rows]
        return out

    def closest(self, raw: str, limit: int = 5) -> list[str]:
        key = codeforms.to_key(raw)
        if not key:
            return []
        candidates = [
            r["key"]
            for r in self.conn.execute(
                f"SELECT key FROM {self.codes_table} WHERE key LIKE ? AND level != 'chapter'",
                (key[:2] + "%",),
            )
        ]
        if not candidates:
            candidates = [
                r["key"]
                for r in self.conn.execute(
                    f"SELECT key FROM {self.codes_table} WHERE key LIKE ?", (key[:1] + "%",)
                )
            ]
        best = difflib.get_close_matches(key, candidates, n=limit, cutoff=0.5)
        rows = [self.find(k)[0] for k in best]
        return [r["code"] for r in rows]

    def code_count(self, system: str | None = None) -> int:
        if system is None:
            return int(self.conn.execute(f"SELECT count(*) FROM {self.codes_table}").fetchone()[0])
        query = f"SELECT count(*) FROM {self.codes_table} WHERE system = ?"
        return int(self.conn.execute(query, (system,)).fetchone()[0])

    def passage(self, passage_id: str) -> Passage | None:
        row = self.conn.execute("SELECT * FROM passages_all WHERE id = ?", (passage_id,)).fetchone()
        return row_to_passage(row) if row else None

    def passages(self, ids: list[str]) -> dict[str, Passage]:
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT * FROM passages_all WHERE id IN ({marks})", ids)
        return {row["id"]: row_to_passage(row) for row in rows}

    def pointed_codes(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        """(system, code) of each of the passages ``ids`` that names a code (an index line's
        code is where it points), read without the passages' text."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, system, code FROM passages_all WHERE id IN ({marks}) AND code != ''",
            ids,
        )
        return {row["id"]: (row["system"], row["code"]) for row in rows}

    def filter_fields(self, ids: list[str], table: str = "passages") -> dict[str, tuple[str, ...]]:
        """What search filters on (FILTER_FIELDS, in order) for each passage that exists (in
        ``table``: those in use, or ``passages_all``), read from the catalog: much cheaper than
        having Chroma return its metadata."""
        marks = ",".join("?" * len(ids))
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: a few hundred rows a query, built fast
        rows = cursor.execute(
            f"SELECT id, {', '.join(FILTER_FIELDS)} FROM {table} WHERE id IN ({marks})", ids
        )
        return {row[0]: row[1:] for row in rows}

    def title_alone(self, ids: list[str], table: str = "passages") -> set[str]:
        """Those of ``ids`` whose one vector is in the title collection (vector_texts)."""
        found: set[str] = set()
        cursor = self.conn.cursor()
        cursor.row_factory = None
        for start in range(0, len(ids), IN_BATCH):
            batch = ids[start : start + IN_BATCH]
            rows = cursor.execute(
                f"SELECT id, kind, code, title, text FROM {table} "
                f"WHERE kind = 'code' AND id IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update(
                pid
                for pid, kind, code, title, text in rows
                if title_alone(kind, code, title, text or "")
            )
        return found

    def fields_where(
        self, field: str, value: str, table: str, limit: int
    ) -> dict[str, tuple[str, ...]] | None:
        """The filter fields (as filter_fields) of every passage of ``table`` whose ``field``
        is ``value``; None when there are more than ``limit``."""
        if field not in FILTER_FIELDS:
            raise ValueError(f"field: {field!r} is not one of {', '.join(FILTER_FIELDS)}")
        cursor = self.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            f"SELECT id, {', '.join(FILTER_FIELDS)} FROM {table} WHERE {field} = ? LIMIT ?",
            (value, limit + 1),
        ).fetchall()
        return None if len(rows) > limit else {row[0]: row[1:] for row in rows}

    def neighbours(self, passage_id: str) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after one passage in its source."""
        row = self.conn.execute(
            "SELECT shelf, ord FROM passages_all WHERE id = ?", (passage_id,)
        ).fetchone()
        if row is None:
            return None, None
        found = []
        for ord_ in (row["ord"] - 1, row["ord"] + 1):
            near = self.conn.execute(
                "SELECT * FROM passages_all WHERE shelf = ? AND ord = ?", (row["shelf"], ord_)
            ).fetchone()
            found.append(row_to_passage(near) if near else None)
        return found[0], found[1]

    # --- reads for retrieval and answering: every query of the core lives here ---------------

    def passing(self, ids: list[str], filters: Filters) -> list[str]:
        """``ids`` that pass the filters, in their order."""
        if not ids or not filters.items():
            return ids
        where, params = filters.sql(filters.table)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id FROM {filters.table} WHERE id IN ({marks}) {where}", [*ids, *params]
        ).fetchall()
        kept = {row["id"] for row in rows}
        return [pid for pid in ids if pid in kept]

    def titled(self, title: str, filters: Filters) -> list[str]:
        """Ids of the code passages whose title is ``title`` (any case)."""
        where, params = filters.sql(filters.table)
        rows = self.conn.execute(
            f"SELECT id FROM {filters.table} WHERE kind = 'code' AND code IS NOT NULL "
            f"AND lower(title) = ? {where}",
            [title.lower(), *params],
        ).fetchall()
        return [row["id"] for row in rows]

    def code_passages(self, system: str, code: str, filters: Filters) -> list[tuple[str, str]]:
        """(id, codes as stored) of the passages of one code, as displayed."""
        return self.codes_passages(system, [code], filters).get(code, [])

    def codes_passages(
        self, system: str, codes: list[str], filters: Filters
    ) -> dict[str, list[tuple[str, str]]]:
        """``code_passages`` of several codes of one system, in one query (a search reaches
        some 45 codes through the index): each code's rows in the order that reads them."""
        where, params = filters.sql(filters.table)
        found: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(codes), IN_BATCH):
            chunk = codes[start : start + IN_BATCH]
            rows = self.conn.execute(
                f"SELECT id, code, codes FROM {filters.table} "
                f"WHERE code IN ({','.join('?' * len(chunk))}) AND system = ? {where}",
                [*chunk, system, *params],
            )
            for row in rows:
                found.setdefault(row["code"], []).append((row["id"], row["codes"]))
        return found

    def own_passage_id(self, system: str, code: str, parent: str | None) -> str | None:
        """The passage a code is shown with: its own (a code passage before others), else its
        parent's (a 7th-character base code, or the ICD-10-PCS row that lists the code)."""
        row = self.conn.execute(
            f"SELECT id FROM {self.passages_table} WHERE code = ? AND system = ? "
            "ORDER BY kind != 'code' LIMIT 1",
            (code, system),
        ).fetchone()
        if row is None and parent:
            row = self.conn.execute(
                f"SELECT id FROM {self.passages_table} WHERE code = ? AND system = ? "
                "AND (codes LIKE ? OR system != 'icd10pcs') LIMIT 1",
                (parent, system, f'%"{code}"%'),
            ).fetchone()
        return str(row["id"]) if row else None

    def titles_like(self, system: str, pattern: str) -> list[tuple[str, str]]:
        """(code, title) of the codes of one system whose title is like ``pattern`` (SQL
        LIKE), in code order."""
        rows = self.conn.execute(
            f"SELECT code, title FROM {self.codes_table} WHERE system = ? AND title LIKE ? "
            "ORDER BY key",
            (system, pattern),
        ).fetchall()
        return [(row["code"], row["title"]) for row in rows]

    def texts_titled(self, system: str, kind: str, title: str) -> list[str]:
        """The texts of the passages of one system and kind titled ``title`` (any case)."""
        rows = self.conn.execute(
            f"SELECT text FROM {self.passages_table} WHERE lower(title) = ? AND system = ? "
            "AND kind = ?",
            (title.lower(), system, kind),
        ).fetchall()
        return [row["text"] for row in rows]

    def definition(self, system: str, title: str, axis: str) -> Passage | None:
        """The definition passage of one value of a code set's axis ("Resection", an
        ICD-10-PCS root operation: ``axis`` "Operation")."""
        row = self.conn.execute(
            f"SELECT * FROM {self.passages_table} WHERE system = ? AND kind = 'definition' "
            "AND title = ? AND text LIKE ? LIMIT 1",
            (system, title, f"%{axis} (character%"),
        ).fetchone()
        return row_to_passage(row) if row else None

    def display(self, system: str, key: str) -> str:
        """A code's display form ("E11.9" for the key "E119"); the key when it is unknown."""
        row = self.conn.execute(
            f"SELECT code FROM {self.codes_table} WHERE system = ? AND key = ?", (system, key)
        ).fetchone()
        return str(row["code"]) if row else key

    def is_header(self, system: str, key: str) -> bool:
        """A known code that is not billable (a category or subcategory)."""
        row = self.conn.execute(
            f"SELECT billable FROM {self.codes_table} WHERE system = ? AND key = ?", (system, key)
        ).fetchone()
        return row is not None and not row["billable"]

    def headers(self, system: str, keys: list[str]) -> set[str]:
        """Those of ``keys`` that are known codes and not billable (``is_header`` of each, read
        in one query a batch)."""
        return {row["key"] for row in self.code_rows(system, keys, "key", "AND billable = 0")}

    def billable_as_written(self, written: str) -> list[bool]:
        """Whether each code stored in exactly this written form is billable (any system)."""
        rows = self.conn.execute(
            f"SELECT billable FROM {self.codes_table} WHERE code = ?", (written,)
        )
        return [bool(r["billable"]) for r in rows]

    def reported_code(self, system: str, key: str) -> str | None:
        """A billable code that has a code passage of its own, as displayed."""
        row = self.conn.execute(
            f"SELECT p.code FROM {self.codes_table} c JOIN {self.passages_table} p "
            "ON p.code = c.code AND p.system = c.system "
            "WHERE c.system = ? AND c.key = ? AND c.billable = 1 AND p.kind = 'code'",
            (system, key),
        ).fetchone()
        return str(row["code"]) if row else None

    # reads of the encounter check (assistant/check)
    def code_row(self, system: str, key: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            f"SELECT * FROM {self.codes_table} WHERE system = ? AND key = ?", (system, key)
        ).fetchone()
        return row

    def holds_system(self, system: str) -> bool:
        query = f"SELECT 1 FROM {self.codes_table} WHERE system = ? LIMIT 1"
        return self.conn.execute(query, (system,)).fetchone() is not None

    def system_edition(self, system: str) -> str | None:
        """The edition of the codes of ``system`` read (the first found)."""
        query = f"SELECT edition FROM {self.codes_table} WHERE system = ? LIMIT 1"
        row = self.conn.execute(query, (system,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def billable_below(self, system: str, key: str) -> list[tuple[str, str]]:
        """(code, title) of the billable codes under a category or subcategory."""
        rows = self.conn.execute(
            f"SELECT code, title FROM {self.codes_table} WHERE system = ? AND key > ? "
            "AND key < ? AND billable = 1",
            (system, key, key + "~"),
        ).fetchall()
        return sorted((str(r["code"]), str(r["title"])) for r in rows)

    def first_code_below(self, system: str, key: str, limit: int) -> list[str]:
        rows = self.conn.execute(
            f"SELECT code FROM {self.codes_table} WHERE system = ? AND parent = ? "
            "ORDER BY key LIMIT ?",
            (system, key, limit),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def guideline_sections(self) -> dict[str, str]:
        """{section: the id of its first passage} of the guidelines read, kept until an ingest
        changes the catalog (one read of every passage takes some 60 ms)."""
        key = (self.passages_table, self.stamp())
        held = self.sections.get(key)
        if held is None:
            rows = self.conn.execute(
                f"SELECT section, id FROM {self.passages_table} WHERE kind = 'guideline' "
                "AND section IS NOT NULL ORDER BY ord DESC"
            ).fetchall()
            held = {str(r[0]): str(r[1]) for r in rows}  # the first of each section wins
            with self.lock:
                self.sections = {key: held}
        return held

    def notes_at(self, system: str, keys: list[str]) -> list[tuple[str, str, str]]:
        """(key, kind, text) of every note printed at any of ``keys``, in order."""
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT key, kind, text FROM {self.notes_table} WHERE system = ? "
            f"AND key IN ({marks}) ORDER BY seq",
            (system, *keys),
        ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def index_lines(self, source: str) -> list[tuple[str, str | None, str | None]]:
        """(path, code, "see" or "see also" target) of every line of one index source."""
        rows = self.conn.execute(
            f"SELECT path, code, coalesce(see, see_also) FROM {self.index_table} WHERE source = ?",
            (source,),
        ).fetchall()
        return [(str(r[0]), r[1], r[2]) for r in rows]

    def index_passage_id(self, path: str, code: str) -> str | None:
        """The passage of the Alphabetic Index line at ``path`` that gives ``code``."""
        row = self.conn.execute(
            "SELECT id FROM passages WHERE title = ? AND kind = 'index' AND code = ? LIMIT 1",
            (path, code),
        ).fetchone()
        return str(row[0]) if row else None

    def index_paths(self, code: str) -> list[str]:
        """The Alphabetic Index paths that lead to a code, shortest first."""
        rows = self.conn.execute(
            f"SELECT path FROM {self.index_table} WHERE code = ? ORDER BY length(path) LIMIT 20",
            (code,),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def note_texts(self, system: str, key: str, kind: str) -> list[str]:
        """The lines of one kind of note printed at one code, in order."""
        rows = self.conn.execute(
            f"SELECT text FROM {self.notes_table} WHERE system = ? AND key = ? AND kind = ? "
            "ORDER BY seq",
            (system, key, kind),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def ptp_edit(self, shelf: str, first: str, second: str, day: int) -> sqlite3.Row | None:
        """The NCCI pair in force on ``day`` (YYYYMMDD) in one loaded quarter, if any."""
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM edits_all WHERE kind = 'ptp' AND code = ? AND other = ? "
            "AND shelf = ? AND effective <= ? AND (deleted IS NULL OR deleted >= ?) "
            "ORDER BY effective DESC LIMIT 1",
            (first, second, shelf, day, day),
        ).fetchone()
        return row

    def mue_edit(self, shelf: str, code: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM edits_all WHERE kind = 'mue' AND code = ? AND shelf = ? LIMIT 1",
            (code, shelf),
        ).fetchone()
        return row

    def edit_row(self, shelf: str, line: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM edits_all WHERE shelf = ? AND line = ?", (shelf, line)
        ).fetchone()
        return row

    def guideline_texts(self) -> Iterator[sqlite3.Row]:
        """(rowid, id, text) of every guideline passage, in storage order."""
        return iter(
            self.conn.execute(
                "SELECT seq AS rowid, id, text FROM passages WHERE kind = 'guideline'"
            )
        )

    def inclusion_terms(self) -> Iterator[sqlite3.Row]:
        """(system, key, text) of every inclusion-term note."""
        return iter(
            self.conn.execute(
                f"SELECT system, key, text FROM {self.notes_table} WHERE kind = 'inclusion'"
            )
        )

    def index_systems(self) -> dict[str, str]:
        """The code system of each loaded index or table source."""
        rows = self.conn.execute(
            "SELECT DISTINCT source, system FROM passages WHERE kind = 'index'"
        ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def see_references(self) -> list[sqlite3.Row]:
        """(source, path, see) of the index entries that only refer elsewhere."""
        return self.conn.execute(
            f"SELECT source, path, see FROM {self.index_table} "
            "WHERE code IS NULL AND see IS NOT NULL"
        ).fetchall()

    def coded_entries(self) -> Iterator[sqlite3.Row]:
        """(source, path, code, col) of the index entries that give a code, streamed."""
        return iter(
            self.conn.execute(
                f"SELECT source, path, code, col FROM {self.index_table} WHERE code IS NOT NULL"
            )
        )

    def title_and_path_texts(self) -> Iterator[str]:
        """Every code title of the code sets a question is about, then every index path."""
        rows = self.conn.execute(
            f"SELECT title FROM {self.codes_table} "
            "WHERE system IN ('icd10cm', 'icd10pcs', 'hcpcs') "
            f"UNION ALL SELECT path FROM {self.index_table}"
        )
        return (row[0] or "" for row in rows)

    def heading_texts(self) -> Iterator[str]:
        """The words that name a condition or procedure on their own: category and block
        titles, index main terms and inclusion terms."""
        rows = self.conn.execute(
            f"SELECT title FROM {self.codes_table} WHERE level IN ('category', 'block') "
            f"UNION SELECT substr(path, 1, instr(path || ' >', ' >') - 1) FROM {self.index_table} "
            f"UNION SELECT text FROM {self.notes_table} WHERE kind = 'inclusion'"
        )
        return (row[0] or "" for row in rows)

    def loaded_shelf(self, checksum: str, loader: str) -> str | None:
        """The source edition a file with this checksum was loaded into by this loader."""
        row = self.conn.execute(
            "SELECT shelf FROM sources WHERE checksum = ? AND loader = ?", (checksum, loader)
        ).fetchone()
        return None if row is None else str(row[0])

    def every_passage(self) -> list[Passage]:
        """Every passage, in storage order (benchmarks sample them)."""
        return [row_to_passage(r) for r in self.conn.execute("SELECT * FROM passages")]

    def family(self, source: str) -> Iterator[sqlite3.Row]:
        """Every passage of every loaded edition of ``source``, streamed."""
        return iter(self.conn.execute("SELECT * FROM passages_all WHERE source = ?", (source,)))

    def shelf_passages(self, shelf: str) -> list[Passage]:
        """Every passage of one source edition, in storage order."""
        sql = "SELECT * FROM passages_all WHERE shelf = ? ORDER BY ord"
        rows = self.conn.execute(sql, (shelf,))
        return [row_to_passage(r) for r in rows]

    def pending_vectors(self) -> list[tuple[str, str]]:
        """(shelf, source) of each edition written to the catalog whose vectors are not all
        stored yet, in the order they were written."""
        rows = self.conn.execute("SELECT shelf, source FROM pending_vectors ORDER BY rowid")
        return [(str(r[0]), str(r[1])) for r in rows]

    def vectors_stored(self, shelf: str) -> None:
        """Every vector of ``shelf`` is in the vector store."""
        with self.conn:
            self.conn.execute("DELETE FROM pending_vectors WHERE shelf = ?", (shelf,))

    def other_editions_ids(self, source: str, shelf: str) -> set[str]:
        """Ids of the passages of ``source``'s editions other than ``shelf``."""
        rows = self.conn.execute(
            "SELECT id FROM passages_all WHERE source = ? AND shelf != ?", (source, shelf)
        )
        return {str(r[0]) for r in rows}
