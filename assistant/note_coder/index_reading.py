"""From a phrase's words to a code the way a coder reads the Alphabetic Index: from a main term
the note names, down sub-terms whose every word the note says, never to an entry that has what
the note says is absent ("without"), to a code completed in the Tabular List and reportable on
the date of service."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import NamedTuple

from assistant.catalog import Catalog
from assistant.codes import to_key
from assistant.lookup import Entry, IndexLookup
from assistant.note_coder.model import Evidence
from assistant.note_coder.phrases import Phrase, evidence_for, windows
from assistant.note_coder.vocabulary import main_term, names
from assistant.text import stems
from assistant.validity import VALIDITY

FORM = 7  # letters: stems sharing this many are forms of one word
UNSAID = frozenset({"nec", "nos"})  # an index path's notation, not a word the note must say
HISTORY = stems("history")
GENERIC = stems("disease disorder condition syndrome illness problem")
EXTERNAL_CAUSES = ("V", "W", "X", "Y")
WITHOUT = re.compile(r"\bwithout\s+((?:[a-z0-9-]+\s*){1,2})", re.I)
NOT_DENIED = re.compile(r"\b(?:with|not|and|or)\b.*", re.I)


class Picked(NamedTuple):
    code: str
    title: str
    reason: str  # the index path to it
    whole: bool  # whether the entry holds every word of the condition
    words: frozenset[str]  # the entry's words (stems)
    path: str = ""  # the Alphabetic Index line it was read from
    index_code: str = ""  # the code that line gives (a category the Tabular List completed)


class IndexReader:
    def __init__(self, catalog: Catalog, lookup: IndexLookup) -> None:
        self.catalog = catalog
        self.lookup = lookup

    def readings(
        self, note: str, phrase: Phrase, day: date, main: set[str] | None = None, prefix: str = ""
    ) -> Iterator[tuple[Picked, Evidence]]:
        """The codes a phrase leads to, best first, each once, with the words that justify it:
        the words with their qualifiers first; the condition's own words when those lead
        nowhere the note's condition names."""
        named = note[phrase.start : phrase.end]
        seen: set[str] = set()
        for words, used in windows(note, phrase):
            for picked in self.picks(prefix + words, named, day, main):
                if picked.code not in seen:
                    seen.add(picked.code)
                    yield picked, evidence_for(note, phrase, used, picked.words)

    def read(self, note: str, phrase: Phrase, day: date) -> tuple[Picked, Evidence] | None:
        """The code a phrase leads to, with its evidence."""
        return next(self.readings(note, phrase, day), None)

    def history(self, note: str, phrase: Phrase, day: date) -> tuple[Picked, Evidence] | None:
        """A past condition's personal history code, a relative's condition's family history
        code, where the index has one ("History > personal (of) > stroke without residual
        deficits")."""
        if phrase.assertion not in ("historical", "family"):
            return None
        if not stems(note[phrase.start : phrase.end]) - GENERIC:
            return None  # "a disease": which history code says nothing
        whose = "personal" if phrase.assertion == "historical" else "family"
        return next(self.readings(note, phrase, day, HISTORY, f"history {whose} "), None)

    def picks(
        self, words: str, named: str, day: date, main: set[str] | None = None
    ) -> Iterator[Picked]:
        """The reportable codes the Alphabetic Index leads the words to, best first, the way a coder
        reads it: from a main term the note names (or ``main``: "History" for a past
        condition), down sub-terms whose every word the note says, to a code completed in the
        Tabular List with the note's own qualifiers when the index gives a category. With its
        title, that index path and whether the entry holds every word of the condition."""
        said = stems(words) | UNSAID
        said |= {w[:FORM] for w in said if len(w) >= FORM}
        absent = denied(words)
        condition = stems(named)
        heads = main or condition
        for entry in self.lookup.under(words, heads, "icd10cm"):
            if not says(said, entry.said) or not says(said, main_term(entry.head)[1]):
                continue
            if not (names(named, entry.head) if main is None else set(entry.main) <= main):
                continue
            if (absent & set(entry.every)) - set(entry.denies):
                continue  # "with hematuria" for "without hematuria"
            if not (condition <= set(entry.every) if main else condition & set(entry.every)):
                continue  # a history code names the whole condition
            if entry.code.startswith(EXTERNAL_CAUSES):
                continue  # how an injury happened, reported with the injury, never alone
            completed = self.completed(entry.code, said, day)
            if completed is None:
                continue
            code, title, how = completed
            path = self.path_to(entry)
            whole = condition <= set(entry.every)
            reason = f"Alphabetic Index: {path} -> {entry.code}{how}"
            yield Picked(code, title, reason, whole, frozenset(entry.every), path, entry.code)

    def completed(self, code: str, said: set[str], day: date) -> tuple[str, str, str] | None:
        """A reportable code: the index's own, or when that is a category, the code below it
        whose title holds most of the note's words (the unspecified one when none does)."""
        key = to_key(code)
        if VALIDITY.valid("icd10cm", key, day):
            row = self.catalog.code_row("icd10cm", key)
            return code, str(row["title"]) if row is not None else "", ""
        below = [
            (c, t) for c, t in self.catalog.billable_below("icd10cm", key)
            if VALIDITY.valid("icd10cm", to_key(c), day)
        ]  # fmt: skip
        if not below:
            return None
        best = max(below, key=lambda ct: (len(stems(ct[1]) & said), "unspecified" in ct[1].lower()))
        return best[0], best[1], f", completed in the Tabular List as {best[0]}"

    def path_to(self, entry: Entry) -> str:
        """The index path an entry was read from (a "see" reference's path for one grafted)."""
        paths = self.catalog.index_paths(entry.code) or self.catalog.index_paths(entry.code + "-")
        words = set(entry.essential)
        fitting = [p for p in paths if stems(re.sub(r"\([^)]*\)", " ", p)) <= words]
        return (fitting or paths or [entry.code])[0]


def says(said: set[str], words: Iterable[str]) -> bool:
    """Whether the note says each word, in any of its forms: stems agreeing in their first
    seven letters are one word ("myocardium" and "myocardial")."""
    return all(w in said or (len(w) >= FORM and w[:FORM] in said) for w in words)


def denied(words: str) -> set[str]:
    """The words a "without" says are absent ("cystitis without hematuria"): up to two after
    it, up to the next "with", "not", "and" or "or"."""
    return {w for m in WITHOUT.finditer(words) for w in stems(NOT_DENIED.sub("", m.group(1)))}
