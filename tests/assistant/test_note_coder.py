"""Coding a note on the real Tabular List and a part of the real Alphabetic Index (the lines of
a few main terms), with NegEx reading what the note says of each condition."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.index import Index
from assistant.note_coder import code_note
from assistant.note_coder.model import MAX_NOTE_CHARS, CodedNote, NoteRequest
from assistant.note_coder.reading import reader_for
from assistant.note_coder.vocabulary import condition_terms, variants
from assistant.settings import Settings
from tests.conftest import index_slice

pytestmark = pytest.mark.integration  # ingests part of the index and builds the reader

MAIN_TERMS = {  # as the index prints them
    "Pain", "Hypertension, hypertensive", "Pneumonia", "Fever", "Cough", "Diabetes, diabetic",
    "Stroke", "Chronic", "History", "Disease, diseased", "Migraine", "Cystitis",
    "Failure, failed", "Fibrillation", "Osteoarthritis", "Q fever", "Fatigue", "Anemia", "Loss",
    "Three-day fever", "Infarct, infarction", "Hyperglycemia, hyperglycemic",
    "Hemorrhage, hemorrhagic", "Allergy, allergic", "Depression",
}  # fmt: skip
NOTE = (
    "Patient denies chest pain. History of stroke. Possible pneumonia.\n"
    "Mother has diabetes.\nAssessment: essential hypertension."
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    from ingest.run import ingest

    folder = tmp_path_factory.mktemp("notes")
    settings = Settings(
        data_dir=folder / "data", corpus_dir=None, embedder="hash", vectors="memory"
    )
    results, errors = ingest(settings, [index_slice(folder, MAIN_TERMS)], quiet=True)
    assert not errors, errors
    _, errors = ingest(settings, [], quiet=True)  # and the packaged tabular list
    assert not errors, errors
    return Index(settings)


def ask(index: Index, note: str, setting: str = "outpatient") -> CodedNote:
    request = NoteRequest.model_validate(
        {"note": note, "setting": setting, "date_of_service": "2026-11-20"}
    )
    return code_note(index, request)


def test_variants_of_a_main_term() -> None:
    assert variants("Diabetes, diabetic (mellitus) (sugar)") == ["diabetes", "diabetic"]
    assert variants("Pain(s) (see also Painful)") == ["pain", "pains"]


def test_each_mention_says_what_the_note_says_of_it(index: Index) -> None:
    terms = condition_terms(index.catalog)
    assert "pneumonia" in terms and "chronic" not in terms  # "Chronic - see condition"
    said = {
        (m.text.lower(), m.assertion) for m in reader_for(index.catalog, lambda: terms).read(NOTE)
    }
    assert {("pain", "negated"), ("stroke", "historical"), ("pneumonia", "uncertain"),
            ("diabetes", "family"), ("hypertension", "present")} <= said  # fmt: skip


def test_outpatient_codes_what_is_established(index: Index) -> None:
    result = ask(index, NOTE)
    codes = {s.code: s for s in result.codes}
    assert set(codes) == {"I10"}
    [evidence] = codes["I10"].evidence
    assert NOTE[evidence.start : evidence.end] == evidence.text == "essential hypertension"
    why = {n.text.lower(): n.why for n in result.not_coded}
    assert "IV.H" in why["pneumonia"] and "negated" in why["pain"]
    assert "relative" in why["diabetes"] and "past" in why["stroke"]


def test_inpatient_codes_an_uncertain_diagnosis_as_established(index: Index) -> None:
    result = ask(index, NOTE, "inpatient")
    codes = {s.code: s.assertion for s in result.codes}
    assert codes.get("J18.9") == "uncertain" and codes.get("I10") == "present"
    assert result.codes[0].code == "I10"  # the assessment first


def test_a_symptom_of_a_coded_diagnosis_is_not_coded(index: Index) -> None:
    note = "Admitted with fever and cough.\nDischarge diagnosis: pneumonia."
    result = ask(index, note, "inpatient")
    codes = {s.code for s in result.codes}
    assert "J18.9" in codes and not {c for c in codes if c.startswith("R")}
    assert any("I.B.5" in n.why for n in result.not_coded)
    alone = ask(index, "Fever and cough for two days.")
    assert {s.code for s in alone.codes} >= {"R50.9"}


def test_a_note_in_another_language_finds_nothing_codable(index: Index) -> None:
    result = ask(index, "Le patient présente une toux depuis deux jours, sans fièvre.")
    assert result.codes == []


@pytest.mark.parametrize(
    ("note", "problem"),
    [("", "at least 1"), ("   \n ", "empty"), ("fever\x00\x01", "binary"),
     ("x" * (MAX_NOTE_CHARS + 1), "at most")],
)  # fmt: skip
def test_bad_notes_are_refused(note: str, problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        NoteRequest.model_validate({"note": note, "date_of_service": "2026-11-20"})
    assert problem in str(raised.value)


def test_hypertension_with_kidney_disease_is_the_combination(index: Index) -> None:
    note = "Assessment:\n1. Hypertension.\n2. Chronic kidney disease stage 4."
    codes = {s.code: s for s in ask(index, note).codes}
    assert "I12.9" in codes and "I10" not in codes and "N18.4" in codes
    assert "I.C.9.a" in codes["I12.9"].reason


def test_a_vaguer_code_of_the_same_category_gives_way(index: Index) -> None:
    note = "Follow-up of diabetes.\nType 2 diabetes mellitus with diabetic chronic kidney disease."
    result = ask(index, note)
    codes = {s.code for s in result.codes}
    assert "E11.22" in codes and not codes & {"E11.9", "E11.8"}
    assert any("I.B.2" in n.why for n in result.not_coded)
    assert "N18.9" in codes  # E11.22 asks for the kidney disease's stage (N18.-)


def test_without_is_not_with(index: Index) -> None:
    note = "Assessment: migraine without aura, not intractable, without status migrainosus."
    codes = {s.code for s in ask(index, note).codes}
    assert codes == {"G43.009"}
    cystitis = {s.code for s in ask(index, "Acute cystitis without hematuria.").codes}
    assert cystitis == {"N30.00"}
    assert {s.code for s in ask(index, "Acute cystitis with hematuria.").codes} == {"N30.01"}


def test_qualifiers_after_a_comma_and_before_the_condition(index: Index) -> None:
    assert {s.code for s in ask(index, "Atrial fibrillation, paroxysmal.").codes} == {"I48.0"}
    note = "Acute on chronic systolic congestive heart failure."
    assert {s.code for s in ask(index, note, "inpatient").codes} == {"I50.23"}


def test_a_category_is_completed_in_the_tabular_list(index: Index) -> None:
    [right] = ask(index, "Imaging shows primary osteoarthritis of the right knee.").codes
    assert right.code == "M17.11" and "completed in the Tabular List" in right.reason
    tabular, line = right.citations  # the code's entry and the index line that led to it
    assert tabular.source == "icd10cm-tabular" and "right knee" in tabular.title
    assert line.source == "icd10cm-index" and line.title == "Osteoarthritis > knee > primary"
    [left] = ask(index, "Primary osteoarthritis of the left knee.").codes
    assert left.code == "M17.12"


def test_the_note_must_name_the_main_term(index: Index) -> None:
    """ "Fever" is not "Q fever": an entry counts only under a main term the note says."""
    codes = {s.code for s in ask(index, "Fever for two days.").codes}
    assert codes == {"R50.9"}
    assert {s.code for s in ask(index, "Q fever confirmed by serology.").codes} == {"A78"}


def test_a_past_condition_gets_its_history_code(index: Index) -> None:
    result = ask(index, "History of stroke in 2021 without residual deficits.")
    [past] = result.codes
    assert past.code == "Z86.73" and past.assertion == "historical"
    assert "History > personal" in past.reason


def test_symptoms_outside_the_assessment_are_what_it_explains(index: Index) -> None:
    note = "Fatigue and fever for a week.\nAssessment: pneumonia."
    result = ask(index, note)
    assert {s.code for s in result.codes} == {"J18.9"}
    why = {n.text.lower(): n.why for n in result.not_coded}
    assert "assessment accounts for" in why["fatigue"]
    named = ask(index, "Assessment: migraine. Fatigue.")  # not a symptom of the nervous system
    assert {s.code for s in named.codes} == {"G43.909", "R53.83"}


def test_a_condition_inside_a_combination_code_is_not_coded_again(index: Index) -> None:
    result = ask(index, "Assessment: iron deficiency anemia secondary to chronic blood loss.")
    assert {s.code for s in result.codes} == {"D50.0"}
    assert any(
        "loss" in n.text and "combination code D50.0" in n.why and "I.B.9" in n.why
        for n in result.not_coded
    ), result.not_coded
    assert {s.code for s in ask(index, "Chronic blood loss.").codes} == {"R58"}
    diabetes = ask(index, "Type 1 diabetes mellitus with hyperglycemia.")
    assert {s.code for s in diabetes.codes} == {"E10.65"}


def test_how_long_is_not_what(index: Index) -> None:
    assert {s.code for s in ask(index, "Fever for three days.").codes} == {"R50.9"}


def test_a_sub_term_in_another_of_its_forms(index: Index) -> None:
    note = "Acute ST elevation myocardial infarction of inferior wall."
    assert {s.code for s in ask(index, note, "inpatient").codes} == {"I21.19"}


HEART = "Discharge diagnosis: acute on chronic systolic congestive heart failure."


def test_a_model_chooses_among_the_index_candidates(index: Index) -> None:
    from tests.assistant.test_note_llm import Replies

    request = NoteRequest.model_validate(
        {"note": HEART, "setting": "inpatient", "date_of_service": "2026-11-20"}
    )
    model = Replies("[]", '[{"mention": 1, "code": "I50.22"}, {"mention": 2, "code": "I50.22"}]')
    result = code_note(index, request, model)
    assert result.mode == "llm" and [s.code for s in result.codes] == ["I50.22"]
    listed = model.seen[1][1][1]
    assert '1. "' in listed and "   - I50.23 " in listed and "   - I50.22 " in listed
    refused = Replies("[]", '[{"mention": 1, "code": "E11.9"}, {"mention": 9, "code": "I50.22"}]')
    kept = code_note(index, request, refused)
    assert [s.code for s in kept.codes] == ["I50.23"]  # the index's first candidate
    assert kept.warnings == [
        "2 of the model's choices named no listed mention or candidate: the index's first "
        "candidate is kept"
    ]
    declined = Replies("[]", '[{"mention": 1, "code": "none"}, {"mention": 2, "code": "none"}]')
    none = code_note(index, request, declined)
    assert none.codes == [] and any("none of the index's codes" in n.why for n in none.not_coded)


def test_a_failing_model_leaves_the_extractive_result(index: Index) -> None:
    from assistant.llm import ScriptedChat

    request = NoteRequest(note="Assessment: pneumonia.", date_of_service="2026-11-20")
    for model, why in [
        (ScriptedChat("", fail=ConnectionError("refused")), "(ConnectionError)"),
        (ScriptedChat("It is pneumonia, J18.9."), "(its reply was not the JSON list asked for)"),
    ]:
        result = code_note(index, request, model)
        assert result.mode == "extractive" and [s.code for s in result.codes] == ["J18.9"]
        assert result.warnings == [
            f"the language model failed {why}: the extractive result is shown"
        ]


def test_what_the_final_diagnoses_name_is_what_is_coded(index: Index) -> None:
    """A symptom of the history (fever, a bare "pain") gives way to the final diagnoses, even
    when those are symptoms themselves; a past MI's code does not make chest pain its symptom."""
    note = (
        "HISTORY OF PRESENT ILLNESS: Fever and midsternal pain this evening. "
        "History of myocardial infarction.\n"
        "ALLERGIES: penicillin allergy.\n"
        "FINAL DIAGNOSIS:\n1. Chest pain.\n"
    )
    result = ask(index, note)
    assert {s.code for s in result.codes} == {"R07.9", "I25.2"}
    why = {n.text.lower(): n.why for n in result.not_coded}
    assert "accounts for with R07.9" in why["fever"]
    assert not any("allergy" in n.text for n in result.not_coded)  # a list of substances


