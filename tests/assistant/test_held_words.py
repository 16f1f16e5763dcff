"""The words of the passages in use held in memory: the passages and scores FTS5 gives, for
the wide query and the filtered searches; searches of other editions left to FTS5."""

from __future__ import annotations

import pytest

from assistant import held_words
from assistant.filters import Filters
from assistant.index import Index
from assistant.lexical import LexicalIndex, Stems, stems_of
from assistant.settings import Settings

QUERIES = (
    "type 2 diabetes mellitus with diabetic chronic kidney disease",
    "A 67-year-old patient presented with acute exacerbation of COPD and was documented with "
    "chronic respiratory failure with hypoxia on home oxygen",
    "fracture of the distal radius, left, initial encounter for closed fracture",
    "unspecified",  # one common word: no gate
    "other specified disorders",  # common words only: no gate
    "E11 ketoacidosis",
    "Ménière's disease of the left ear",
    "nephrology follow-up for hypertensive heart and kidney disease",
    "zzzz qqqq",  # nothing matches
)
FILTERS = (
    Filters(),
    Filters(kind="code"),
    Filters(kind="crosswalk"),
    Filters(system="icd10cm", kind="code"),
    Filters(system="hcpcs", kind="code"),  # none in the default sources
)


@pytest.fixture(scope="module")
def index(default_index: Settings) -> Index:
    return Index(default_index)


@pytest.fixture(scope="module")
def held(index: Index) -> LexicalIndex:
    bm25 = LexicalIndex(index.catalog)
    bm25.hold()
    return bm25


def never_in_fts5(bm25: LexicalIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> str:
        raise AssertionError("a held search queried FTS5")

    monkeypatch.setattr(bm25, "faceted", fail)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f"{f.system} {f.kind}")
def test_held_words_find_and_score_what_fts5_does(
    index: Index, held: LexicalIndex, filters: Filters, monkeypatch: pytest.MonkeyPatch
) -> None:
    fts5 = LexicalIndex(index.catalog)
    never_in_fts5(held, monkeypatch)
    found_any = 0
    for query in QUERIES:
        expected = fts5.search(query, 40, filters)
        found = held.search(query, 40, filters)
        assert [pid for pid, _ in found] == [pid for pid, _ in expected], query
        for (_, score), (_, want) in zip(found, expected, strict=True):
            assert score == pytest.approx(want, rel=1e-12), query
        found_any += bool(found)
    if filters.system != "hcpcs":
        assert found_any >= len(QUERIES) - 3  # the searches compared find something


