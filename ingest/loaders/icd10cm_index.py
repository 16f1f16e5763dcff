"""ICD-10-CM Alphabetic Index, flattened to one CSV row per index line."""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import IndexEntry, Passage, SourceData, passage_id
from ingest.loaders.common import checksum, clean, head

NAME = "icd10cm-index"
REVISION = 1  # 1: "Note:" lines are notes, not terms
COLUMNS = ["RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"]


def detect(path: Path) -> bool:
    return head(path, 200).lstrip("\ufeff").startswith("RowID,Letter,Level,Term")


def load(path: Path) -> SourceData:
    version = "FY" + (next((p for p in path.stem.split("_") if p.isdigit()), "") or "unknown")
    out = SourceData(NAME, version, str(path), checksum(path))
    trail: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise SourceError(
                path,
                f"expected columns {','.join(COLUMNS)}, found {','.join(reader.fieldnames or [])}",
                1,
            )
        for number, row in enumerate(reader, start=2):
            level = parse_level(path, number, row["Level"])
            if row["Term"].startswith("Note:"):
                # a note on the term above, printed as a line of its own: the lines after it
                # are that term's sub-terms, not the note's ("Failure > heart > systolic")
                continue
            if level > len(trail):
                raise SourceError(path, f"level {level} has no parent line", number)
            term = clean(f"{row['Term']} {row['NonEssModif']}")
            trail = [*trail[:level], term]
            add_line(out, " > ".join(trail), row, number)
    return out


def parse_level(path: Path, number: int, value: str) -> int:
    if not value.strip().isdigit():
        raise SourceError(path, f"Level must be a whole number, found {value!r}", number)
    return int(value)


def add_line(out: SourceData, trail: str, row: dict[str, str], number: int) -> None:
    code = clean(row["Code"]) or None
    see, see_also = clean(row["See"]) or None, clean(row["SeeAlso"]) or None
    if not (code or see or see_also):
        return
    out.index.append(IndexEntry(NAME, trail, code, None, see, see_also))
    out.passages.append(index_passage(out, trail, code, see, see_also, str(number)))


def index_passage(
    out: SourceData,
    trail: str,
    code: str | None,
    see: str | None,
    see_also: str | None,
    key: str,
    label: str = "ICD-10-CM Alphabetic Index",
    system: str = "icd10cm",
) -> Passage:
    parts = [f"{label}: {trail}"]
    if code:
        parts.append(
            f"-> {code}" + (" (incomplete: see the Tabular List)" if code.endswith("-") else "")
        )
    if see:
        parts.append(f"- see {see}")
    if see_also:
        parts.append(f"- see also {see_also}")
    codes = (code.rstrip("-").rstrip("."),) if code else ()
    return Passage(
        id=passage_id(out.source, key),
        source=out.source,
        system=system,
        kind="index",
        text=" ".join(parts),
        version=out.version,
        title=trail,
        code=codes[0] if codes else None,
        codes=codes,
    )
