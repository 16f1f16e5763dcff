"""The Tabular List's instructional notes that apply to a code: its own and those it inherits
from its subcategory, category, block and chapter (guideline I.A.12 and I.A.13), with the codes
each note names ("type 2 diabetes mellitus (E11.-)", "neoplasm (C00-D49)", "(N18.1-N18.6)")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.check.context import Context, Line
from assistant.codes import display, to_key

CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"
REFERENCE = re.compile(rf"\b({CODE})(?:\s*-\s*({CODE})|\.?-)?")


@dataclass(frozen=True)
class Ref:
    """Codes a note names: a code and every code below it, or a range of them."""

    low: str
    high: str

    def holds(self, key: str) -> bool:
        if self.low == self.high:
            return key.startswith(self.low)
        return self.low <= key[: len(self.low)] <= self.high


@dataclass(frozen=True)
class Note:
    holder: str  # the key of the code the note is printed at
    code: str  # its display form
    kind: str
    lines: tuple[tuple[str, tuple[Ref, ...]], ...]  # each line and the codes it names

    @property
    def text(self) -> str:
        return "; ".join(text for text, _ in self.lines)

    @property
    def refs(self) -> tuple[Ref, ...]:
        return tuple(ref for _, refs in self.lines for ref in refs)

    def names(self, key: str) -> bool:
        return any(ref.holds(key) for ref in self.refs)

    def naming(self, key: str) -> str:
        """The line of the note that names ``key``."""
        return next((t for t, refs in self.lines if any(r.holds(key) for r in refs)), self.text)

    @property
    def if_applicable(self) -> bool:
        return any(f"{w} applicable" in self.text.lower() for w in ("if", "where"))


def references(text: str) -> list[Ref]:
    """The codes in a note's parentheses: "(E08.-, E09.-)", "(C00-D49)", "(N18.1-N18.6)"."""
    found = []
    for inside in re.findall(r"\(([^()]*)\)", text):
        for low, high in REFERENCE.findall(inside):
            low_key, high_key = to_key(low), to_key(high or low)
            if len(high_key) != len(low_key):
                high_key = low_key
            found.append(Ref(low_key, high_key))
    return found


def lineage(ctx: Context, line: Line) -> list[tuple[str, str]]:
    """(key, display) of the code and each level above it that the catalog holds."""
    held: list[tuple[str, str]] | None = ctx.memo.get(("lineage", line.where))
    if held is None:
        held = ctx.memo[("lineage", line.where)] = read_lineage(ctx, line)
    return held


def read_lineage(ctx: Context, line: Line) -> list[tuple[str, str]]:
    chain = [(line.key, line.code)]
    chain += [(str(r["key"]), str(r["code"])) for r in ctx.catalog.ancestors(line.system, line.key)]
    if line.row is None:  # a code the loaded titles lack: its loaded ancestors by prefix
        for cut in range(len(line.key) - 1, 2, -1):
            if ctx.row(line.system, line.key[:cut]) is not None:
                return [*chain, (line.key[:cut], display(line.system, line.key[:cut]))] + [
                    (str(r["key"]), str(r["code"]))
                    for r in ctx.catalog.ancestors(line.system, line.key[:cut])
                ]
    return chain


def notes(ctx: Context, line: Line, kind: str) -> list[Note]:
    """The notes of one kind that apply to the line's code, one per code that prints them
    (a note's lines, a header and its items, read as one note), the code's own first."""
    if line.system != "icd10cm":
        return []
    held = ctx.memo.get(("notes", line.where))
    if held is None:
        held = all_notes(ctx, line)
        ctx.memo[("notes", line.where)] = held
    return [n for n in held if n.kind == kind]


def all_notes(ctx: Context, line: Line) -> list[Note]:
    chain = lineage(ctx, line)
    texts: dict[tuple[str, str], list[str]] = {}
    for key, kind, text in ctx.catalog.notes_at(line.system, [k for k, _ in chain]):
        texts.setdefault((key, kind), []).append(text)
    found = []
    for key, code in chain:
        for (at, kind), lines in texts.items():
            if at == key:
                found.append(Note(key, code, kind, tuple((t, tuple(references(t))) for t in lines)))
    return found


def is_manifestation(ctx: Context, line: Line) -> bool:
    """A code (or a category) titled "in diseases classified elsewhere" (guideline I.A.13)."""
    for key, _ in lineage(ctx, line)[:3]:
        row = ctx.row(line.system, key)
        if row is not None and "classified elsewhere" in str(row["title"]).lower():
            return True
    return False
