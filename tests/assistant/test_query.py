from __future__ import annotations

import pytest

from assistant.catalog import Catalog
from assistant.codes import systems_for, to_key
from assistant.query import analyse
from assistant.settings import Settings


@pytest.mark.parametrize(
    ("raw", "system"),
    [
        ("e11.9", "icd10cm"),
        ("E119", "icd10cm"),
        ("T36.0X1A", "icd10cm"),
        ("0DTJ4ZZ", "icd10pcs"),
        ("G0008", "hcpcs"),
        ("99213", "cpt"),
        ("250.00", "icd9cm"),
        ("25000", "icd9cm"),
    ],
)
def test_code_syntax(raw: str, system: str) -> None:
    assert system in systems_for(raw)


def test_forms_reduce_to_one_key() -> None:
    assert {to_key(x) for x in ["e11.9", " E11.9 ", "E119", "e 11.9"]} == {"E119"}


def test_codes_found_in_questions(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse("is e1165 billable, and what about S72.002A?", catalog)
    assert [c.code for c in query.codes] == ["E11.65", "S72.002A"]
    icd9 = analyse("what replaced ICD-9 250.00?", catalog)
    assert icd9.system_hint == "icd9cm" and icd9.codes[0].system == "icd9cm"
    assert analyse("E11.9", catalog).is_code_lookup
    assert not analyse("E11.9 with neuropathy", catalog).is_code_lookup
    assert analyse("can I code probable pneumonia outpatient?", catalog).asks_guideline
    assert analyse("PCS code for appendectomy", catalog).system_hint == "icd10pcs"
    assert analyse("fever 2026", catalog).codes == ()
