"""The Alphabetic Index read the way a coder reads it: find the entry whose path holds every word
of the condition, preferring the entry that adds the fewest words of its own. Words in
parentheses are nonessential modifiers: they may match, and cost nothing when they do not.
"Anemia" lands on the main term "Anemia (essential) (general) ... -> D64.9", the default a
coder would pick, and "hives" follows "see Urticaria" to the urticaria code."""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
from array import array
from collections import defaultdict
from dataclasses import dataclass

from assistant.catalog import Catalog

STOP = frozenset(
    "a an and are as at be by for from in into is of on or the to with without due other than "
    "what which code codes coding".split()
)
SUFFIXES = ("ations", "ation", "ically", "ical", "ive", "ions", "ion", "ic", "ia", "es", "s", "y")
COMMON = 1500  # entries holding a word: past this, the word does not pick candidates


def stem(word: str) -> str:
    """A light stemmer: diabetes/diabetic, hypertension/hypertensive, anemia/anemic agree."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}


def interned(words: set[str]) -> tuple[str, ...]:
    return tuple(sys.intern(w) for w in sorted(words))


@dataclass(frozen=True, slots=True)
class Entry:
    """Compact on purpose: a full corpus holds about 140,000 entries."""

    system: str
    code: str
    essential: tuple[str, ...]
    every: tuple[str, ...]
    level: int


class IndexLookup:
    """Built from the catalog's index entries on first use, once per catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entries: list[Entry] = []
        self.postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        self.built = False
        self.lock = threading.Lock()

    def find(self, text: str, system: str | None = None, limit: int = 20) -> list[tuple[str, str]]:
        """(system, code) pairs, best first."""
        return self.search(text, system, limit)[0]

    def search(
        self, text: str, system: str | None = None, limit: int = 20
    ) -> tuple[list[tuple[str, str]], bool]:
        """(system, code) pairs, best first, and whether the best entry is whole: it holds
        every word of the query and adds no essential word of its own."""
        self.build()
        wanted = stems(text)
        if not wanted:
            return [], False
        found = self.candidates(wanted)
        ranked = sorted(found, key=lambda i: self.rank(self.entries[i], wanted))
        whole = False
        out: list[tuple[str, str]] = []
        for i in ranked:
            entry = self.entries[i]
            pair = (entry.system, entry.code)
            if (system is None or entry.system == system) and pair not in out:
                whole = whole or (not out and self.rank(entry, wanted)[:2] == (-1.0, 0))
                out.append(pair)
            if len(out) >= limit:
                break
        return out, whole

    def candidates(self, wanted: set[str]) -> set[int]:
        """Entries holding the query's rarest word, or its next rarest unless that one is
        common: an entry that covers the whole query holds them all, and scoring every entry
        that merely says "acute" is what would make this slow."""
        rare = sorted(wanted, key=lambda w: len(self.postings.get(w, ())))
        found = set(self.postings.get(rare[0], ()))
        if len(rare) > 1 and len(self.postings.get(rare[1], ())) <= COMMON:
            found.update(self.postings.get(rare[1], ()))
        return found

    @staticmethod
    def rank(entry: Entry, wanted: set[str]) -> tuple[float, int, int]:
        covered = sum(w in wanted for w in entry.every) / len(wanted)
        extra = sum(w not in wanted for w in entry.essential)
        return (-covered, extra, entry.level)

    def build(self) -> None:
        """Rows are streamed, not fetched whole: holding them all at once leaves the process
        some hundred megabytes larger for good."""
        with self.lock:
            if self.built:
                return
            conn = self.catalog.conn
            systems = dict(
                conn.execute(
                    "SELECT DISTINCT source, system FROM passages WHERE kind = 'index'"
                ).fetchall()
            )
            mains = main_terms(conn)
            for row in conn.execute("SELECT source, path, code, col, see FROM index_entries"):
                code = row["code"] or (row["see"] and see_target(mains, row["source"], row["see"]))
                if code and row["source"] in systems:
                    self.add(systems[row["source"]], str(code), row["path"], row["col"])
            self.built = True

    def add(self, system: str, code: str, path: str, column: str | None) -> None:
        words = f"{path} {column or ''}"
        entry = Entry(
            sys.intern(system),
            sys.intern(code.rstrip("-").rstrip(".")),
            interned(stems(re.sub(r"\([^)]*\)", " ", words))),
            interned(stems(words)),
            path.count(" > "),
        )
        for word in entry.every:
            self.postings[word].append(len(self.entries))
        self.entries.append(entry)


def main_terms(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """Each source's main terms (paths of one level) that carry a code, by their bare name."""
    found: dict[tuple[str, str], str] = {}
    rows = conn.execute(
        "SELECT source, path, code FROM index_entries "
        "WHERE code IS NOT NULL AND instr(path, ' > ') = 0"
    )
    for row in rows:
        name = re.sub(r"\s*\(.*", "", row["path"]).lower()
        found.setdefault((row["source"], name), row["code"])
    return found


def see_target(mains: dict[tuple[str, str], str], source: str, see: str) -> str | None:
    """The code of the main term a "see" reference names ("Urticaria", "Disease, heart")."""
    see = see.lower().strip()
    return mains.get((source, see)) or mains.get((source, see.split(",")[0].strip()))
