"""CMS National Correct Coding Initiative tables, as CMS publishes them each quarter:

- procedure-to-procedure (PTP) edits, practitioner or hospital: column 1 code, column 2 code,
  "*" when the pair existed before 1996, effective date, deletion date ("*": none), modifier
  indicator (0 not allowed, 1 allowed, 9 not applicable), PTP edit rationale;
- medically unlikely edits (MUE), practitioner, outpatient hospital or DME: HCPCS/CPT code,
  MUE value, MUE adjudication indicator ("1 Line Edit", "2 Date of Service Edit: Policy",
  "3 Date of Service Edit: Clinical"), MUE rationale.

Each in the text layout (tab-separated), as CSV, or as the spreadsheet (.xlsx). The lines before
the first row are CMS's notices and headings; a row that breaks the layout after that is an
error naming its line. The files carry CPT codes under the AMA's licence: a user who holds it
loads them; none ships with medcode."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Edit, SourceData
from ingest.loaders.common import checksum, head

NAME = "ncci"
CODE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")
DAY = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
SETTINGS = {
    "practitioner": ("practitioner", "ccipra"),
    "hospital": ("hospital", "outpatient", "ccioph", "opps"),
    "dme": ("dme", "durable medical"),
}
QUARTERS = {1: "JAN", 4: "APR", 7: "JUL", 10: "OCT"}
SHEET_SUFFIXES = (".xlsx", ".xlsm")


def rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line or spreadsheet row, fields) of every row of the file."""
    if path.suffix.lower() in SHEET_SUFFIXES:
        yield from sheet_rows(path)
        return
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    tabbed = "\t" in text[:20000]
    reader = csv.reader(io.StringIO(text), delimiter="\t" if tabbed else ",")
    for number, fields in enumerate(reader, start=1):
        yield number, [f.strip() for f in fields]


def sheet_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise SourceError(path, f"not a readable spreadsheet ({exc})") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else cell_text(v) for v in values]
    finally:
        book.close()


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def heading(path: Path, lines: int = 15) -> str:
    """The file's name and its notices and headings (the rows before the first code), lower
    case: what the kind, setting and quarter are read from."""
    found = []
    try:
        if path.suffix.lower() in SHEET_SUFFIXES:
            sheet = zip(range(lines), sheet_rows(path), strict=False)
            firsts = [" ".join(fields) for _, (_, fields) in sheet]
        else:
            firsts = head(path, 8000).splitlines()[:lines]
    except (OSError, SourceError, UnicodeError):
        return ""
    for line in firsts:
        if CODE.match(re.split(r"[\t, ]", line.strip().strip('"'))[0].upper()):
            break
        found.append(line)
    return (path.name + "\n" + "\n".join(found)).lower()


def kind_of(text: str) -> str | None:
    if ("column 1" in text or "column1" in text) and "modifier" in text:
        return "ptp"
    if "mue" in text and ("adjudication" in text or "mue value" in text):
        return "mue"
    return None


def detect(path: Path) -> bool:
    if path.suffix.lower() not in (".txt", ".csv", *SHEET_SUFFIXES):
        return False
    return kind_of(heading(path)) is not None


def setting_of(path: Path, text: str) -> str:
    for setting, words in SETTINGS.items():
        if any(word in text for word in words):
            return setting
    raise SourceError(
        path, "cannot tell whether these are practitioner, hospital or DME edits (the file's "
        "name or heading names its setting, as CMS's do)"
    )  # fmt: skip


def load(path: Path) -> SourceData:
    text = heading(path)
    kind = kind_of(text)
    if kind is None:
        raise SourceError(path, "not an NCCI PTP or MUE table")
    setting = setting_of(path, text)
    edits = list(read_ptp(path, setting) if kind == "ptp" else read_mue(path, setting))
    if not edits:
        raise SourceError(path, f"no {kind.upper()} rows found")
    version = quarter(path, text, edits)
    out = SourceData(f"ncci-{kind}-{setting}", version, str(path), checksum(path))
    out.edits = edits
    return out


def data_rows(path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """The rows after the notices and headings: from the first whose first field is a code."""
    started = False
    for number, fields in rows(path):
        if not any(fields):
            continue
        if not started:
            if not CODE.match(fields[0].upper()):
                continue
            started = True
        if len(fields) < width:
            raise SourceError(path, f"{len(fields)} fields, expected {width}", number)
        yield number, fields


def day_of(path: Path, text: str, number: int, field: str, blank_ok: bool) -> int | None:
    if blank_ok and text in ("", "*"):
        return None
    if not DAY.match(text):
        raise SourceError(path, f"{field} {text!r} is not a date as YYYYMMDD", number)
    return int(text)


def read_ptp(path: Path, setting: str) -> Iterator[Edit]:
    for number, fields in data_rows(path, 6):
        first, second = fields[0].upper(), fields[1].upper()
        if not CODE.match(second):
            raise SourceError(path, f"column 2 {fields[1]!r} is not a HCPCS/CPT code", number)
        indicator = fields[5]
        if indicator not in ("0", "1", "9"):
            raise SourceError(path, f"modifier indicator {indicator!r} is not 0, 1 or 9", number)
        yield Edit(
            kind="ptp",
            setting=setting,
            code=first,
            other=second,
            effective=day_of(path, fields[3], number, "effective date", False),
            deleted=day_of(path, fields[4], number, "deletion date", True),
            indicator=indicator,
            rationale=fields[6] if len(fields) > 6 else "",
            line=number,
        )


def read_mue(path: Path, setting: str) -> Iterator[Edit]:
    for number, fields in data_rows(path, 3):
        if not fields[1].isdigit():
            raise SourceError(path, f"MUE value {fields[1]!r} is not a whole number", number)
        indicator = fields[2][:1]
        if indicator not in ("1", "2", "3"):
            raise SourceError(
                path, f"adjudication indicator {fields[2]!r} is not 1, 2 or 3", number
            )
        yield Edit(
            kind="mue",
            setting=setting,
            code=fields[0].upper(),
            effective=None,
            indicator=indicator,
            value=int(fields[1]),
            rationale=fields[3] if len(fields) > 3 else "",
            line=number,
        )


def quarter(path: Path, text: str, edits: list[Edit]) -> str:
    """The quarter the table is for ("2026 OCT"): from a date in the file's name or heading,
    else (PTP) the latest effective date of its rows."""
    named = re.search(r"(20\d\d)[-_ ]?(0[1-9]|1[0-2])[-_ ]?(0[1-9]|[12]\d|3[01])", text)
    us = re.search(r"(0[1-9]|1[0-2])[-_/](0[1-9]|[12]\d|3[01])[-_/](20\d\d)", text)
    if named:
        year, month = int(named.group(1)), int(named.group(2))
    elif us:
        year, month = int(us.group(3)), int(us.group(1))
    else:
        latest = max((e.effective for e in edits if e.effective), default=None)
        if latest is None:
            raise SourceError(
                path, "cannot tell which quarter the table is for: name the file with its "
                "effective date, as CMS does (..._2026-10-01.csv)"
            )  # fmt: skip
        year, month = divmod(latest // 100, 100)
    start = max(m for m in QUARTERS if m <= month)
    return f"{year} {QUARTERS[start]}"
