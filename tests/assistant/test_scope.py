"""Questions about sources medcode does not load say so, and name what would answer them."""

from __future__ import annotations

import pytest

from assistant.catalog import Catalog
from assistant.chat import Assistant, Turn
from assistant.index import Index
from assistant.query import analyse
from assistant.scope import gaps
from assistant.settings import Settings

LOADED = {"icd10cm-tabular", "icd9cm-gems", "hcpcs"}


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Can I bill a 99213 with modifier 25 for ear pain?", {"CPT", "CPT modifiers"}),
        ("Is 45378 bundled into 45385 under NCCI?", {"CPT", "NCCI procedure-to-procedure edits"}),
        ("What is the MUE for J1885 per day?", {"MUE tables"}),
        ("Would a 59 mod or an XS mod be more appropriate here?", {"CPT modifiers"}),
        ("Is there an LCD that covers knee orthoses?", {"payer and CMS coverage policy"}),
        ("Can we report a separate E/M along with the vaccine administration?", {"CPT"}),
    ],
)
def test_questions_beyond_the_loaded_sources(
    default_index: Settings, question: str, names: set[str]
) -> None:
    query = analyse(question, Catalog(default_index.catalog_path))
    found = {m.name for m in gaps(query, LOADED, set())}
    assert names <= found, found
    assert all(m.offered_at.startswith("https://") for m in gaps(query, LOADED, set()))


@pytest.mark.parametrize(
    "question",
    [
        "code for type 2 diabetes with hyperglycemia?",
        "Patient seen for multiple burns of the left shoulder. What is the correct code?",
        "Can I code probable pneumonia for an outpatient visit?",
        "Is E11.9 billable?",
    ],
)
def test_questions_within_them_claim_nothing_missing(
    default_index: Settings, question: str
) -> None:
    query = analyse(question, Catalog(default_index.catalog_path))
    assert gaps(query, LOADED, set()) == []


def test_a_loaded_modifier_is_not_missing(default_index: Settings) -> None:
    query = analyse("What does the JW modifier mean?", Catalog(default_index.catalog_path))
    assert query.modifiers == ("JW",)
    assert gaps(query, LOADED, {"JW"}) == []
    # not loaded: then even a descriptor question lacks its source
    assert [m.name for m in gaps(query, LOADED, set())] == ["CPT modifiers"]


def test_the_answer_says_what_is_missing_first(default_index: Settings) -> None:
    bot = Assistant(Index(default_index))
    answer = bot.answer(
        [Turn("user", "Which CPT code is right for an ultrasound guided thoracentesis?")]
    )
    assert answer.answer.startswith("**Not loaded:**")
    assert [m.name for m in answer.missing] == ["CPT"]
    assert "ama-assn.org" in answer.answer
    in_scope = bot.answer([Turn("user", "code for type 2 diabetes with hyperglycemia?")])
    assert in_scope.missing == [] and "Not loaded" not in in_scope.answer


def test_a_procedure_without_the_pcs_tables_says_they_are_missing(
    default_index: Settings,
) -> None:
    # the default sources hold no ICD-10-PCS: a procedure's code cannot be built
    bot = Assistant(Index(default_index))
    answer = bot.answer([Turn("user", "Removal of a spleen performed via laparoscopy. Code?")])
    assert answer.answer.startswith("**Not loaded:**")
    assert [m.name for m in answer.missing] == ["ICD-10-PCS"]
    assert "cms.gov" in answer.answer
    named = analyse("What is the ICD-10-PCS code for an ORIF?", Catalog(default_index.catalog_path))
    assert [m.name for m in gaps(named, LOADED, set())] == ["ICD-10-PCS"]
    assert gaps(named, LOADED | {"icd10pcs-tables"}, set()) == []  # loaded: nothing missing
