"""Numbered citations, one per passage, in the order an answer first cites them."""

from __future__ import annotations

from assistant.answer_types import Citation
from assistant.models import Passage

SOURCE_LABELS = {
    "icd10cm-tabular": "ICD-10-CM Tabular List",
    "icd9cm-gems": "CMS GEMs",
    "icd10cm-guidelines": "ICD-10-CM Official Guidelines",
    "icd10cm-index": "ICD-10-CM Index",
    "icd10cm-drugs": "ICD-10-CM Table of Drugs",
    "icd10cm-neoplasms": "ICD-10-CM Neoplasm Table",
    "icd10cm-external-causes": "ICD-10-CM External Cause Index",
    "icd10pcs-tables": "ICD-10-PCS Tables",
    "icd10pcs-index": "ICD-10-PCS Index",
    "icd10pcs-definitions": "ICD-10-PCS Definitions",
    "hcpcs": "HCPCS Level II",
    "cms-code-editor-tables": "CMS Medicare Code Editor valid-code tables",
    "cms-mce": "CMS Medicare Code Editor",
    "cms-msdrg-tables": "CMS MS-DRG tables 5, 6I, 6J, 6K",
    "cms-hcc": "CMS-HCC model mappings",
    "ncci-ptp-practitioner": "CMS NCCI PTP edits, practitioner",
    "ncci-ptp-hospital": "CMS NCCI PTP edits, hospital",
    "ncci-mue-practitioner": "CMS NCCI MUE, practitioner",
    "ncci-mue-hospital": "CMS NCCI MUE, outpatient hospital",
    "ncci-mue-dme": "CMS NCCI MUE, DME supplier",
}


class Citations:
    def __init__(self) -> None:
        self.items: list[Citation] = []

    def cite(self, passage: Passage) -> str:
        for item in self.items:
            if item.passage_id == passage.id:
                return f"[{item.n}]"
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n,
                passage_id=passage.id,
                source=passage.source,
                title=passage.title,
                section=passage.section,
                page=passage.page,
                code=passage.code,
                version=passage.version,
                edition=passage.edition,
                text=passage.text,
            )
        )
        return f"[{n}]"

    def versions(self) -> list[str]:
        seen = dict.fromkeys(
            f"{SOURCE_LABELS.get(c.source, c.source)} {c.version}" for c in self.items
        )
        return list(seen)

    def footer(self) -> str:
        return f"\n\n_Sources: {'; '.join(self.versions())}._" if self.items else ""
