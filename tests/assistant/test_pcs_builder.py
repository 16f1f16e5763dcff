"""ICD-10-PCS codes built from a described procedure, on tables written here in the official
XML layout (a few rows of three tables), ingested into a real catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.chat import Assistant, Turn
from assistant.index import Index
from assistant.pcs_builder import approach_of, asks_for, build, operation_of
from assistant.settings import Settings
from tests.conftest import CORPUS


def label(code: str, text: str) -> str:
    return f'<label code="{code}">{text}</label>'


def axis(pos: int, title: str, labels: list[tuple[str, str]]) -> str:
    inner = "".join(label(code, text) for code, text in labels)
    return f'<axis pos="{pos}" values="{len(labels)}"><title>{title}</title>{inner}</axis>'


def table(system: tuple[str, str], operation: tuple[str, str], rows: list[list[str]]) -> str:
    head = axis(1, "Section", [("0", "Medical and Surgical")]) + axis(2, "Body System", [system])
    head += axis(3, "Operation", [operation])
    body = "".join(f'<pcsRow codes="1">{"".join(row)}</pcsRow>' for row in rows)
    return f"<pcsTable>{head}{body}</pcsTable>"


NONE = [("Z", "No Device")]
NO_QUALIFIER = [("Z", "No Qualifier")]
TABLES = (
    '<?xml version="1.0" encoding="utf-8"?><ICD10PCS.tabular><version>2026</version>'
    "<title>2026 ICD-10-PCS Tables</title>"
    + table(
        ("7", "Lymphatic and Hemic Systems"),
        ("T", "Resection"),
        [
            [
                axis(4, "Body Part", [("P", "Spleen")]),
                axis(5, "Approach", [("0", "Open"), ("4", "Percutaneous Endoscopic")]),
                axis(6, "Device", NONE),
                axis(7, "Qualifier", [("G", "Hand-Assisted"), ("Z", "No Qualifier")]),
            ]
        ],
    )
    + table(
        ("7", "Lymphatic and Hemic Systems"),
        ("B", "Excision"),
        [
            [
                axis(4, "Body Part", [("P", "Spleen")]),
                axis(5, "Approach", [("0", "Open"), ("3", "Percutaneous")]),
                axis(6, "Device", NONE),
                axis(7, "Qualifier", [("X", "Diagnostic"), ("Z", "No Qualifier")]),
            ]
        ],
    )
    + table(
        ("P", "Upper Bones"),
        ("S", "Reposition"),
        [
            [
                axis(4, "Body Part", [("H", "Radius, Right"), ("J", "Radius, Left")]),
                axis(5, "Approach", [("0", "Open")]),
                axis(
                    6,
                    "Device",
                    [
                        ("4", "Internal Fixation Device"),
                        ("5", "External Fixation Device"),
                        ("6", "Internal Fixation Device, Intramedullary"),
                        ("Z", "No Device"),
                    ],
                ),
                axis(7, "Qualifier", NO_QUALIFIER),
            ]
        ],
    )
    + table(
        ("F", "Hepatobiliary System and Pancreas"),
        ("T", "Resection"),
        [
            [
                axis(4, "Body Part", [("4", "Gallbladder")]),
                axis(5, "Approach", [("0", "Open"), ("4", "Percutaneous Endoscopic")]),
                axis(6, "Device", NONE),
                axis(7, "Qualifier", NO_QUALIFIER),
            ]
        ],
    )
    + "</ICD10PCS.tabular>"
)
# the Index's pointers for a procedure named in one word, in its official layout
INDEX = (
    '<?xml version="1.0" encoding="utf-8"?><ICD10PCS.index><version>2026</version>'
    "<title>2026 ICD-10-PCS Index</title><letter><title>C</title><mainTerm>"
    "<title>Cholecystectomy</title>"
    '<term level="1"><see>Excision, Gallbladder<codes>0FB4</codes></see></term>'
    '<term level="1"><see>Resection, Gallbladder<codes>0FT4</codes></see></term>'
    "</mainTerm></letter></ICD10PCS.index>"
)


@pytest.fixture(scope="module")
def pcs_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from ingest.run import ingest

    folder = tmp_path_factory.mktemp("pcs")
    tables = folder / "icd10pcs_tables_2026.xml"
    tables.write_text(TABLES, encoding="utf-8")
    index = folder / "icd10pcs_index_2026.xml"
    index.write_text(INDEX, encoding="utf-8")
    built = Settings(data_dir=folder / "data", corpus_dir=None, embedder="hash", vectors="memory")
    _, errors = ingest(built, [tables, index], quiet=True)
    assert not errors
    return built


@pytest.fixture(scope="module")
def catalog(pcs_index: Settings) -> Catalog:
    return Catalog(pcs_index.catalog_path)


def codes(catalog: Catalog, text: str) -> list[str]:
    return [b.code for b in build(catalog, text)]


def test_the_root_operation_is_what_was_done_to_the_body_part() -> None:
    assert operation_of("Removal of a patient's spleen") == ("Resection", "Removal")
    assert operation_of("partial removal of the spleen")[0] == "Excision"  # type: ignore[index]
    assert operation_of("removal of the hardware from the radius")[0] == "Removal"  # type: ignore[index]
    assert operation_of("ORIF of a right distal radius fracture")[0] == "Reposition"  # type: ignore[index]
    assert operation_of("freeing of the vagus nerve from scar tissue")[0] == "Release"  # type: ignore[index]
    assert operation_of("a patient with a fracture of the radius") is None


def test_the_approach_is_read_from_the_words() -> None:
    assert approach_of("performed via laparoscopy") == "4"
    assert approach_of("via open approach") == "0"
    assert approach_of("a colonoscopy with polyp removal") == "8"
    assert approach_of("removal of the spleen") == ""


def test_a_procedure_builds_its_code(catalog: Catalog) -> None:
    built = build(catalog, "Removal of a patient's spleen performed via laparoscopy.")
    assert [b.code for b in built] == ["07TP4ZZ"]  # not the hand-assisted 07TP4ZG
    assert built[0].operation == "Resection" and built[0].approach == "Percutaneous Endoscopic"
    assert codes(catalog, "partial excision of the spleen, open") == ["07BP0ZZ"]
    assert codes(catalog, "ORIF of a right distal radius fracture") == ["0PSH04Z"]
    assert codes(catalog, "ORIF of a left distal radius fracture") == ["0PSJ04Z"]
    # no side said: one code for each
    assert codes(catalog, "ORIF of a distal radius fracture") == ["0PSH04Z", "0PSJ04Z"]


def test_a_procedure_named_in_one_word_is_read_through_the_index(catalog: Catalog) -> None:
    # "cholecystectomy" names no body part: the Index points to Resection, Gallbladder, 0FT4
    assert codes(catalog, "laparoscopic cholecystectomy") == ["0FT44ZZ"]
    assert codes(catalog, "laparoscopic appendectomy") == []  # not in this Index: nothing


def test_an_unstated_approach_gives_each_the_body_part_has(catalog: Catalog) -> None:
    assert codes(catalog, "resection of the spleen") == ["07TP0ZZ", "07TP4ZZ"]


def test_a_code_the_tables_lack_is_never_built(catalog: Catalog) -> None:
    # no percutaneous resection of the spleen in the table: its valid approaches instead
    assert codes(catalog, "percutaneous resection of the spleen") == ["07TP0ZZ", "07TP4ZZ"]
    assert codes(catalog, "resection of the kidney, open") == []  # no such body part
    assert codes(catalog, "the patient has a painful spleen") == []  # nothing was done


def test_only_a_procedure_question_builds_a_code() -> None:
    spleen = "Removal of a patient's spleen performed via laparoscopy. Report code."
    assert asks_for(None, False, spleen)
    assert asks_for("icd10pcs", False, "ICD-10-PCS code for an ORIF of the radius?")
    assert not asks_for("icd10cm", False, "Our surgeon removed sutures: which ICD-10-CM code?")
    assert not asks_for(None, False, "Can we bill for the removal of a PEG tube at the visit?")
    assert not asks_for(None, True, f"{spleen} Is D73.5 the diagnosis?")


def test_the_answer_leads_with_the_built_code(pcs_index: Settings) -> None:
    bot = Assistant(Index(pcs_index))
    answer = bot.answer([Turn("user", "Removal of a patient's spleen performed via laparoscopy.")])
    assert answer.answer.startswith("ICD-10-PCS code built from the procedure described:")
    assert "**07TP4ZZ**" in answer.answer and "Root operation *Resection*" in answer.answer
    cited = [c for c in answer.citations if c.code == "07T"]
    assert cited and "07TP4ZZ" in cited[0].text
    shown = {c.code: c for c in answer.codes}
    assert shown["07TP4ZZ"].valid and shown["07TP4ZZ"].system == "icd10pcs"


@pytest.mark.skipif(
    not (CORPUS / "icd10pcs_definitions_2026.xml").is_file(),
    reason="needs ../shared/corpus/icd10pcs_definitions_2026.xml",
)
def test_the_root_operation_is_cited_from_its_definition(
    tmp_path: Path, pcs_index: Settings
) -> None:
    from ingest.run import ingest

    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=None, embedder="hash", vectors="memory"
    )
    tables = tmp_path / "icd10pcs_tables_2026.xml"
    tables.write_text(TABLES, encoding="utf-8")
    _, errors = ingest(settings, [tables, CORPUS / "icd10pcs_definitions_2026.xml"], quiet=True)
    assert not errors
    built = build(Catalog(settings.catalog_path), "Removal of the spleen via laparoscopy")
    definition = built[0].definition
    assert definition is not None and definition.title == "Resection"
    assert "all of a body part" in definition.text


def test_warming_reads_every_operation_and_freezes_what_it_read(pcs_index: Settings) -> None:
    import gc

    from assistant import pcs_builder

    bot = Assistant(Index(pcs_index))
    pcs_builder.HELD.clear()
    try:
        bot.warm()
        held = {key[2] for key in pcs_builder.HELD if key[0] == str(pcs_index.catalog_path)}
        assert held >= {"Resection", "Excision", "Reposition", "Release", "Drainage"}
        assert gc.get_freeze_count() > 0  # a full collection no longer walks them
    finally:
        gc.unfreeze()


def test_a_models_answer_follows_the_built_code(pcs_index: Settings) -> None:
    from assistant.llm import OpenAIChat
    from tests.fake_llm import FakeLLM

    fake = FakeLLM(reply="The spleen is resected laparoscopically [1].")
    try:
        settings = pcs_index.model_copy(
            update={"llm_base_url": fake.url, "llm_model": "fake", "llm_timeout": 10}
        )
        bot = Assistant(Index(settings), OpenAIChat(settings))
        answer = bot.answer([Turn("user", "Removal of the spleen performed via laparoscopy.")])
    finally:
        fake.close()
    assert answer.mode == "llm"
    assert answer.answer.startswith("ICD-10-PCS code built from the procedure described:")
    assert "**07TP4ZZ**" in answer.answer and "resected laparoscopically" in answer.answer
