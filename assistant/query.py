"""Query analysis: codes in any common form, code-system hints, what kind of question it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import codes as codeforms
from assistant.catalog import Catalog

TOKEN = re.compile(r"\b[A-Za-z0-9]{1,3}(?:\.[A-Za-z0-9]{1,4}|[A-Za-z0-9]{0,4})\b")
HINTS = [
    (re.compile(r"\b(?:icd[- ]?9(?:[- ]?cm)?)\b", re.I), "icd9cm"),
    (re.compile(r"\b(?:pcs|icd[- ]?10[- ]?pcs|procedure codes?)\b", re.I), "icd10pcs"),
    (re.compile(r"\bhcpcs\b", re.I), "hcpcs"),
    (re.compile(r"\bcpt\b", re.I), "cpt"),
    (re.compile(r"\b(?:icd[- ]?10[- ]?cm|diagnosis codes?)\b", re.I), "icd10cm"),
]
GUIDELINE = re.compile(
    r"\b(?:guidelines?|can i|may i|should i|when (?:is|do|may|can|should)|how (?:do|should)|"
    r"sequenc\w*|principal|first[- ]listed|rule|allowed|outpatient|inpatient)\b",
    re.I,
)


@dataclass(frozen=True)
class CodeRef:
    system: str
    code: str


@dataclass(frozen=True)
class Query:
    text: str
    codes: tuple[CodeRef, ...]
    system_hint: str | None
    asks_guideline: bool

    @property
    def is_code_lookup(self) -> bool:
        """The whole question is one or more codes, nothing else."""
        rest = self.text
        for ref in self.codes:
            rest = rest.replace(ref.code, " ")
        leftover = re.sub(r"[\s,;.?]+|\b(?:code|what is|is|and|billable)\b", " ", rest, flags=re.I)
        return bool(self.codes) and not leftover.strip()


def find_codes(text: str, catalog: Catalog, hint: str | None) -> tuple[CodeRef, ...]:
    found: list[CodeRef] = []
    for match in TOKEN.finditer(text):
        raw = match.group(0)
        if not any(ch.isdigit() for ch in raw) or not codeforms.looks_like_code(raw):
            continue
        rows = catalog.find(raw)
        if hint:
            rows = sorted(rows, key=lambda r: r["system"] != hint)
        if rows and CodeRef(rows[0]["system"], rows[0]["code"]) not in found:
            found.append(CodeRef(rows[0]["system"], rows[0]["code"]))
    return tuple(found)


def analyse(text: str, catalog: Catalog) -> Query:
    hint = next((system for pattern, system in HINTS if pattern.search(text)), None)
    codes = find_codes(text, catalog, hint)
    return Query(text, codes, hint, bool(GUIDELINE.search(text)))
