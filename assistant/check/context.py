"""An encounter read once for every rule: each code with its system, its catalog row in the
editions in effect on the date of service, and whether it is valid that day; and one numbered
set of citations for the whole report."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.answer_types import Citation
from assistant.catalog import Catalog
from assistant.check.model import Encounter, Finding, Severity
from assistant.citations import Citations
from assistant.codes import CPT, HCPCS, ICD10PCS, display, to_key
from assistant.editions import edition
from assistant.models import Passage
from assistant.shelves import on_day
from assistant.validity import VALIDITY, Validity

NAMES = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS", "hcpcs": "HCPCS", "cpt": "CPT"}


@dataclass
class Line:
    """One code of the encounter."""

    where: str  # "diagnoses[0].code"
    written: str
    system: str
    key: str
    role: str  # principal, secondary, procedure
    row: sqlite3.Row | None  # the catalog's row in the editions in effect, if it holds the code
    valid: bool | None  # on the date of service; None: cannot be told here
    poa: str | None = None
    units: int = 1
    modifiers: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return str(self.row["code"]) if self.row is not None else display(self.system, self.key)


def procedure_system(key: str) -> str | None:
    for system, form in (("icd10pcs", ICD10PCS), ("hcpcs", HCPCS), ("cpt", CPT)):
        if form.match(key):
            return system
    return None


class Context:
    def __init__(self, catalog: Catalog, encounter: Encounter, validity: Validity = VALIDITY):
        self.encounter = encounter
        self.day: date = encounter.date_of_service
        self.fiscal = edition(self.day)
        chosen = on_day(catalog, self.day)
        self.catalog = catalog.on_shelves(chosen.shelves)
        self.edition_notes = chosen.notes
        self.validity = validity
        self.cites = Citations()
        self.held: dict[str, bool] = {}
        self.memo: dict[tuple[str, str], Any] = {}  # what rules read of a line, read once
        self.lines = self.read(encounter)

    def read(self, encounter: Encounter) -> list[Line]:
        """Each code with its system: the model has checked each list's form already
        (model.DIAGNOSIS_FORM, PROCEDURE_FORM), so a diagnosis is ICD-10-CM and a procedure's
        form names its system."""
        lines = []
        for i, dx in enumerate(encounter.diagnoses):
            where = f"diagnoses[{i}].code"
            role = "principal" if i == 0 else "secondary"
            lines.append(self.line(where, dx.code, "icd10cm", to_key(dx.code), role, dx.poa))
        for i, px in enumerate(encounter.procedures):
            where = f"procedures[{i}].code"
            key = to_key(px.code)
            form = procedure_system(key)
            assert form is not None, where  # PROCEDURE_FORM is the union of the three forms
            mods = [m.strip().upper() for m in px.modifiers]
            lines.append(self.line(where, px.code, form, key, "procedure", None, px.units, mods))
        return lines

    def line(
        self,
        where: str,
        written: str,
        system: str,
        key: str,
        role: str,
        poa: str | None = None,
        units: int = 1,
        modifiers: list[str] | None = None,
    ) -> Line:
        row = self.row(system, key)
        valid = self.valid(system, key)
        if valid is None and row is not None:
            valid = bool(row["billable"])
        written = written.strip()
        return Line(where, written, system, key, role, row, valid, poa, units, modifiers or [])

    def valid(self, system: str, key: str) -> bool | None:
        """Whether a code is valid on the date of service; None: cannot be told here."""
        return self.validity.valid(system, key, self.day)

    def row(self, system: str, key: str) -> sqlite3.Row | None:
        return self.catalog.code_row(system, key)

    # the parts of the encounter rules ask for
    @property
    def diagnoses(self) -> list[Line]:
        return [x for x in self.lines if x.role != "procedure"]

    @property
    def procedures(self) -> list[Line]:
        return [x for x in self.lines if x.role == "procedure"]

    @property
    def inpatient(self) -> bool:
        return self.encounter.setting == "inpatient"

    def loaded(self, system: str) -> bool:
        """Whether the editions read hold any code of ``system`` (asked once per check)."""
        if system not in self.held:
            self.held[system] = self.catalog.holds_system(system)
        return self.held[system]

    def titles_edition(self, system: str) -> str | None:
        return self.catalog.system_edition(system)

    # citations
    def cite(self, passage: Passage | None) -> list[Citation]:
        if passage is None:
            return []
        marker = self.cites.cite(passage)
        n = int(marker.strip("[]"))
        return [self.cites.items[n - 1]]

    def code_passage(self, system: str, code: str, parent: str | None = None) -> Passage | None:
        found = self.catalog.own_passage_id(system, code, parent)
        return self.catalog.passage(found) if found else None

    def guideline(self, section: str) -> Passage | None:
        """The first passage of a guideline section, if the guidelines are loaded."""
        found = self.catalog.guideline_sections().get(section)
        return self.catalog.passage(found) if found else None

    def finding(
        self,
        severity: Severity,
        rule: str,
        message: str,
        lines: list[Line],
        passages: Sequence[Passage | None] = (),
    ) -> Finding:
        citations = [c for p in passages for c in self.cite(p)]
        return Finding(
            severity=severity,
            rule=rule,
            message=message,
            codes=[x.written for x in lines],
            fields=[x.where for x in lines],
            citations=list({c.n: c for c in citations}.values()),
        )
