"""NCCI PTP and MUE edits and CPT codes, from files the tests write in CMS's and the AMA's
layouts (the real files carry CPT codes under the AMA's licence; none is bundled). Codes and
descriptors below are made up for the tests where they would be CPT's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.catalog import Catalog
from assistant.check import check, table_passage
from assistant.check.model import Report, read_encounter
from assistant.errors import SourceError
from assistant.settings import Settings
from ingest.detect import loader_for
from ingest.loaders import ncci
from ingest.run import ingest

NOTICE = (
    "CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\n"
)
PTP_HEAD = (
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t"
    "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
    "PTP Edit Rationale\n"
)
PTP_ROWS = [
    "11042\t97597\t\t20130101\t*\t1\tMisuse of column two code with column one code",
    "36000\t36410\t*\t19960101\t*\t0\tMutually exclusive procedures",
    "G0008\t96372\t\t20200101\t20201231\t1\tStandards of medical / surgical practice",
    "20610\t20604\t\t20150101\t*\t9\tMutually exclusive procedures",
]
MUE = (
    '"Medicare NCCI 2026 Q4 Practitioner Services MUE Table"\n'
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"\n'
    '"J0129","100","3 Date of Service Edit: Clinical","Prescribing Information"\n'
    '"G0008","1","2 Date of Service Edit: Policy","Nature of Service/Procedure"\n'
    '"11042","1","1 Line Edit","Anatomic Consideration"\n'
)
HCPCS = (  # the quarterly file's CSV layout (code, sequence and record kind in one field)
    "Code,Description1,Description2,Type,Unknown1,Unknown2,Unknown3,Unknown4\n"
    "RT001007,Right side,Right side,,,C,,198401011997\n"
    "G0008001003,Administration of influenza virus vaccine,Admin flu vac,,,C,,199401011996\n"
    "J0129001003,Injection abatacept 10 mg,Abatacept injection,,,C,,200701012012\n"
)
CPT = (
    "11042\tDebridement test descriptor\n97597\tWound care test descriptor\n"
    "25\tModifier test descriptor\n"
)


def write_ptp(folder: Path, rows: list[str] = PTP_ROWS, name: str = "ccipra-v324r0-f1.txt") -> Path:
    path = folder / name
    path.write_text(
        NOTICE + "Practitioner PTP edits effective 2026-10-01\n" + PTP_HEAD + "\n".join(rows) + "\n"
    )
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    folder = tmp_path_factory.mktemp("ncci")
    mue = folder / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
    mue.write_text(MUE)
    cpt = folder / "CPT2026_LONGULT.txt"
    cpt.write_text(CPT)
    hcpcs = folder / "HCPC2026_JUL_ANWEB.csv"
    hcpcs.write_text(HCPCS)
    settings = Settings(
        data_dir=folder / "data", corpus_dir=None, embedder="hash", vectors="memory"
    )
    results, errors = ingest(settings, [write_ptp(folder), mue, cpt, hcpcs], quiet=True)
    assert not errors, errors
    assert {r.source: r.records for r in results} == {
        "ncci-ptp-practitioner": 4, "ncci-mue-practitioner": 3, "cpt": 3, "hcpcs": 3,
    }  # fmt: skip
    return Catalog(settings.catalog_path)


def run(catalog: Catalog, *procedures: dict[str, Any], setting: str = "professional") -> Report:
    body = {
        "date_of_service": "2026-11-20",
        "setting": setting,
        "patient": {"age": 50},
        "diagnoses": [{"code": "L97.412"}],
        "procedures": list(procedures),
    }
    return check(catalog, read_encounter(body))


def found(report: Report, rule: str) -> list[tuple[str, list[str]]]:
    return [(f.severity, f.codes) for f in report.findings if f.rule == rule]


def test_indicator_0_pair_is_an_error_whatever_the_modifier(loaded: Catalog) -> None:
    report = run(loaded, {"code": "36000"}, {"code": "36410", "modifiers": ["59"]})
    assert found(report, "ncci_ptp") == [("error", ["36000", "36410"])]
    [finding] = [f for f in report.findings if f.rule == "ncci_ptp"]
    assert finding.citations[0].passage_id == "ncci:ncci-ptp-practitioner@2026-10:5"


def test_indicator_1_pair_passes_only_with_a_bypass_modifier(loaded: Catalog) -> None:
    bare = run(loaded, {"code": "11042"}, {"code": "97597"})
    assert found(bare, "ncci_ptp") == [("error", ["11042", "97597"])]
    for modifier in ("59", "XS", "RT"):
        marked = run(loaded, {"code": "11042"}, {"code": "97597", "modifiers": [modifier]})
        assert not found(marked, "ncci_ptp")
        assert found(marked, "ncci_ptp_bypassed") == [("info", ["11042", "97597"])]
    wrong = run(loaded, {"code": "11042"}, {"code": "97597", "modifiers": ["GA"]})
    assert found(wrong, "ncci_ptp")


def test_deleted_and_indicator_9_pairs_do_not_apply(loaded: Catalog) -> None:
    assert not found(run(loaded, {"code": "G0008"}, {"code": "96372"}), "ncci_ptp")
    assert not found(run(loaded, {"code": "20610"}, {"code": "20604"}), "ncci_ptp")


def test_mue_by_adjudication_indicator(loaded: Catalog) -> None:
    line = run(loaded, {"code": "11042", "units": 2})
    assert found(line, "ncci_mue") == [("error", ["11042"])]
    policy = run(loaded, {"code": "G0008"}, {"code": "G0008"})  # 2 on the day, MUE 1
    assert found(policy, "ncci_mue") == [("error", ["G0008", "G0008"])]
    clinical = run(loaded, {"code": "J0129", "units": 60}, {"code": "J0129", "units": 50})
    assert found(clinical, "ncci_mue") == [("warning", ["J0129", "J0129"])]
    assert not found(run(loaded, {"code": "J0129", "units": 100}), "ncci_mue")


def test_hospital_tables_not_loaded_say_so(loaded: Catalog) -> None:
    report = run(loaded, {"code": "11042"}, {"code": "97597"}, setting="outpatient")
    assert found(report, "ncci_ptp_not_loaded") and found(report, "ncci_mue_not_loaded")
    assert report.editions["ncci-ptp"] == "not loaded"
    inpatient = run(loaded, {"code": "11042"}, {"code": "97597"}, setting="inpatient")
    assert not [f for f in inpatient.findings if f.rule.startswith("ncci")]


def test_cpt_loaded_codes_and_modifiers_are_checked(loaded: Catalog) -> None:
    report = run(
        loaded, {"code": "11042", "modifiers": ["25"]}, {"code": "99999", "modifiers": ["26"]}
    )
    assert found(report, "unknown_code") == [("error", ["99999"])]
    assert found(report, "unknown_modifier") == [("error", ["99999"])]
    assert not [f for f in report.findings if f.rule == "not_verifiable" and "11042" in f.codes]


def test_the_cited_row_opens(loaded: Catalog) -> None:
    row = table_passage(loaded, "ncci:ncci-mue-practitioner@2026-10:4")
    assert row is not None and "MUE value 1" in row.text and row.edition == "2026-10"
    assert table_passage(loaded, "ncci:ncci-mue-practitioner@2026-10:999") is None


def test_the_spreadsheet_layout_loads_the_same(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Medicare NCCI Practitioner PTP Edits, effective 2026-10-01"])
    sheet.append([h for h in PTP_HEAD.strip().split("\t")])
    for row in PTP_ROWS:
        fields: list[Any] = row.split("\t")
        fields[3] = int(fields[3])  # spreadsheets hold dates as numbers
        sheet.append(fields)
    path = tmp_path / "ccipra-v324r0-f1.xlsx"
    book.save(path)
    loader = loader_for(path)
    assert loader.name == "ncci"
    text = loader.load(write_ptp(tmp_path)).edits
    sheet_edits = loader.load(path).edits
    assert [(e.code, e.other, e.effective, e.deleted, e.indicator) for e in sheet_edits] == [
        (e.code, e.other, e.effective, e.deleted, e.indicator) for e in text
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("11042\t97597\t\t2013-01-01\t*\t1\tx", "effective date"),
        ("11042\t97597\t\t20130101\t*\t7\tx", "modifier indicator"),
        ("11042\tnot-a-code\t\t20130101\t*\t1\tx", "column 2"),
        ("11042\t97597\t\t20130101", "fields"),
    ],
)
def test_a_broken_row_names_its_line(tmp_path: Path, row: str, problem: str) -> None:
    path = write_ptp(tmp_path, [PTP_ROWS[0], row])
    with pytest.raises(SourceError) as raised:
        ncci.load(path)
    assert raised.value.line == 5 and problem in raised.value.message


def test_a_table_of_no_known_setting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "edits.txt"
    path.write_text(PTP_HEAD + PTP_ROWS[0] + "\n")
    with pytest.raises(SourceError, match="practitioner, hospital or DME"):
        ncci.load(path)


def test_hcpcs_codes_modifiers_and_quarter(loaded: Catalog) -> None:
    report = run(
        loaded, {"code": "G0008", "modifiers": ["RT"]}, {"code": "G9999", "modifiers": ["ZZ"]}
    )
    assert found(report, "unknown_code") == [("error", ["G9999"])]
    assert found(report, "unknown_modifier") == [("error", ["G9999"])]
    # the file loaded is the July 2026 quarter; October's is in effect on 2026-11-20
    [(severity, codes)] = found(report, "hcpcs_quarter")
    assert severity == "info" and codes == ["G0008", "G9999"]
    said = next(f.message for f in report.findings if f.rule == "hcpcs_quarter")
    assert "HCPCS Level II 2026 OCT is in effect" in said and "2026-07 file" in said
