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
from functools import cache

from assistant.catalog import Catalog
from assistant.text import stems
from assistant.tuning import GRAFTED, LOOKUP_COMMON, LOOKUP_RARE

TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def interned(words: set[str]) -> tuple[str, ...]:
    """One tuple object per set of words (main terms repeat on thousands of entries)."""
    key = tuple(sys.intern(w) for w in sorted(words))
    return TUPLES.setdefault(key, key)


@dataclass(frozen=True, slots=True)
class Entry:
    """Compact on purpose: a full corpus holds about 140,000 entries."""

    system: str
    code: str
    essential: tuple[str, ...]
    every: tuple[str, ...]
    level: int
    main: tuple[str, ...]  # the essential words of the main term the path starts from
    head: str  # that main term as printed
    said: tuple[str, ...]  # the essential words below the main term, and those a "see" implies
    denies: tuple[str, ...]  # the words a "without" in the path says are absent


class IndexLookup:
    """Built from the catalog's index entries on first use, once per catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entries: list[Entry] = []
        self.postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        self.mains: dict[str, array[int]] = defaultdict(lambda: array("I"))
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
        # ties go to the entry the index prints first (grafted entries come last); the keys
        # are built once, not by a key function (some 300 candidates a query)
        entries, rank, size = self.entries, self.rank, len(wanted)
        ranked = sorted((*rank(entries[i], wanted), i) for i in self.candidates(wanted))
        whole = False
        out: list[tuple[str, str]] = []
        for covered, extra, _, i in ranked:
            entry = entries[i]
            pair = (entry.system, entry.code)
            if (system is None or entry.system == system) and pair not in out:
                whole = whole or (not out and -covered == size and extra == 0)
                out.append(pair)
            if len(out) >= limit:
                break
        return out, whole

    def under(self, text: str, main: set[str], system: str) -> list[Entry]:
        """The entries of one system under the main terms a word of ``main`` names, best
        first for the text, for a caller that judges each entry's words itself (the note
        coder reads "diabetes ... with stage 3a chronic kidney disease" under "Diabetes")."""
        self.build()
        wanted = stems(text)
        found = {i for word in main for i in self.mains.get(word, ())}

        def rank(i: int) -> tuple[int, ...]:
            # the entry whose own words say most of the text, then as for a query
            entry = self.entries[i]
            return (-sum(w in wanted for w in entry.essential), *self.rank(entry, wanted), i)

        ranked = sorted(found, key=rank)
        return [self.entries[i] for i in ranked if self.entries[i].system == system]

    def candidates(self, wanted: set[str]) -> set[int]:
        """Entries holding the query's rarest word, its next rarest unless that one is common,
        or any other rare word: an entry that covers the whole query holds them all, and
        scoring every entry that merely says "acute" is what would make this slow. The other
        rare words matter when the rarest names the wrong main term: in "need for vaccination
        against tularemia" the rarest word is "tularemia", the entry "Need > vaccination"."""
        rare = sorted(wanted, key=lambda w: len(self.postings.get(w, ())))
        found = set(self.postings.get(rare[0], ()))
        for n, word in enumerate(rare[1:]):
            holding = self.postings.get(word, ())
            if len(holding) <= (LOOKUP_COMMON if n == 0 else LOOKUP_RARE):
                found.update(holding)
        return found

    @staticmethod
    def rank(entry: Entry, wanted: set[str]) -> tuple[int, int, int]:
        """Best first: most of the query's words covered (negated), fewest essential words of
        its own, shallowest."""
        # an entry's words are distinct (built from sets): counted by set operations in C
        covered = len(wanted.intersection(entry.every))
        extra = len(entry.essential) - len(wanted.intersection(entry.essential))
        return (-covered, extra, entry.level)

    def build(self) -> None:
        """Rows are streamed, not fetched whole: holding them all at once leaves the process
        some hundred megabytes larger for good."""
        with self.lock:
            if self.built:
                return
            systems = self.catalog.index_systems()
            refs = self.catalog.see_references()
            wanted = {(r["source"], key) for r in refs for key in see_keys(r["see"])}
            coded: dict[tuple[str, str], str] = {}
            under: dict[tuple[str, str], list[int]] = defaultdict(list)
            for row in self.catalog.coded_entries():
                source = row["source"]
                if source not in systems:
                    continue
                key = bare(row["path"])
                coded.setdefault((source, key), row["code"])
                at = self.add(systems[source], row["code"], row["path"], row["col"])
                for prefix in prefixes(key):
                    if (source, prefix) in wanted:
                        under[(source, prefix)].append(at)
            for ref in refs:
                if ref["source"] in systems:
                    self.follow(systems[ref["source"]], ref, coded, under)
            self.built = True
            # the tables that made equal words one object: the entries keep what they share,
            # the tables themselves are 20 MB on the full corpus and serve the next build only
            TUPLES.clear()
            said_words.cache_clear()

    def follow(
        self,
        system: str,
        ref: sqlite3.Row,
        coded: dict[tuple[str, str], str],
        under: dict[tuple[str, str], list[int]],
    ) -> None:
        """A "see" reference leads to the entry it names ("Tuberculosis, pulmonary" is the
        sub-term "pulmonary" of "Tuberculosis"). When that entry has no code of its own but a
        few coded sub-terms ("Need > vaccination - see Vaccination", whose "encounter for"
        gives Z23), each becomes an entry under the referring path, the way a coder reads on."""
        for key in see_keys(ref["see"]):
            code = coded.get((ref["source"], key))
            if code:
                self.add(system, code, ref["path"], None)
                return
            below = under.get((ref["source"], key), [])
            if below and len(below) <= GRAFTED:
                for at in below:
                    self.graft(ref["path"], self.entries[at], key)
                return

    def graft(self, path: str, target: Entry, key: str) -> None:
        """The target's sub-term below the entry named becomes a sub-term of the path that
        names it: "Need > vaccination" + "encounter for"."""
        level = path.count(" > ") + 1
        own = set().union(*(said_words(t) for t in path.split(" > ")))
        essential = interned(stems(re.sub(r"\([^)]*\)", " ", path)) | set(target.essential))
        every = interned(stems(path) | set(target.every))
        main = main_words(path)
        said = interned((own | (set(target.essential) - stems(key))) - set(main))
        denies = interned(set(target.denies) | without(path))
        head = sys.intern(path.split(" > ")[0])
        level += target.level
        entry = Entry(target.system, target.code, essential, every, level, main, head, said, denies)
        self.append(entry)

    def add(self, system: str, code: str, path: str, column: str | None) -> int:
        words = f"{path} {column or ''}"
        main = main_words(path)
        said = set().union(*(said_words(t) for t in [*path.split(" > "), column or ""]))
        return self.append(
            Entry(
                sys.intern(system),
                sys.intern(code.rstrip("-").rstrip(".")),
                interned(stems(re.sub(r"\([^)]*\)", " ", words))),
                interned(stems(words)),
                path.count(" > "),
                main,
                sys.intern(path.split(" > ")[0]),
                interned(said - set(main)),
                interned(without(words)),
            )
        )

    def append(self, entry: Entry) -> int:
        for word in entry.every:
            self.postings[word].append(len(self.entries))
        for word in entry.main:
            self.mains[word].append(len(self.entries))
        self.entries.append(entry)
        return len(self.entries) - 1


