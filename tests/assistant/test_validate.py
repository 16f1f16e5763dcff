from __future__ import annotations

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
