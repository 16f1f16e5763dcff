from __future__ import annotations

import pytest

from assistant.catalog import Catalog
from assistant.codes import systems_for, to_key
from assistant.lay_terms import expanded
from assistant.query import analyse
from assistant.settings import Settings


@pytest.mark.parametrize(
    ("raw", "system"),
    [
        ("e11.9", "icd10cm"),
        ("E119", "icd10cm"),
        ("T36.0X1A", "icd10cm"),
        ("0DTJ4ZZ", "icd10pcs"),
        ("G0008", "hcpcs"),
        ("99213", "cpt"),
        ("250.00", "icd9cm"),
        ("25000", "icd9cm"),
    ],
)
def test_code_syntax(raw: str, system: str) -> None:
    assert system in systems_for(raw)


def test_forms_reduce_to_one_key() -> None:
    assert {to_key(x) for x in ["e11.9", " E11.9 ", "E119", "e 11.9"]} == {"E119"}


def test_codes_found_in_questions(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse("is e1165 billable, and what about S72.002A?", catalog)
    assert [c.code for c in query.codes] == ["E11.65", "S72.002A"]
    icd9 = analyse("what replaced ICD-9 250.00?", catalog)
    assert icd9.system_hint == "icd9cm" and icd9.codes[0].system == "icd9cm"
    assert analyse("E11.9", catalog).is_code_lookup
    assert not analyse("E11.9 with neuropathy", catalog).is_code_lookup
    assert analyse("can I code probable pneumonia outpatient?", catalog).asks_guideline
    assert analyse("PCS code for appendectomy", catalog).system_hint == "icd10pcs"
    assert analyse("fever 2026", catalog).codes == ()


def test_code_set_names_are_never_codes(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    for text in [
        "What is the code for retained products of conception in ICD-10-CM?",
        "Which ICD-10 code(s) do I use for long COVID?",
        "Is this an ICD-10-PCS or a CPT® question?",
        "ICD 10 CM code for hives",
    ]:
        query = analyse(text, catalog)
        assert query.codes == (), text
        assert "10" not in query.focus.split(), text
    assert analyse("ICD-10-CM code for E11.9", catalog).system_hint == "icd10cm"


def test_numbers_in_prose_are_quantities(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    text = (
        "A baby born at 34 weeks weighs 4.85 lbs; the mother, aged 250, took 100 mg twice, "
        "CKD stage 3, pain in the 2nd toe for 3 days, score of 6/8."
    )
    query = analyse(text, catalog)
    assert query.codes == () and query.cpt_codes == ()
    assert "4.85" in query.focus and "stage 3" in query.focus
    # a bare three-digit number is ICD-9-CM only when the question says so
    assert analyse("ICD-9 code 25000 for diabetes", catalog).codes[0].system == "icd9cm"
    assert analyse("code 25000 for diabetes", catalog).cpt_codes == ("25000",)


def test_cpt_codes_and_modifiers_are_read_as_such(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse("Can I bill 99213 with modifier 25 and XS modifier?", catalog)
    assert query.cpt_codes == ("99213",) and query.codes == ()
    assert query.modifiers == ("25", "XS")
    assert "modifier" in query.intents
    plain = analyse("he was referred to modifier review or to the clinic", catalog)
    assert plain.modifiers == ()


def test_options_are_kept_apart(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse(
        "CKD stage 5 requiring chronic dialysis. What are the correct codes? "
        "(options: N18.5 / N18.5, Z99.2 / N18.6 / Z99.2)",
        catalog,
    )
    assert [c.code for c in query.options] == ["N18.5", "Z99.2", "N18.6"]
    assert "N18" not in query.focus and "options" not in query.focus
    assert "code" in query.intents


def test_a_narrative_is_read_for_its_conditions(default_index: Settings) -> None:
    from assistant.vocabulary import Vocabulary

    catalog = Catalog(default_index.catalog_path)
    text = (
        "A patient presented to our office and the physician documented hypertension, "
        "chronic kidney disease on dialysis and a history of nicotine dependence. What codes "
        "should we report?"
    )
    query = analyse(text, catalog, Vocabulary(catalog))
    for word in ("presented", "physician", "documented", "report"):
        assert word not in query.focus.split()
    assert "hypertension" in query.focus and "dialysis" in query.focus
    assert query.concepts == (
        "hypertension",
        "chronic kidney disease dialysis",
        "history nicotine dependence",
    )
    # a title, however long, keeps every word and has no concepts
    title = (
        "Closed fracture of base of skull with subarachnoid, subdural, and extradural hemorrhage"
    )
    read = analyse(title, catalog, Vocabulary(catalog))
    assert read.focus == title and read.concepts == () and not read.is_question


def test_a_question_naming_one_code_set_is_kept_to_it(default_index: Settings) -> None:
    from assistant.query import only_system

    assert only_system("What is the code for retained products of conception in ICD-10-CM?") == (
        "icd10cm"
    )
    assert only_system("ICD-10-PCS code for a laparoscopic appendectomy") == "icd10pcs"
    assert only_system("Which ICD-10-CM code replaced ICD-9 250.00?") is None  # wants both
    assert only_system("HCPCS or CPT for a flu shot?") is None
    assert only_system("code for hives") is None


def test_abbreviations_and_lay_words_gain_the_official_words(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    query = analyse("Pt with HTN and CKD stage 3, on a flu shot schedule", catalog)
    assert query.focus.startswith("Pt with HTN hypertension and CKD chronic kidney disease")
    assert "flu influenza shot vaccine injection" in query.focus
    # capitals count for abbreviations; words the question already says are not repeated
    assert expanded("mi and pad") == "mi and pad"
    assert expanded("Hypertension (HTN)") == "Hypertension (HTN)"
    assert expanded("Hx of MI, MIs twice") == "Hx of MI myocardial infarction, MIs twice"
    # a twin pregnancy's placentas and sacs in the words of the O30 titles
    twins = expanded("Twin pregnancy, one placenta, two amniotic sacs")
    assert twins == "Twin pregnancy, one placenta monochorionic, two amniotic sacs diamniotic"
    assert "dichorionic" in expanded("twins with two placentas")
