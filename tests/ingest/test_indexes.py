from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SourceError
from ingest.loaders import icd10cm_index, icd10cm_tables
from tests.conftest import corpus_file


def test_alphabetic_index_lines_carry_their_full_path() -> None:
    data = icd10cm_index.load(corpus_file("icd10cm_index_2025_flat.csv"))
    assert data.version == "FY2025" and len(data.index) == 75904
    acute = [e for e in data.index if e.path == "Abdomen, abdominal > acute"]
    assert acute and acute[0].code == "R10.0"
    see = next(e for e in data.index if e.path == "Abandonment")
    assert see.see == "Maltreatment" and see.code is None
    incomplete = next(
        p for p in data.passages if p.text.endswith("(incomplete: see the Tabular List)")
    )
    assert incomplete.code and not incomplete.code.endswith("-")


def test_a_note_line_is_not_a_term(tmp_path: Path) -> None:
    """The flattened index prints a term's note as a line of its own: the lines after it stay
    sub-terms of that term."""
    lines = [
        "1,F,0,Failure,,,,", "2,F,1,heart,,,,I50.9", "3,F,2,specified NEC,,,,I50.89",
        "4,F,1,Note: heart failure stages are not New York classes,,,,",
        "5,F,2,systolic,,,(congestive),I50.20", "6,F,1,renal,,,,N19",
    ]  # fmt: skip
    index = tmp_path / "index.csv"
    index.write_text(",".join(icd10cm_index.COLUMNS) + "\n" + "\n".join(lines) + "\n")
    paths = {e.path: e.code for e in icd10cm_index.load(index).index}
    assert paths == {
        "Failure > heart": "I50.9",
        "Failure > heart > specified NEC": "I50.89",
        "Failure > heart > systolic (congestive)": "I50.20",
        "Failure > renal": "N19",
    }


def test_index_with_wrong_columns_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "index.csv"
    bad.write_text("RowID,Letter,Level,Term\n1,A,0,Abasia\n")
    with pytest.raises(SourceError, match=r"index.csv:1: expected columns"):
        icd10cm_index.load(bad)
    orphan = tmp_path / "orphan.csv"
    orphan.write_text(",".join(icd10cm_index.COLUMNS) + "\n1,A,2,acute,,,,R10.0\n")
    with pytest.raises(SourceError, match=r"orphan.csv:2: level 2 has no parent"):
        icd10cm_index.load(orphan)


def test_drug_table_cells_keep_their_column_heading() -> None:
    data = icd10cm_tables.load(corpus_file("icd10cm_drug_2025.xml"))
    assert data.source == "icd10cm-drugs"
    cells = {(e.path, e.column): e.code for e in data.index}
    assert cells[("2,4-toluene diisocyanate", "Poisoning Accidental (unintentional)")] == "T65.0X1"
    assert ("2,4-toluene diisocyanate", "Adverse effect") not in cells  # "--" cells are dropped
    assert any(e.column == "Underdosing" for e in data.index)


def test_neoplasm_table_and_external_cause_index() -> None:
    neo = icd10cm_tables.load(corpus_file("icd10cm_neoplasm_2025.xml"))
    assert neo.source == "icd10cm-neoplasms"
    wall = {
        e.column: e.code
        for e in neo.index
        if e.path == "Neoplasm, neoplastic > abdomen, abdominal > wall"
    }
    assert wall["Malignant Primary"] == "C44.509" and wall["Benign"] == "D23.5"
    ext = icd10cm_tables.load(corpus_file("icd10cm_eindex_2025.xml"))
    assert ext.source == "icd10cm-external-causes"
    assert any(e.path.startswith("Accident (to) > aircraft") for e in ext.index)
    assert len(ext.passages) > 7000


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    cut = tmp_path / "drug.xml"
    cut.write_bytes(corpus_file("icd10cm_drug_2025.xml").read_bytes()[:5000])
    with pytest.raises(SourceError, match=r"drug.xml:\d+: not well-formed XML"):
        icd10cm_tables.load(cut)
