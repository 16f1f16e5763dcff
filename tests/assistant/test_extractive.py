"""Pieces of the extractive answer: 7th characters, rule quotes and the sections beside them,
the setting a question is about."""

from __future__ import annotations

from assistant.catalog import Catalog
from assistant.citations import Citations
from assistant.extractive import guideline_block, reporting_codes
from assistant.models import Passage
from assistant.query import analyse, setting_of
from assistant.retrieval import Hit
from assistant.retrieval.rerank import elsewhere
from assistant.settings import Settings


def rule(section: str, text: str = "Code the condition. Then the other one.") -> Passage:
    return Passage(
        id=f"g-{section}",
        source="icd10cm-guidelines",
        system="icd10cm",
        kind="guideline",
        text=text,
        version="FY2026",
        title=f"Heading {section}",
        section=section,
        page=10,
    )


def code_passage(code: str) -> Passage:
    return Passage(
        id=f"c-{code}", source="icd10cm-tabular", system="icd10cm", kind="code",
        text="not billable", version="FY2026", title="t", code=code,
    )  # fmt: skip


def test_a_code_needing_a_7th_character_is_shown_with_it(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    dog = code_passage("W54.0")
    asked = analyse("A dog bit her on the leg: which external cause code?", catalog)
    assert reporting_codes(catalog, dog, asked) == (
        " — reported with a 7th character: **W54.0XXA** initial encounter; "
        "**W54.0XXD** subsequent encounter; **W54.0XXS** sequela"
    )
    stated = analyse("Bitten by a dog, subsequent encounter: what is the code?", catalog)
    assert reporting_codes(catalog, dog, stated) == (
        " — reported with a 7th character: **W54.0XXD** subsequent encounter"
    )
    # a question about the 7th character itself gets every choice, whatever it states
    which = analyse("Should we use the seventh character for an initial encounter?", catalog)
    assert "W54.0XXS" in reporting_codes(catalog, dog, which)
    assert reporting_codes(catalog, code_passage("E11.9"), asked) == ""


def test_rules_are_quoted_and_their_neighbours_named() -> None:
    hits = [
        Hit(rule("I.C.5.b.4"), 1.0, ("lexical",)),
        Hit(rule("I.C.5.b.1"), 0.9, ("defined",)),
        Hit(rule("I.C.9.a"), 0.8, ("dense",)),  # meaning alone: neither quoted nor named
        Hit(rule("I.C.5.b.2"), 0.7, ("lexical", "dense")),
    ]
    cites = Citations()
    block = guideline_block("which condition", hits, cites, count=1)
    assert block.startswith("> Code the condition.")
    assert "— Section I.C.5.b.4, page 10 [1]" in block
    assert block.endswith(
        "Other sections that may apply: I.C.5.b.1 Heading I.C.5.b.1 [2]; "
        "I.C.5.b.2 Heading I.C.5.b.2 [3]"
    )
    assert [c.section for c in cites.items] == ["I.C.5.b.4", "I.C.5.b.1", "I.C.5.b.2"]


def test_the_setting_a_question_names() -> None:
    assert setting_of("My ED physician saw a patient for chest pain, rule out GERD") == (
        "outpatient"
    )
    assert setting_of("The patient was admitted to rule out an MI") == "inpatient"
    assert setting_of("Seen in the office, then admitted") is None
    assert setting_of("Type 2 diabetes with hyperglycemia") is None
    assert setting_of("the patient's bed") is None  # "ED" is the department, in capitals
    assert elsewhere(rule("II.H"), "outpatient") and elsewhere(rule("IV.H"), "inpatient")
    assert not elsewhere(rule("I.C.19.a"), "outpatient")


def test_an_instruction_before_a_colon_is_not_the_question(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse(
        "Code the following condition according to ICD-10 coding conventions and "
        "guidelines: Senile dementia.",
        catalog,
    )
    assert query.focus == "Senile dementia." and query.asks_guideline


def test_a_pcs_table_row_is_shown_by_its_codes(default_index: Settings) -> None:
    from assistant.extractive import label

    catalog = Catalog(default_index.catalog_path)
    row = Passage(
        id="pcs-row", source="icd10pcs-tables", system="icd10pcs", kind="code",
        text="ICD-10-PCS table 07T", version="FY2026",
        title="Medical and Surgical, Lymphatic and Hemic Systems, Resection, Spleen",
        code="07T", codes=("07TP4ZG", "07TP4ZZ"),
    )  # fmt: skip
    query = analyse("laparoscopic splenectomy", catalog)
    assert label(row) == row.title  # the table 07T is not a code to report
    assert reporting_codes(catalog, row, query) == " — its codes: **07TP4ZG**, **07TP4ZZ**"


def test_a_lead_in_with_content_is_kept(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse(
        'In ICD-10-PCS, to code "freeing of vagus nerve root from surrounding scar tissue via '
        'open approach", the root operation would be: a) detachment b) division d) release.',
        catalog,
    )
    assert query.focus.startswith("freeing vagus nerve root surrounding scar tissue")


def test_a_choice_between_codes_gets_the_rule_that_tells_them_apart(
    default_index: Settings,
) -> None:
    from assistant.extractive import Found, compose

    catalog = Catalog(default_index.catalog_path)
    query = analyse("CKD stage 5 on dialysis. (options: N18.5 / N18.6, Z99.2)", catalog)
    assert query.options and not query.is_question  # short: read whole, as a title
    stages = rule("I.C.14.a.1", "Assign N18.6 for end stage renal disease. Then Z99.2.")
    found = Found(query, [], [Hit(stages, 1.0, ("lexical",))], [], [])
    cites = Citations()
    answer = compose(found, catalog, cites)
    assert "— Section I.C.14.a.1, page 10" in answer
    assert "I.C.14.a.1" in [c.section for c in cites.items]


def test_a_section_lies_within_a_chapter_or_not() -> None:
    from assistant.retrieval.rerank import within

    assert within(rule("I.C.19.e.5.a"), ("I.C.19",)) and within(rule("I.C.19"), ("I.C.19",))
    assert not within(rule("I.C.1.a"), ("I.C.19",)) and not within(rule("I.C.1"), ("I.C.19",))


def test_a_heading_alone_is_named_not_quoted() -> None:
    heading = rule("I.C.10.d", "d. Ventilator associated Pneumonia")
    heading = Passage(**{**heading.__dict__, "title": "d. Ventilator associated Pneumonia"})
    hits = [Hit(heading, 1.0, ("lexical",)), Hit(rule("I.C.10.d.1"), 0.9, ("lexical",))]
    cites = Citations()
    block = guideline_block("ventilator pneumonia", hits, cites, count=1)
    assert block.startswith("> Code the condition.") and "— Section I.C.10.d.1" in block
    assert "> d. Ventilator" not in block
    assert block.endswith("Other sections that may apply: I.C.10.d d. Ventilator associated "
                          "Pneumonia [2]")  # fmt: skip