def test_a_condition_naming_what_a_thing_is_for_is_not_coded(index: Index) -> None:
    assert ask(index, "Continue his pain medication. Depression screening done.").codes == []


def test_the_assessment_has_the_last_word(index: Index) -> None:
    note = (
        "HISTORY OF PRESENT ILLNESS: The CT suggested pneumonia. Migraine with aura as a teen.\n"
        "DISCHARGE DIAGNOSES:\n1. Pneumonia ruled out.\n2. Migraine without aura.\n"
    )
    result = ask(index, note, "inpatient")
    assert {s.code for s in result.codes} == {"G43.009"}  # not the history's G43.109, no J18
    why = {n.text.lower(): n.why for n in result.not_coded}
    assert "G43.009 says more" in why["migraine with aura"]


def test_findings_and_admitting_diagnoses_are_not_the_assessment(index: Index) -> None:
    note = (
        "ADMISSION DIAGNOSIS: Fever.\nIMAGING: Right lower lobe pneumonia.\n"
        "DISCHARGE DIAGNOSES:\n1. Migraine.\n"
    )
    result = ask(index, note, "inpatient")
    assert {s.code for s in result.codes} == {"G43.909"}
    why = {n.text.lower(): n.why for n in result.not_coded}
    assert why["fever"].startswith("a symptom the assessment accounts for")
    assert any(
        n.why.startswith("a finding or complaint the assessment") and "pneumonia" in n.text
        for n in result.not_coded
    ), result.not_coded


def test_a_symptom_listed_as_a_diagnosis_of_its_own_is_coded(index: Index) -> None:
    listed = ask(index, "DISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Cough.\n", "inpatient")
    assert {s.code for s in listed.codes} == {"J18.9", "R05.9"}
    joined = ask(index, "DISCHARGE DIAGNOSES:\n1. Pneumonia with cough.\n", "inpatient")
    assert {s.code for s in joined.codes} == {"J18.9"}


def test_a_disease_diagnosed_years_ago_goes_on(index: Index) -> None:
    result = ask(index, "Parkinson's disease diagnosed six years ago, no dyskinesia.")
    assert [(s.code, s.assertion) for s in result.codes] == [("G20.A1", "present")]
