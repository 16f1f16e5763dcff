"""Two editions of the ICD-10-PCS tables and definitions (the official FY2025 and FY2026 files)
loaded side by side: each answers for its own dates, changes come from their own files, a
re-load of an unchanged file is skipped and the second edition copies the vectors of texts the
first already has."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assistant.catalog import Catalog
from assistant.errors import EditionNotLoaded, InvalidOnDate
from assistant.filters import Filters
from assistant.index import Index
from assistant.settings import Settings
from assistant.shelves import dated
from assistant.validity import VALIDITY, dated_lookup
from ingest.pipeline import IngestResult
from ingest.run import ingest
from tests.assistant.test_code_lists import pcs_codes
from tests.conftest import corpus_file
from tests.test_cli import medcode

pytestmark = pytest.mark.integration  # ingests four official files: some ten seconds

NEWER = ("icd10pcs_tables_2026.xml", "icd10pcs_definitions_2026.xml")
OLDER = ("icd10pcs_tables_2025.xml", "icd10pcs_definitions_2025.xml")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[IngestResult]]:
    data = tmp_path_factory.mktemp("editions") / "data"
    settings = Settings(data_dir=data, corpus_dir=None, embedder="hash", vectors="memory")
    first, errors = ingest(settings, [corpus_file(n) for n in NEWER], quiet=True)
    assert not errors
    second, errors = ingest(settings, [corpus_file(n) for n in OLDER], quiet=True)
    assert not errors
    return settings, first + second


def test_both_editions_stay_loaded(both: tuple[Settings, list[IngestResult]]) -> None:
    settings, _ = both
    catalog = Catalog(settings.catalog_path)
    assert catalog.editions() == [
        ("icd10pcs-definitions", "FY2025", "icd10pcs-definitions@FY2025"),
        ("icd10pcs-definitions", "FY2026", "icd10pcs-definitions@FY2026"),
        ("icd10pcs-tables", "FY2025", "icd10pcs-tables@FY2025"),
        ("icd10pcs-tables", "FY2026", "icd10pcs-tables@FY2026"),
    ]
    # the newer edition, loaded first, is still the one every plain read sees
    assert catalog.in_use() == ("icd10pcs-definitions@FY2026", "icd10pcs-tables@FY2026")
    counts = catalog.conn.execute(
        "SELECT edition, count(*) FROM codes_all WHERE level = 'code' GROUP BY edition"
    ).fetchall()
    assert dict(counts) == {"FY2025": 78_948, "FY2026": 79_115}
    listed = medcode(settings, "sources", "--json")
    assert listed.returncode == 0, listed.stderr
    kept = {(r["name"], r["edition"]): r["in_use"] for r in json.loads(listed.stdout)}
    assert kept[("icd10pcs-tables", "FY2025")] is False and kept[("icd10pcs-tables", "FY2026")]


def test_each_edition_answers_for_its_own_dates(both: tuple[Settings, list[IngestResult]]) -> None:
    catalog = Catalog(both[0].catalog_path)
    old = pcs_codes(corpus_file(OLDER[0]))
    new = pcs_codes(corpus_file(NEWER[0]))
    added, deleted = sorted(new - old)[0], sorted(old - new)[0]
    may_2025, nov_2025 = date(2025, 5, 1), date(2025, 11, 1)
    found, on_date = dated_lookup(catalog, VALIDITY, deleted, may_2025)
    assert found is not None and found.version == "FY2025" and on_date.valid is True
    assert on_date.message == "ICD-10-PCS FY2025: a valid code"
    with pytest.raises(InvalidOnDate, match="deleted after FY2025"):
        dated_lookup(catalog, VALIDITY, deleted, nov_2025)
    found, on_date = dated_lookup(catalog, VALIDITY, added, nov_2025)
    assert found is not None and found.version == "FY2026" and on_date.valid is True
    with pytest.raises(InvalidOnDate):
        dated_lookup(catalog, VALIDITY, added, may_2025)
    # a code in both: its title from the edition of the date
    found, _ = dated_lookup(catalog, VALIDITY, "0DTJ4ZZ", may_2025)
    assert found is not None and found.version == "FY2025"


def test_search_reads_the_edition_asked_for(both: tuple[Settings, list[IngestResult]]) -> None:
    index = Index(both[0])
    question = "resection of appendix percutaneous endoscopic"
    plain = index.searcher.search(question, 10)
    assert plain.hits and {h.passage.edition for h in plain.hits} == {"FY2026"}
    older = index.searcher.search(question, 10, Filters(edition="FY2025"))
    assert older.hits and {h.passage.edition for h in older.hits} == {"FY2025"}
    assert older.editions == ("icd10pcs-definitions@FY2025", "icd10pcs-tables@FY2025")
    filters, notes = dated(index.catalog, Filters(), date(2025, 3, 1))
    on_date = index.searcher.search(question, 10, filters)
    assert not notes and {h.passage.edition for h in on_date.hits} == {"FY2025"}
    # same passage, two editions, two ids
    assert {h.passage.id for h in plain.hits}.isdisjoint(h.passage.id for h in older.hits)
    with pytest.raises(EditionNotLoaded, match="icd10pcs-tables FY2025, FY2026"):
        index.searcher.search(question, 10, Filters(edition="FY2024"))


def test_changes_come_from_the_two_files(both: tuple[Settings, list[IngestResult]]) -> None:
    old = pcs_codes(corpus_file(OLDER[0]))
    new = pcs_codes(corpus_file(NEWER[0]))
    assert (len(old), len(new)) == (78_948, 79_115)
    done = medcode(
        both[0], "changes", "--system", "icd10pcs", "--from", "FY2025", "--to", "FY2026", "--json"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["source"] == "icd10pcs-tables@FY2025 and icd10pcs-tables@FY2026"
    assert {c["code"] for c in found["added"]} == new - old
    assert {c["code"] for c in found["deleted"]} == old - new
    assert all(c["title"] for c in found["added"] + found["deleted"])  # titles of both files
    assert found["retitled"] and all(c["was"] != c["title"] for c in found["retitled"])


def test_unchanged_texts_are_not_embedded_again(
    both: tuple[Settings, list[IngestResult]],
) -> None:
    settings, results = both
    older = {r.source: r for r in results[2:]}["icd10pcs-tables"]
    assert older.status == "loaded" and older.reused > 0.9 * (older.reused + older.embedded)
    again, errors = ingest(settings, [corpus_file(OLDER[0])], quiet=True)
    assert not errors and [r.status for r in again] == ["unchanged"]
