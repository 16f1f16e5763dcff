from __future__ import annotations

import json

import pytest

from assistant.errors import SourceError
from assistant.models import SourceData
from ingest.loaders import guidelines
from tests.conftest import SHARED, corpus_file


@pytest.fixture(scope="module")
def loaded() -> SourceData:
    return guidelines.load(corpus_file("icd10cm-guidelines-FY2026.pdf"))


def under(section: str | None, expected: str) -> bool:
    return section is not None and (section == expected or section.startswith(expected + "."))


def test_sections_in_the_guidelines_own_notation(loaded: SourceData) -> None:
    sections = {p.section for p in loaded.passages}
    assert {"I.A.6", "I.B.16", "I.C.4.a.6.a", "II.A", "IV.M", "Appendix I"} <= sections
    assert {f"I.C.{n}" for n in range(1, 23)} <= sections
    first = next(p for p in loaded.passages if p.section == "I.C.4.a")
    assert first.page == 39 and first.trail is not None
    assert first.trail.endswith(
        "C. Chapter-Specific Coding Guidelines > "
        "4. Chapter 4: Endocrine, Nutritional, and Metabolic Diseases "
        "(E00-E89) > a. Diabetes mellitus"
    )


def test_a_heading_that_wraps_is_whole(loaded: SourceData) -> None:
    # the PDF breaks "... Guidelines for" / "Outpatient Services" over two lines; the next
    # heading ("a. Alphabetic Index abbreviations") is never taken for a continuation
    trails = {p.section: p.trail or "" for p in loaded.passages}
    assert trails["IV.H"].split(" > ")[1].endswith("Guidelines for Outpatient Services")
    assert trails["I.A"].split(" > ")[1].endswith("and chapter specific guidelines")
    assert trails["I.C.1.e.1.c"].endswith("(MSSA) and MRSA colonization")
    assert trails["I.A.6.a"].endswith("> 6. Abbreviations > a. Alphabetic Index abbreviations")
    # the continuation stays in the text too
    assert "Outpatient Services" in next(p.text for p in loaded.passages if p.section == "IV")


def test_every_eval_section_exists(loaded: SourceData) -> None:
    path = SHARED / "eval" / "dev_guidelines.jsonl"
    if not path.is_file():
        pytest.skip("needs ../shared/eval/dev_guidelines.jsonl")
    sections = [p.section for p in loaded.passages]
    for line in path.read_text().splitlines():
        wanted = json.loads(line)["expected_sections"]
        assert any(under(s, w) for s in sections for w in wanted), wanted


def test_running_headers_and_contents_stay_out(loaded: SourceData) -> None:
    for passage in loaded.passages:
        assert "of 121" not in passage.text
        assert "Official Guidelines for Coding and Reporting FY" not in passage.text
        assert "......" not in passage.text
    assert all(p.page and p.page >= 7 for p in loaded.passages if p.section)


def test_a_non_pdf_named_pdf_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "icd10cm-guidelines.pdf"
    fake.write_text("this is not a pdf")
    assert not guidelines.detect(fake)
    with pytest.raises(SourceError, match="not a PDF"):
        guidelines.load(fake)
