"""Chat questions about codes together are answered from the encounter check, its citations
opening like every other."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.chat import Assistant, Turn
from assistant.check.asked import encounter_for
from assistant.index import Index
from assistant.settings import Settings

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def bot(default_index: Settings) -> Assistant:
    return Assistant(Index(default_index))


def ask(bot: Assistant, question: str) -> str:
    return bot.answer([Turn("user", question)], use_llm=False, date_of_service=DAY).answer


def test_can_i_code_two_diabetes_types_together(bot: Assistant) -> None:
    answer = bot.answer([Turn("user", "can I code E10.9 with E11.9?")], False, DAY)
    assert "Checked as one outpatient encounter (E10.9, E11.9" in answer.answer
    line = next(x for x in answer.answer.splitlines() if "Excludes1 note at E10" in x)
    assert line.startswith("- ✖") and "[1]" in line
    assert answer.citations[0].code == "E10"  # the note's own passage, first cited


def test_which_drg_groups_the_stay(bot: Assistant) -> None:
    answer = ask(bot, "which DRG for I21.4 with J96.01?")
    assert "Checked as one inpatient encounter" in answer
    assert "MS-DRG 280 Acute Myocardial Infarction, Discharged Alive with MCC" in answer
    assert "J96.01: an MCC" in answer


def test_only_questions_about_codes_together_are_checked(bot: Assistant) -> None:
    assert "Checked as one" not in ask(bot, "What does E11.9 mean?")
    assert "Checked as one" not in ask(bot, "E10.9 E11.9")
    assert "Checked as one" not in ask(bot, "type 2 diabetes with chronic kidney disease")


def test_the_question_decides_the_setting(bot: Assistant) -> None:
    query = bot.retriever.analyse("Is I21.4 with J96.01 an MCC on an inpatient stay?")
    found = encounter_for("Is I21.4 with J96.01 an MCC on an inpatient stay?", query, DAY)
    assert found is not None and found.setting == "inpatient"
    assert [d.code for d in found.diagnoses] == ["I21.4", "J96.01"]


def test_the_language_model_answer_leads_with_the_check(default_index: Settings) -> None:
    from assistant.llm import ScriptedChat

    model = ScriptedChat("No: E11.9 and E10.9 exclude each other [1].")
    answer = Assistant(Index(default_index), model).answer(
        [Turn("user", "can I code E10.9 with E11.9?")], True, DAY
    )
    assert answer.mode == "llm"
    assert answer.answer.startswith("Checked as one outpatient encounter (E10.9, E11.9")
    assert "exclude each other [1]" in answer.answer
    assert answer.citations[0].code == "E10"
