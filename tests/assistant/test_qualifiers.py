"""Reading the words that tell sibling codes apart, on real ICD-10-CM titles."""

from __future__ import annotations

import pytest

from assistant.qualifiers import contradictions, read
from assistant.text import stems


def clash(query: str, title: str) -> int:
    return contradictions(read(query), read(title))


def test_a_denial_runs_to_the_next_comma_or_with() -> None:
    reading = read("Migraine, unspecified, not intractable, without status migrainosus")
    assert stems("intractable status migrainosus") <= reading.denied
    assert stems("migraine") <= reading.said
    with_obstruction = read("Incisional hernia with obstruction, without gangrene")
    assert stems("obstruction") <= with_obstruction.said
    assert stems("gangrene") <= with_obstruction.denied
    # "or" keeps the denial open: both words are denied
    denied = read("Incisional hernia without obstruction or gangrene").denied
    assert stems("obstruction gangrene") <= denied


@pytest.mark.parametrize(
    ("query", "wrong", "right"),
    [
        (
            "Bronchiectasis without acute exacerbation",
            "Bronchiectasis with (acute) exacerbation",
            "Bronchiectasis, uncomplicated",
        ),
        (
            "incisional ventral hernia with obstruction",
            "Incisional hernia without obstruction or gangrene",
            "Incisional hernia with obstruction, without gangrene",
        ),
        (
            "migraine without mention of intractable migraine",
            "Migraine, unspecified, intractable, without status migrainosus",
            "Migraine, unspecified, not intractable, without status migrainosus",
        ),
        (
            "tympanosclerosis",
            "Tympanosclerosis, bilateral",
            "Tympanosclerosis, unspecified ear",
        ),
        ("pain in right knee", "Pain in unspecified knee", "Pain in right knee"),
        (
            "arthritis of both knees",
            "Unilateral primary osteoarthritis, left knee",
            "Bilateral primary osteoarthritis of knee",
        ),
        (
            "Other specified hemorrhagic conditions",
            "Hemorrhagic condition, unspecified",
            "Other specified hemorrhagic conditions",
        ),
        (
            "Stage III necrotizing enterocolitis in newborn",
            "Stage 1 necrotizing enterocolitis in newborn",
            "Stage 3 necrotizing enterocolitis in newborn",
        ),
        (
            "twin gestation, unable to determine number of placenta",
            "Twin pregnancy, unable to determine number of placenta, first trimester",
            "Twin pregnancy, unable to determine number of placenta, unspecified trimester",
        ),
        (
            "urinary tract infection in pregnancy, 2nd trimester",
            "Infections of other parts of urinary tract in pregnancy, unspecified trimester",
            "Infections of other parts of urinary tract in pregnancy, second trimester",
        ),
        (
            "Other trigeminal autonomic cephalgias",
            "Other trigeminal autonomic cephalgias (TAC), intractable",
            "Other trigeminal autonomic cephalgias (TAC), not intractable",
        ),
        (
            "generalized idiopathic epilepsy",
            "Generalized idiopathic epilepsy, not intractable, with status epilepticus",
            "Generalized idiopathic epilepsy, not intractable, without status epilepticus",
        ),
        (
            "complete rupture of rotator cuff",
            "Incomplete rotator cuff tear or rupture of unspecified shoulder",
            "Complete rotator cuff tear or rupture of unspecified shoulder",
        ),
        (
            "late effect of cerebrovascular disease, facial weakness",
            "Facial weakness following nontraumatic subarachnoid hemorrhage, initial",
            "Facial weakness following unspecified cerebrovascular disease, sequela",
        ),
        ("mitral stenosis", "Congenital mitral stenosis", "Rheumatic mitral stenosis"),
        (
            "Malignant neoplasm of nasal cavities",
            "Personal history of malignant neoplasm of nasal cavities",
            "Malignant neoplasm of nasal cavity",
        ),
        (
            "Villonodular synovitis, site unspecified",
            "Villonodular synovitis (pigmented), multiple sites",
            "Villonodular synovitis (pigmented), unspecified site",
        ),
        ("mild dysplasia of cervix", "Moderate cervical dysplasia", "Mild cervical dysplasia"),
        (
            "Benign neoplasm of pancreas, except islets of Langerhans",
            "Benign neoplasm of islets of Langerhans",
            "Benign neoplasm of pancreas",
        ),
        (
            "neoplasm of uncertain behavior of placenta",
            "Malignant neoplasm of placenta",
            "Neoplasm of uncertain behavior of placenta",
        ),
        (
            "type 2 diabetic with high blood sugar",
            "Type 2 diabetes mellitus without complications",
            "Type 2 diabetes mellitus with hyperglycemia",
        ),
        (
            "STEMI of inferior wall, initial episode",
            "Subsequent ST elevation (STEMI) myocardial infarction of inferior wall",
            "ST elevation (STEMI) myocardial infarction involving other coronary artery "
            "of inferior wall",
        ),
    ],
)
def test_the_contradicting_sibling_scores_more_clashes(query: str, wrong: str, right: str) -> None:
    assert clash(query, wrong) > clash(query, right) == 0


def test_a_query_that_names_nothing_it_comes_with_may_be_without_complications() -> None:
    plain = "Type 2 diabetes mellitus without complications"
    assert clash("type 2 diabetes", plain) == 0
    assert clash("type 2 diabetes without complication", plain) == 0
    assert clash("diabetes, with", plain) == 0  # "with" and nothing after it in its clause


def test_a_right_that_is_not_a_side_is_not_read_as_one() -> None:
    assert read("what is the right code for knee pain?").side is None
    assert read("is that right?").side is None
    assert read("knee pain, right").side == "right"
    assert clash("what is the right code for knee pain", "Pain in unspecified knee") == 0


def test_unrelated_words_are_no_contradiction() -> None:
    # an anomaly is congenital: the query names the congenital setting
    assert clash("vitreous anomalies", "Congenital malformation of vitreous humor") == 0
    assert clash("hives", "Urticaria, unspecified") == 0
    assert (
        clash(
            "type 2 diabetes with neuropathy",
            "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
        )
        == 0
    )
    assert clash("type 2 diabetes", "Type 1 diabetes mellitus without complications") == 1
