"""The rules a question names by what it asks (a choice of 7th characters, a "rule out", a past
condition, a drug's effect, a condition the visit did not address) are asked of the guidelines
in their own words."""

from __future__ import annotations

import pytest

from assistant.catalog import Catalog
from assistant.chat import Assistant
from assistant.filters import Filters
from assistant.index import Index
from assistant.query import analyse
from assistant.rule_probes import (
    DRUG_EFFECT_WORDS,
    HISTORY_WORDS,
    SEVENTH_WORDS,
    UNADDRESSED_WORDS,
    UNCERTAIN_WORDS,
    probes,
)
from assistant.settings import Settings
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def catalog(default_index: Settings) -> Catalog:
    return Catalog(default_index.catalog_path)


def test_which_rules_a_question_names(catalog: Catalog) -> None:
    burns = "Third visit for burns of the shoulder. (options: T22.091A, T22.091D, T22.092A)"
    assert probes(analyse(burns, catalog)) == [(SEVENTH_WORDS, True)]
    assert probes(analyse("Which 7th character for a healing fracture?", catalog)) == [
        (SEVENTH_WORDS, True)
    ]
    admitted = "The patient is admitted to rule out (R/O) a myocardial infarction: is it coded?"
    assert probes(analyse(admitted, catalog)) == [(UNCERTAIN_WORDS["inpatient"], True)]
    office = "Office visit, probable pneumonia: can I code it in the outpatient setting?"
    assert probes(analyse(office, catalog)) == [(UNCERTAIN_WORDS["outpatient"], True)]
    # rules stated once, for every chapter: not looked for in the chapter of the codes
    smoker = "Emphysema in a patient with long time previous tobacco use: which codes?"
    assert probes(analyse(smoker, catalog)) == [(HISTORY_WORDS, False)]
    drug = "Rash resulting from the prescription drug amoxicillin, taken as prescribed"
    assert probes(analyse(drug, catalog)) == [(DRUG_EFFECT_WORDS, False)]
    skipped = "Do I code her asthma if the provider did not address it at this visit?"
    assert probes(analyse(skipped, catalog)) == [(UNADDRESSED_WORDS["outpatient"], False)]
    # a recent span of time is not a past condition
    assert probes(analyse("Rash from poison ivy over the past week", catalog)) == []
    assert probes(analyse("type 2 diabetes with hyperglycemia", catalog)) == []
    # two codes of one patient are not a choice of 7th characters
    assert probes(analyse("Code S72.141A and T22.091A together?", catalog)) == []


def test_the_rule_is_found_in_the_guidelines(real_index: Settings) -> None:
    if not (CORPUS / "icd10cm-guidelines-FY2026.pdf").is_file():
        pytest.skip("needs ../shared/corpus/icd10cm-guidelines-FY2026.pdf")
    bot = Assistant(Index(real_index))
    rulebook = Filters(kind="guideline")
    admitted = analyse("Admitted to rule out pneumonia; is pneumonia coded?", bot.catalog)
    found = bot.by_rule(admitted, [], rulebook)
    # the uncertain-diagnosis rule of the inpatient sections: principal (II.H) or other (III.C)
    assert [h.passage.section for h in found] in (["II.H"], ["III.C"])
    assert "ruled out" in found[0].passage.text
    # with no code to say the chapter (this index holds chapters 4, 10 and 12 only), the rule
    # of some chapter on its 7th characters
    injury = analyse("Which 7th character: initial or subsequent (A or D)?", bot.catalog)
    (rule,) = bot.by_rule(injury, [], rulebook)
    assert "7th character" in rule.passage.text and rule.passage.kind == "guideline"
    # the rules stated once: history codes, a drug's adverse effect, coexisting conditions
    for question, section in [
        ("Emphysema, previous tobacco use: codes?", "I.C.21.c.4"),
        ("Obesity resulting from the prescription drug Tryptanol", "I.C.19.e.5.a"),
        ("Do I code her depression if the provider did not address it at the visit?", "IV.J"),
    ]:
        (rule,) = bot.by_rule(analyse(question, bot.catalog), [], rulebook)
        assert rule.passage.section == section, question