@cache
def said_words(term: str) -> frozenset[str]:
    """The stems of the words a note must say for one term of a path (see ``either``), read
    once however many paths hold the term."""
    return frozenset(stems(either(re.sub(r"\([^)]*\)", " ", term))))


def either(term: str) -> str:
    """A term's essential words with each "X or Y" read as X, and a term printed in several
    forms ("myocardium, myocardial") read in its first: a note says "atrial fibrillation" for
    "atrial or auricular", "myocardial infarction" for "myocardium, myocardial"."""
    parts = [p.strip() for p in re.sub(r"\bor\s+[\w-]+", " ", term).split(",")]
    first = parts[0].lower()[:4]
    return " ".join([parts[0], *(p for p in parts[1:] if p.lower()[:4] != first)])


WITHOUT = re.compile(r"\bwithout\s+([^>()]*)", re.I)
WITH = re.compile(r"\bwith\s+([^>()]*)", re.I)


def without(path: str) -> set[str]:
    """The words after each "without" of a path, to the end of its term or modifier, less
    those a deeper sub-term has "with" again ("acute (without necrosis or infection) > with
    necrosis": necrosis is there)."""
    denied: set[str] = set()
    if "without" not in path.lower():
        return denied
    for term in path.split(" > "):
        denied -= {w for m in WITH.finditer(term) for w in stems(m.group(1))}
        denied |= {w for m in WITHOUT.finditer(term) for w in stems(m.group(1))}
    return denied


def main_words(path: str) -> tuple[str, ...]:
    return head_words(path.split(" > ")[0])


@cache
def head_words(head: str) -> tuple[str, ...]:
    return interned(stems(re.sub(r"\([^)]*\)", " ", head)))


def bare(path: str) -> str:
    """A path as "see" references name it: lower case, without nonessential modifiers, and the
    main term by its first form ("Tuberculosis, tubercular, tuberculous" is "tuberculosis")."""
    parts = [re.sub(r"\s*\([^)]*\)", "", part).strip().lower() for part in path.split(" > ")]
    parts[0] = parts[0].split(",")[0].strip()
    return " > ".join(parts)


def prefixes(key: str) -> list[str]:
    parts = key.split(" > ")
    return [" > ".join(parts[:n]) for n in range(1, len(parts))]


def see_keys(see: str) -> list[str]:
    """The paths a "see" text may name, most specific first: "Tuberculosis, pulmonary" is the
    sub-term "pulmonary" of the main term "Tuberculosis", else that main term itself."""
    parts = [p.strip() for p in re.sub(r"\s*\([^)]*\)", "", see).lower().split(",") if p.strip()]
    return [" > ".join(parts[:n]) for n in range(len(parts), 0, -1)]
