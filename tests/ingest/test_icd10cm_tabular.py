from __future__ import annotations

import pytest
import simple_icd_10_cm as package

from assistant.codes import to_key
from assistant.models import SourceData
from ingest.loaders import icd10cm_tabular


@pytest.fixture(scope="module")
def tabular() -> SourceData:
    return icd10cm_tabular.load(icd10cm_tabular.packaged_file())


def test_valid_codes_agree_with_the_package_list(tabular: SourceData) -> None:
    ours = {to_key(c.code) for c in tabular.codes if c.level not in ("chapter", "block")}
    theirs = {c for c in package.get_all_codes(False) if not package.is_chapter(c) and "-" not in c}
    assert ours == theirs
    assert len(ours) == 98186


def test_billable_codes_are_the_package_leaves(tabular: SourceData) -> None:
    billable = {to_key(c.code) for c in tabular.codes if c.billable}
    assert len(billable) == 74719
    assert all(package.is_leaf(code) for code in list(billable)[::500])
    assert "E11" not in billable and "E119" in billable


def test_seventh_character_expansions(tabular: SourceData) -> None:
    codes = {c.code: c for c in tabular.codes}
    assert codes["S72.002A"].billable and not codes["S72.002"].billable
    assert codes["T36.0X1A"].title.endswith("accidental (unintentional), initial encounter")
    assert "T07.XXXA" in codes  # placeholder X fills a short code
    # S06: 7th characters D and S do not apply to 6th character 7 or 8
    assert "S06.1X7A" in codes and "S06.1X7D" not in codes and "S06.1X6D" in codes


def test_every_kind_of_note_is_read(tabular: SourceData) -> None:
    kinds = {n.kind for n in tabular.notes}
    assert kinds >= {
        "inclusion",
        "includes",
        "excludes1",
        "excludes2",
        "code_first",
        "use_additional",
        "code_also",
        "note",
        "seventh_note",
        "seventh",
    }
    e11 = [n.text for n in tabular.notes if n.code == "E11" and n.kind == "use_additional"]
    assert "insulin (Z79.4)" in e11


def test_passages_one_per_tabular_entry(tabular: SourceData) -> None:
    by_code = {p.code: p for p in tabular.passages if p.code}
    assert (
        "Excludes1: type 2 diabetes mellitus, without complications in remission (E11.A)"
        in by_code["E11.9"].text
    )
    assert (
        "7th character required: A initial encounter for closed fracture" in by_code["S72.002"].text
    )
    assert all(p.system == "icd10cm" and p.version == "FY2026" for p in tabular.passages)
    assert len({p.id for p in tabular.passages}) == len(tabular.passages)
