from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assistant.errors import SourceError
from ingest.loaders import hcpcs, pcs_definitions, pcs_index, pcs_tables
from tests.conftest import corpus_file


@pytest.mark.parametrize(("year", "count"), [(2025, 78948), (2026, 79115)])
def test_pcs_tables_yield_every_valid_code(year: int, count: int) -> None:
    data = pcs_tables.load(corpus_file(f"icd10pcs_tables_{year}.xml"))
    codes = [c for c in data.codes if c.level == "code"]
    assert len(codes) == len({c.code for c in codes}) == count
    if year == 2026:
        title = next(c.title for c in codes if c.code == "0DTJ4ZZ")
        assert title == (
            "Medical and Surgical, Gastrointestinal System, Resection: Appendix, "
            "Percutaneous Endoscopic, No Device, No Qualifier"
        )
        row = next(p for p in data.passages if "0DTJ4ZZ" in p.codes)
        assert "Definition: Cutting out or off, without replacement, all of a body part" in row.text


def test_pcs_index_and_definitions() -> None:
    index = pcs_index.load(corpus_file("icd10pcs_index_2025.xml"))
    hit = next(p for p in index.passages if p.title == "Abdominohysterectomy")
    assert hit.codes == ("0UT9",) and "see Resection, Uterus" in hit.text
    definitions = pcs_definitions.load(corpus_file("icd10pcs_definitions_2026.xml"))
    bypass = next(p for p in definitions.passages if p.title == "Bypass")
    assert "Coronary artery bypass" in bypass.text and bypass.version == "FY2026"


def test_hcpcs_csv_codes_and_modifiers() -> None:
    data = hcpcs.load(corpus_file("HCPC2025_OCT_ANWEB.csv"))
    levels = [c.level for c in data.codes]
    assert levels.count("code") == 8463 and levels.count("modifier") == 383
    by_code = {c.code: c for c in data.codes}
    assert by_code["RT"].title.endswith("right side of the body)")  # split damage mended
    assert by_code["QA"].title.endswith("less than 1 liter per minute (lpm)")  # continuations
    assert by_code["G0008"].short_title == "Admin influenza virus vac"


def fixed_width(row: dict[str, str]) -> str:
    code, record_id = hcpcs.split_code(row["Code"])
    sequence = row["Code"][-6:-1]
    return f"{code:<5}{sequence}{record_id}{row['Description1']:<80.80}{row['Description2']}"


def test_official_fixed_width_layout_gives_the_same_codes(tmp_path: Path) -> None:
    source = corpus_file("HCPC2025_OCT_ANWEB.csv")
    with source.open(newline="") as handle:
        lines = [fixed_width(row) for row in csv.DictReader(handle)]
    txt = tmp_path / "HCPC2025_OCT_ANWEB.txt"
    txt.write_text("\n".join(lines) + "\n", encoding="latin-1", errors="replace")
    assert hcpcs.detect(txt)
    fixed = {c.code: c for c in hcpcs.load(txt).codes}
    from_csv = {c.code: c for c in hcpcs.load(source).codes}
    assert fixed.keys() == from_csv.keys()
    assert fixed["QA"].title == from_csv["QA"].title
    assert fixed["G0008"].short_title == "Admin influenza virus vac"


def test_hcpcs_wrong_columns(tmp_path: Path) -> None:
    bad = tmp_path / "HCPC.csv"
    bad.write_text("Code,Description\nA0021001003,x\n")
    with pytest.raises(SourceError, match="no column 'Description1'"):
        hcpcs.load(bad)