def test_the_wide_query_finds_and_scores_what_fts5_does(
    index: Index, held: LexicalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    fts5 = LexicalIndex(index.catalog)
    never_in_fts5(held, monkeypatch)
    monkeypatch.setattr(held, "gated", lambda *args: pytest.fail("a held query matched in FTS5"))
    for query in QUERIES:
        expected = fts5.wide(query, 100).rows()
        found = held.wide(query, 100).rows()
        assert [row["id"] for row in found] == [row["id"] for row in expected], query
        for row, want in zip(found, expected, strict=True):
            assert row["rank"] == pytest.approx(want["rank"], rel=1e-12)
            assert {name: row[name] for name in want} == pytest.approx(want)


def test_held_words_keep_the_filters(held: LexicalIndex) -> None:
    assert held.search("diabetes mellitus", 30, Filters(kind="code"))
    assert held.search("diabetes mellitus", 30, Filters(system="hcpcs", kind="code")) == []
    first = held.search("diabetes mellitus", 1, Filters(kind="code"))[0][0]
    source = held.catalog.filter_fields([first], "passages")[first][2]
    found = held.search("diabetes mellitus", 30, Filters(kind="code", source=source))
    fields = held.catalog.filter_fields([pid for pid, _ in found], "passages")
    assert len(found) == 30 and {row[2] for row in fields.values()} == {source}
    assert held.search("diabetes mellitus", 30, Filters(kind="code", source="nowhere")) == []


def test_searches_of_named_editions_are_left_to_fts5(
    index: Index, held: LexicalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    faceted = held.faceted

    def spy(match: str, filters: Filters) -> str:
        asked.append(match)
        return faceted(match, filters)

    monkeypatch.setattr(held, "faceted", spy)
    shelves = index.catalog.in_use()
    assert held.search("diabetes mellitus", 5, Filters(kind="code", shelves=shelves))
    assert held.search("diabetes mellitus", 5, Filters(kind="code", edition="FY2099")) == []
    assert len(asked) == 2
    assert held.wide("diabetes mellitus", 5, shelves)


def test_stems_are_those_of_the_lexical_index() -> None:
    stems = Stems()
    found = stems(["nephrology", "Ménière", "fractures", "e11", "of"])
    # SQLite's porter turns "-logy" into "log", unlike the original algorithm's "logi", and
    # unicode61 drops the diacritics
    assert found == {
        "nephrology": ("nephrolog",),
        "Ménière": ("menier",),
        "fractures": ("fractur",),
        "e11": ("e11",),
        "of": ("of",),
    }


def test_stems_remember_query_words_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    stems = Stems()
    monkeypatch.setattr(Stems, "REMEMBERED", 3)
    stems(["fractures", "kidney"])
    assert set(stems.known) == {"fractures", "kidney"}
    stems(["diabetes", "mellitus"])  # would pass the bound: what was known is let go
    assert set(stems.known) == {"diabetes", "mellitus"}
    assert stems(["many", "more", "words", "at", "once"])["words"] == ("word",)
    assert set(stems.known) == {"diabetes", "mellitus"}


def test_a_second_start_reads_the_held_words_from_their_file(
    index: Index, held: LexicalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = list(index.catalog.path.parent.glob("held-words-*.npz"))
    assert len(saved) == 1
    again = LexicalIndex(index.catalog)
    monkeypatch.setattr(again, "rows_of", lambda: pytest.fail("the index was read again"))
    again.hold()
    for query in QUERIES[:3]:
        assert again.wide(query, 50).rows() == held.wide(query, 50).rows()
        assert again.search(query, 20, Filters(kind="code")) == held.search(
            query, 20, Filters(kind="code")
        )


def test_a_damaged_file_is_read_from_the_index_again(index: Index, held: LexicalIndex) -> None:
    path = next(index.catalog.path.parent.glob("held-words-*.npz"))
    path.write_bytes(path.read_bytes()[:1000])
    again = LexicalIndex(index.catalog)
    again.hold()
    assert again.wide(QUERIES[0], 50).rows() == held.wide(QUERIES[0], 50).rows()
    assert path.stat().st_size > 1000  # written whole again


def test_passages_are_split_into_the_tokens_fts5_draws() -> None:
    text = "\uf0a7 Ménière’s disease, type_2 (E11.9) 3rd “toe” ½ x²"
    drawn = held_words.TOKEN.findall(text.lower())
    assert len(drawn) == len(stems_of([text])[text])  # the bullet of guideline PDFs counts


def test_held_filter_fields_are_the_catalogs(index: Index, held: LexicalIndex) -> None:
    assert held.held is not None
    ids = held.wide("diabetes mellitus with kidney complications", 200).ids
    ids += ["no-such-passage"]
    expected = index.catalog.filter_fields(ids, "passages")
    assert held.held.filter_fields(ids) == expected
    assert len(expected) == len(ids) - 1


def test_held_marks_of_codes_titled_alone_are_the_catalogs(
    index: Index, held: LexicalIndex
) -> None:
    """Which passages have their one vector in the title collection: the rule ingest follows
    (vector_texts.alone), the catalog's reading of it and the held words' agree, passage for
    passage, and the file the held words are kept in keeps the marks."""
    from assistant.vector_texts import alone

    assert held.held is not None
    passages = index.catalog.every_passage()
    ids = [p.id for p in passages]
    expected = {p.id for p in passages if alone(p)}
    codes = [p for p in passages if p.kind == "code"]
    assert expected and len(expected) < len(codes)  # some codes have inclusion terms
    assert index.catalog.title_alone(ids) == expected
    assert held.held.alone_among(ids) == expected
    again = LexicalIndex(index.catalog)
    again.hold()
    assert again.held is not None and again.held.alone_among(ids) == expected
