"""HCPCS Level II quarterly file (CMS): the official fixed-width layout, and the same records
split into CSV columns. Record identifiers: 3 = first line of a procedure code, 4 = its
continuation, 7 = first line of a modifier, 8 = modifier continuation."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Code, Passage, SourceData, passage_id
from ingest.loaders.common import checksum, clean, head

NAME = "hcpcs"
FIRST, MORE = {"3": "code", "7": "modifier"}, {"4", "8"}
FIXED = re.compile(r"^[0-9A-Z ]{5}\d{5}[3478]")


@dataclass
class Record:
    code: str
    record_id: str
    long: str
    short: str


def detect(path: Path) -> bool:
    text = head(path, 2000)
    if text.startswith("Code,Description1,Description2"):
        return True
    lines = text.splitlines()[:5]
    return bool(lines) and all(FIXED.match(line) for line in lines if line.strip())


def load(path: Path) -> SourceData:
    records = read_csv(path) if head(path, 40).startswith("Code,") else read_fixed(path)
    out = SourceData(NAME, version_of(path), str(path), checksum(path))
    merged: dict[tuple[str, str], Record] = {}
    for number, record in records:
        if record.record_id in FIRST:
            merged[(record.code, FIRST[record.record_id])] = record
        elif record.record_id in MORE:
            level = "modifier" if record.record_id == "8" else "code"
            first = merged.get((record.code, level))
            if first is None:
                raise SourceError(
                    path, f"continuation of {record.code} before its first line", number
                )
            first.long = f"{first.long} {record.long}".strip()
    for (code, level), record in merged.items():
        add(out, code, level, record)
    return out


def version_of(path: Path) -> str:
    match = re.search(r"(20\d\d)_?([A-Z]{3})", path.name.upper())
    return f"{match.group(1)} {match.group(2)}" if match else "unknown"


def split_code(field: str) -> tuple[str, str]:
    """``"A0021001003"`` -> ("A0021", "3"); a modifier ``"RT001007"`` -> ("RT", "7")."""
    return field[:-6].strip(), field[-1:]


def read_csv(path: Path) -> list[tuple[int, Record]]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        for column in ("Code", "Description1", "Description2"):
            if column not in (reader.fieldnames or []):
                raise SourceError(path, f"not an HCPCS file: no column {column!r}", 1)
        out = []
        for number, row in enumerate(reader, start=2):
            code, record_id = split_code(row["Code"] or "")
            if not code:
                raise SourceError(path, f"column Code is {row['Code']!r}", number)
            long, short = row["Description1"] or "", row["Description2"] or ""
            if (
                short[:1] and short[0] in ")],;."
            ):  # a character the column split put on the wrong side
                long, short = long + short[0], short[1:]
            out.append((number, Record(code, record_id, clean(long), clean(short[:28]))))
        return out


def read_fixed(path: Path) -> list[tuple[int, Record]]:
    out = []
    with path.open(encoding="latin-1") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if not FIXED.match(line):
                raise SourceError(path, "not an HCPCS fixed-width record", number)
            out.append(
                (
                    number,
                    Record(line[:5].strip(), line[10], clean(line[11:91]), clean(line[91:119])),
                )
            )
    return out


def add(out: SourceData, code: str, level: str, record: Record) -> None:
    out.codes.append(
        Code("hcpcs", code, record.long, level == "code", level, None, record.short or None)
    )
    label = "HCPCS Level II modifier" if level == "modifier" else "HCPCS Level II code"
    text = f"{label} {code}: {record.long}" + (f"\nShort: {record.short}" if record.short else "")
    out.passages.append(
        Passage(
            id=passage_id(NAME, f"{level}:{code}"),
            source=NAME,
            system="hcpcs",
            kind="code",
            text=text,
            version=out.version,
            title=record.long,
            code=code,
            codes=(code,),
        )
    )
