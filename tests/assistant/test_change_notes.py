"""What an edition did to a code, as a passage: built from the valid-code lists with the loaded
titles, cited in answers about changes and opened by its id."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.catalog import Catalog
from assistant.change_notes import by_id, change_passage, within
from assistant.chat import Assistant, Turn
from assistant.index import Index
from assistant.settings import Settings

NOVEMBER = date(2026, 11, 15)  # FY2027
SEPTEMBER = date(2026, 9, 15)  # FY2026


@pytest.fixture(scope="module")
def catalog(default_index: Settings) -> Catalog:
    return Catalog(default_index.catalog_path)


@pytest.fixture(scope="module")
def bot(default_index: Settings) -> Assistant:
    return Assistant(Index(default_index))


def test_a_deleted_code_and_its_new_codes(catalog: Catalog) -> None:
    deleted = change_passage(catalog, "icd10cm", "FY2027", "I420")
    assert deleted is not None and deleted.id == "changes:icd10cm:FY2027:I420"
    assert deleted.text == (
        "ICD-10-CM FY2027 (dates of service from 2026-10-01): I42.0 Dilated cardiomyopathy is "
        "deleted; report one of I42.00, I42.01, I42.09 instead."
    )
    assert deleted.kind == "change" and deleted.edition == "FY2027"
    added = change_passage(catalog, "icd10cm", "FY2027", "I4201")
    assert added is not None and added.title == "I42.01 added in FY2027"
    assert "title not loaded here) is a new code, under I42.0 Dilated cardiomyopathy" in added.text
    assert change_passage(catalog, "icd10cm", "FY2027", "E119") is None  # unchanged
    assert change_passage(catalog, "icd10cm", "FY2026", "I420") is None  # not that year
    assert change_passage(catalog, "hcpcs", "FY2027", "A0021") is None


def test_a_record_opens_by_its_id_and_a_category_lists_its_changes(catalog: Catalog) -> None:
    opened = by_id(catalog, "changes:icd10cm:FY2027:I420")
    assert opened is not None and opened.code == "I42.0"
    for bad in ("changes:icd10cm:FY1999:I420", "changes:cpt:FY2027:99213", "changes:x", "I420"):
        assert by_id(catalog, bad) is None
    listed = within(catalog, "icd10cm", "FY2027", ["I42"])
    assert [p.code for p in listed] == [
        "I42.0",
        "I42.8",
        "I42.00",
        "I42.01",
        "I42.09",
        "I42.81",
        "I42.89",
    ]


def test_an_answer_says_what_the_edition_changed(bot: Assistant) -> None:
    asked = [Turn("user", "is I42.0 still valid?")]
    november = bot.answer(asked, use_llm=False, date_of_service=NOVEMBER)
    assert "Code changes in FY2027:" in november.answer
    assert "I42.0 Dilated cardiomyopathy is deleted; report one of I42.00, I42.01, I42.09" in (
        november.answer
    )
    cited = {c.passage_id: c for c in november.citations}
    assert cited["changes:icd10cm:FY2027:I420"].edition == "FY2027"
    assert "CMS Medicare Code Editor valid-code tables FY2027" in november.versions
    september = bot.answer(asked, use_llm=False, date_of_service=SEPTEMBER)
    assert "Code changes" not in september.answer
    assert "Code changes" not in bot.answer(asked, use_llm=False).answer  # no date, no change


def test_what_changed_for_a_condition(bot: Assistant) -> None:
    turns = [Turn("user", "what changed in FY2027 for cardiomyopathy?")]
    found = bot.answer(turns, use_llm=False, date_of_service=SEPTEMBER)  # FY2027 named: it rules
    listed = found.answer.split("\n\n")[0]
    assert listed.startswith("Code changes in FY2027:") and "I42.01" in listed
    assert "⚠" not in listed  # a record that says a code is deleted is not marked for it


def test_a_made_up_code_in_a_change_line_is_still_marked(catalog: Catalog) -> None:
    from assistant.validate import check_text

    text = "- Q99.99 Made-up condition is deleted; report one of I42.00 instead."
    marked, _, warnings = check_text(text, catalog, set(), SEPTEMBER)
    assert "Q99.99 ⚠" in marked and "I42.00 ⚠" not in marked
    assert warnings == ["Q99.99 is not a code in the loaded code sets; it was marked"]
