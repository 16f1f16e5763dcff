"""Typed records that move between the loaders, the stores and the answering code."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from assistant.editions import edition_name, shelf_name

# one vocabulary of code systems and passage kinds, for the core, the API and the CLI
System = Literal["icd10cm", "icd10pcs", "hcpcs", "cpt", "icd9cm", "none"]
Kind = Literal["code", "index", "guideline", "crosswalk", "document", "definition", "change"]
SYSTEMS: tuple[str, ...] = get_args(System)
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True)
class Code:
    """One entry of a code set: a chapter, block, category, subcategory or reportable code."""

    system: str
    code: str  # display form, e.g. "E11.9"
    title: str
    billable: bool
    level: str  # chapter, block, category, subcategory, code, modifier
    parent: str | None = None
    short_title: str | None = None


@dataclass(frozen=True)
class Note:
    system: str
    code: str
    kind: str  # inclusion, includes, excludes1, excludes2, code_first, use_additional, ...
    text: str


@dataclass(frozen=True)
class IndexEntry:
    """One line of an index or table, with its full path and the code it points to."""

    source: str
    path: str  # "Abdomen, abdominal > acute"
    code: str | None
    column: str | None = None  # the table heading that gives the code its meaning
    see: str | None = None
    see_also: str | None = None


@dataclass(frozen=True)
class Crosswalk:
    from_system: str
    from_code: str
    to_system: str
    to_code: str
    flags: str


@dataclass(frozen=True)
class Edit:
    """One row of a CMS NCCI table: a procedure-to-procedure pair or a medically unlikely
    edit (MUE) limit."""

    kind: Literal["ptp", "mue"]
    setting: str  # practitioner, hospital (outpatient), dme
    code: str  # column 1 code, or the code an MUE limits
    effective: int | None  # YYYYMMDD
    line: int  # the line (or spreadsheet row) of the file it was read from
    other: str | None = None  # the column 2 code of a pair
    deleted: int | None = None  # YYYYMMDD, the last day it applies; None: in force
    indicator: str = ""  # PTP: modifier indicator 0, 1 or 9; MUE: adjudication indicator 1-3
    value: int | None = None  # MUE: the most units of service
    rationale: str = ""


@dataclass(frozen=True)
class Passage:
    """A unit of text that is indexed, retrieved and cited."""

    id: str
    source: str
    system: str
    kind: str
    text: str
    version: str
    title: str = ""
    code: str | None = None
    codes: tuple[str, ...] = ()
    section: str | None = None
    page: int | None = None
    trail: str | None = None  # heading trail, e.g. "Section I > C. Chapter-specific > 4. ..."
    edition: str = ""  # "FY2026", "2025-10"; "" for a source with one edition

    @property
    def shelf(self) -> str:
        """The source edition the passage belongs to: "icd10pcs-tables@FY2025"."""
        return f"{self.source}@{self.edition}" if self.edition else self.source

    @cached_property
    def hash(self) -> str:
        """Of every field that is stored: a changed passage gets a new vector (computed once,
        ingest asks for it several times)."""
        payload = json.dumps(
            [
                self.text,
                self.title,
                self.code,
                self.codes,
                self.section,
                self.page,
                self.trail,
                self.version,
                self.system,
                self.kind,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def public(self) -> dict[str, Any]:
        """The fields every surface shows: API, CLI JSON, LangChain documents."""
        return {
            "passage_id": self.id,
            "source": self.source,
            "system": self.system,
            "kind": self.kind,
            "code": self.code,
            "codes": list(self.codes),
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "trail": self.trail,
            "version": self.version,
            "edition": self.edition,
            "text": self.text,
        }

    def metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            "source": self.source,
            "system": self.system,
            "kind": self.kind,
            "version": self.version,
            "edition": self.edition,
            "shelf": self.shelf,
            "hash": self.hash,
        }
        if self.code:
            meta["code"] = self.code
        if self.section:
            meta["section"] = self.section
        if self.page is not None:
            meta["page"] = self.page
        return meta


def passage_id(source: str, key: str) -> str:
    """A stable id: the same source and key always give the same id."""
    return f"{source}:{hashlib.sha1(key.encode()).hexdigest()[:16]}"


@dataclass
class SourceData:
    """Everything one loader read from one source file."""

    source: str  # stable name, e.g. "icd10cm-tabular"
    version: str
    path: str
    checksum: str
    codes: list[Code] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    index: list[IndexEntry] = field(default_factory=list)
    crosswalk: list[Crosswalk] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)

    @property
    def edition(self) -> str:
        return edition_name(self.version)

    @property
    def shelf(self) -> str:
        return shelf_name(self.source, self.edition)

    @property
    def records(self) -> int:
        return (
            len(self.codes)
            + len(self.index)
            + len(self.crosswalk)
            + len(self.edits)
            + len(self.passages) * (not (self.codes or self.index or self.crosswalk))
        )
