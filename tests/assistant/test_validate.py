from __future__ import annotations

import pytest

from assistant.answer_types import Answer, Citation
from assistant.catalog import Catalog
from assistant.settings import Settings
from assistant.validate import HEADER, UNKNOWN, validate


def citation(n: int) -> Citation:
    return Citation(n=n, passage_id=f"p{n}", source="s", title="t", version="v", text="x")


def run(text: str, settings: Settings, cites: int = 1) -> Answer:
    answer = Answer(
        answer=text, citations=[citation(n) for n in range(1, cites + 1)], codes=[], mode="llm"
    )
    return validate(answer, Catalog(settings.catalog_path))


def test_unknown_codes_are_marked_and_listed(default_index: Settings) -> None:
    out = run("Use E11.99 for this [1].", default_index)
    assert f"E11.99{UNKNOWN}" in out.answer
    assert out.codes[0].code == "E11.99" and not out.codes[0].valid
    assert any("E11.99" in w for w in out.warnings)


def test_category_presented_as_a_code_is_marked(default_index: Settings) -> None:
    out = run("Report E11 [1].", default_index)
    assert f"E11{HEADER}" in out.answer
    said = run("E11 is a category, not billable: pick E11.9 [1].", default_index)
    assert HEADER not in said.answer and not said.warnings
    assert [(c.code, c.billable) for c in said.codes] == [("E11", False), ("E11.9", True)]


def test_references_and_ranges_are_left_alone(default_index: Settings) -> None:
    out = run("Excludes1: type 1 diabetes mellitus (E10.-) and codes E08-E13 [1].", default_index)
    assert out.answer.startswith("Excludes1: type 1 diabetes mellitus (E10.-) and codes E08-E13")
    assert not out.warnings


def test_valid_codes_carry_system_and_version(default_index: Settings) -> None:
    out = run("E11.65 [1], ICD-9-CM 250.00 [1], T36.0X1A [1]", default_index)
    assert {(c.code, c.system, c.version) for c in out.codes} == {
        ("E11.65", "icd10cm", "FY2026"),
        ("250.00", "icd9cm", "GEMs 2018, ICD-9-CM v32"),
        ("T36.0X1A", "icd10cm", "FY2026"),
    }
    assert all(c.valid for c in out.codes)


def test_markers_without_a_passage_are_removed(default_index: Settings) -> None:
    out = run("E11.9 applies [1][7].", default_index, cites=1)
    assert out.answer == "E11.9 applies [1]."


# HCPCS Level II lines in the official CSV layout (code, sequence, record id), in our words
HCPCS_LINES = """Code,Description1,Description2,Type,Unknown1,Unknown2,Unknown3,Unknown4
M1001001003,Pain plan of care written by the second visit,Pain care plan,,,C,,20190101
G0008001003,Giving the influenza vaccine,Flu vaccine given,,,C,,20030101
JW001007,Drug amount thrown away and given to no one,Drug discarded,,,C,,20030101
"""


@pytest.fixture(scope="module")
def two_systems(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """ICD-10-CM chapter 13 (M codes) and a few HCPCS codes in one catalog: M1001 is HCPCS,
    M10.01 an ICD-10-CM subcategory."""
    from ingest.run import ingest
    from tests.conftest import trimmed_tabular

    folder = tmp_path_factory.mktemp("two")
    hcpcs = folder / "HCPC2025_OCT_ANWEB.csv"
    hcpcs.write_text(HCPCS_LINES)
    built = Settings(data_dir=folder / "data", corpus_dir=None, embedder="hash", vectors="memory")
    _, errors = ingest(built, [trimmed_tabular(folder, {"13"}), hcpcs], quiet=True)
    assert not errors
    return built


def test_each_code_is_checked_in_the_system_its_form_names(two_systems: Settings) -> None:
    out = run("Report M1001 [1] for the plan; gout of the shoulder is M10.01 [1].", two_systems)
    assert "M1001 ⚠" not in out.answer  # a billable HCPCS code, not an ICD-10-CM header
    assert f"M10.01{HEADER}" in out.answer  # M10.01 is a subcategory: pick M10.011 or M10.012
    assert [(c.code, c.system) for c in out.codes] == [("M1001", "hcpcs"), ("M10.01", "icd10cm")]


def test_a_question_reads_codes_in_their_own_system(two_systems: Settings) -> None:
    from assistant.query import analyse

    catalog = Catalog(two_systems.catalog_path)
    query = analyse("Is M1001 or M10.01 right, and G0008 with modifier JW?", catalog)
    assert [(c.code, c.system) for c in query.codes] == [
        ("M1001", "hcpcs"),
        ("M10.01", "icd10cm"),
        ("G0008", "hcpcs"),
    ]
    assert query.modifiers == ("JW",)
    hinted = analyse("ICD-10-CM code M1001: which side?", catalog)
    assert [(c.code, c.system) for c in hinted.codes] == [("M10.01", "icd10cm")]


def test_a_dotted_code_is_never_read_as_hcpcs(two_systems: Settings) -> None:
    from assistant.query import analyse

    out = run("Report G00.08 [1].", two_systems)  # G0008 is HCPCS; no code prints G00.08
    assert f"G00.08{UNKNOWN}" in out.answer and not out.codes[0].valid
    assert analyse("Is G00.08 right?", Catalog(two_systems.catalog_path)).codes == ()
