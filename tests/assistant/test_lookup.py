"""The Alphabetic Index lookup over a real slice of the official index and the real tabular
list (hash embedder: the lookup needs no vectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.filters import Filters
from assistant.index import Index
from assistant.retrieval import Searcher
from assistant.retrieval.index_lookup import leads
from assistant.settings import Settings
from assistant.text import stem, stems, words_of
from ingest.run import ingest
from tests.conftest import index_slice, trimmed_tabular

MAIN_TERMS = (
    "Bronchitis",
    "Diabetes, diabetic",
    "Hives",
    "Urticaria",
    "Need",
    "Vaccination",
    "Pneumonia",
    "Tuberculosis, tubercular, tuberculous",
    "Newborn",
    "Lymphoma",
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    folder = tmp_path_factory.mktemp("lookup")
    settings = Settings(
        data_dir=folder / "data", corpus_dir=None, embedder="hash", vectors="memory"
    )
    files = [trimmed_tabular(folder), index_slice(folder, MAIN_TERMS)]
    _, errors = ingest(settings, files, quiet=True)
    assert not errors
    return Index(settings)


def lookup(index: Index, text: str) -> list[str | None]:
    filters = Filters(system="icd10cm", kind="code")
    return [h.passage.code for h in index.searcher.search(text, 3, filters, ("lookup",)).hits]


def test_the_entry_that_covers_the_query_wins(index: Index) -> None:
    assert lookup(index, "acute bronchitis")[0] == "J20.9"
    assert lookup(index, "type 2 diabetes with diabetic chronic kidney disease")[0] == "E11.22"
    assert lookup(index, "bronchitis")[0] == "J40"  # the main term: the index's default


def test_see_references_are_followed(index: Index) -> None:
    assert lookup(index, "hives") == ["L50.9"]


def test_a_see_reference_leads_to_the_sub_term_it_names(index: Index) -> None:
    # "Pneumonia > tuberculous (any) - see Tuberculosis, pulmonary": the sub-term's A15.0
    # (the index's own codes: the trimmed tabular list lacks chapters 1 and 21)
    find = index.searcher.derived.lookup.find
    assert find("tuberculous pneumonia", "icd10cm")[0] == ("icd10cm", "A15.0")
    # "Need (for) > vaccination - see Vaccination", a main term without a code of its own:
    # its coded sub-terms ("delayed" Z28.9, "encounter for" Z23) read on under the referring
    # path; before, the reference led nowhere
    assert ("icd10cm", "Z23") in find("need for vaccination", "icd10cm")[:2]


def test_every_rare_word_picks_candidates(index: Index) -> None:
    # "inoculation" and "against" are in no entry, and "miliary" leads to "Tuberculosis":
    # the entry that covers the most, "Need > vaccination > encounter for", holds only words
    # that are neither of the two rarest; before, nothing was found
    find = index.searcher.derived.lookup.find
    text = "need for vaccination and inoculation against miliary tuberculosis"
    assert ("icd10cm", "Z23") in find(text, "icd10cm")[:2]


def test_a_whole_entry_is_told_apart_from_a_partial_one(index: Index) -> None:
    searcher = index.searcher
    assert leads_to(searcher, "hives", Filters(system="icd10cm"))[1]
    assert leads_to(searcher, "bronchitis", Filters(system="icd10cm"))[1]
    assert not leads_to(searcher, "hives of the elbow", Filters(system="icd10cm"))[1]
    # the best entry, "Bronchitis > acute or subacute", adds a word of its own: not whole
    assert not searcher.derived.lookup.search("acute bronchitis")[1]
    assert leads_to(searcher, "hives", Filters(system="icd10pcs")) == ([], False)


def test_nothing_for_words_the_index_lacks(index: Index) -> None:
    assert lookup(index, "zzzz qqqq") == []
    assert index.searcher.derived.lookup.find("the of and") == []


def test_stems_agree_across_forms() -> None:
    assert stem("diabetes") == stem("diabetic")
    assert stem("hypertension") == stem("hypertensive")
    assert stem("anemia") == stem("anemic")
    assert stem("lymphocytic") == stem("lymphocyte")
    assert stem("depletion") == stem("depleted")
    assert stem("bronchitis") != stem("bronchiolitis")
    assert stem("prostatitis") != stem("prostate")  # an inflammation is not its organ
    assert stem("gastritis") != stem("gastric")


def test_roman_numerals_after_grade_or_type_read_as_digits() -> None:
    assert stems("hemorrhage, grade IV") == stems("hemorrhage, grade 4")
    assert stems("type II diabetes") == stems("type 2 diabetes")
    assert "1" not in stems("can I code this")  # a pronoun, not a numeral
    assert "4" in words_of("intraventricular hemorrhage, grade IV")
    assert "iv" in words_of("intraventricular hemorrhage, grade IV")  # titles may say IV
    assert "1" not in words_of("can I code this")


def test_the_index_entry_is_found_across_word_forms(index: Index) -> None:
    # ICD-9-CM's wording against the index's: "grade IV" is "grade 4" (the grades 1 to 4 tied
    # before, and the first printed won), "lymphocytic depletion" is "lymphocyte depleted"
    find = index.searcher.derived.lookup.find
    text = "intraventricular hemorrhage, grade IV"
    assert find(text, "icd10cm")[0] == ("icd10cm", "P52.22")
    text = "Hodgkin's lymphoma, lymphocytic depletion"
    assert find(text, "icd10cm")[0] == ("icd10cm", "C81.3")


def test_a_running_searcher_picks_up_a_finished_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup is built once from the catalog; after an ingest adds the index, a searcher
    that is already serving rebuilds it in the background and swaps it in."""
    import time

    from assistant.retrieval import searcher as search

    monkeypatch.setattr(search, "REFRESH_SECONDS", 0.0)
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=None, embedder="hash", vectors="memory"
    )
    assert not ingest(settings, [trimmed_tabular(tmp_path)], quiet=True)[1]
    searcher = Index(settings).searcher
    assert lookup_of(searcher, "hives") == []
    assert not ingest(settings, [index_slice(tmp_path, MAIN_TERMS)], quiet=True)[1]
    deadline = time.monotonic() + 60
    while lookup_of(searcher, "hives") != ["L50.9"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lookup_of(searcher, "hives") == ["L50.9"]


def leads_to(searcher: Searcher, text: str, filters: Filters) -> tuple[list[str], bool]:
    return leads(searcher.derived.lookup, searcher.catalog, text, filters)


def lookup_of(searcher: Searcher, text: str) -> list[str | None]:
    filters = Filters(system="icd10cm", kind="code")
    return [h.passage.code for h in searcher.search(text, 3, filters, ("lookup",)).hits]
