"""Hybrid search on a real-model index (real MiniLM, real embedded Chroma, real SQLite)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from assistant.filters import Filters
from assistant.index import Index
from assistant.retrieval import Ranking
from assistant.retrieval.codes import describing
from assistant.retrieval.fusion import fuse
from assistant.retriever import MedcodeRetriever
from assistant.settings import Settings
from tests.test_cli import medcode


@pytest.fixture(scope="module")
def index(real_index: Settings) -> Index:
    return Index(real_index)


def codes(index: Index, text: str, k: int = 5, **filters: Any) -> list[str | None]:
    hits = index.searcher.search(text, k, Filters(**filters)).hits
    return [h.passage.code for h in hits]


def test_plain_language_finds_the_code(index: Index) -> None:
    # E11.9 "without complications" came first: the query names what the diabetes comes with
    assert (
        codes(index, "type 2 diabetic with high blood sugar", 3, system="icd10cm", kind="code")[0]
        == "E11.65"
    )
    assert str(codes(index, "hives", 3, system="icd10cm", kind="code")[0]).startswith("L50")


def test_an_exact_code_comes_first(index: Index) -> None:
    for form in ("E11.65", "e1165", "what is E11.65?"):
        assert codes(index, form)[0] == "E11.65"
    assert codes(index, "what replaced ICD-9 250.00")[:2] == ["250.00", "E11.9"]


def test_filters_restrict_results(index: Index) -> None:
    store = index.vectors.get()
    guidelines = index.catalog.conn.execute(
        "SELECT count(*) FROM passages WHERE kind = 'guideline'"
    ).fetchone()[0]
    assert store is not None and store.prose.count() == guidelines > 100
    hits = index.searcher.search("diabetes insulin pump", 8, Filters(kind="guideline")).hits
    assert hits and {h.passage.kind for h in hits} == {"guideline"}
    assert any((h.passage.section or "").startswith("I.C.4.a") for h in hits)
    icd9 = index.searcher.search("diabetes", 5, Filters(system="icd9cm")).hits
    assert {h.passage.system for h in icd9} == {"icd9cm"}


def test_a_term_a_guideline_rules_on_finds_that_rule(index: Index) -> None:
    # "probable" is a term the uncertain-diagnosis rules quote (II.H, III.C, IV.H, and three
    # chapter rules); "outpatient" is in Section IV's heading, which BM25 now indexes. Before,
    # chapter 10's pneumonia passages filled the top and IV.H was not among the first ten
    if not has_guidelines(index):
        pytest.skip("needs the guidelines PDF in ../shared/corpus")
    question = "can I code probable pneumonia outpatient?"
    hits = index.searcher.search(question, 3, Filters(kind="guideline")).hits
    assert hits[0].passage.section in RULES and "defined" in hits[0].via
    assert "IV.H" in [h.passage.section for h in hits]  # first on the full index
    inpatient = "is a probable diagnosis coded at discharge as if it existed?"
    hits = index.searcher.search(inpatient, 3, Filters(kind="guideline")).hits
    assert {h.passage.section for h in hits[:2]} == {"II.H", "III.C"}


def test_a_term_common_in_the_corpus_rules_on_nothing(index: Index) -> None:
    if not has_guidelines(index):
        pytest.skip("needs the guidelines PDF in ../shared/corpus")
    defined = index.searcher.derived.defined
    assert "acute" in defined.load()  # I.A.7 quotes it, but code titles say it everywhere
    assert defined.ranked("acute bronchitis") == []
    impending = defined.ranked("how do I code an impending myocardial infarction?")
    assert [index.catalog.passages(impending)[pid].section for pid in impending] == ["I.B.11"]


def test_a_heading_trail_is_searchable(index: Index) -> None:
    if not has_guidelines(index):
        pytest.skip("needs the guidelines PDF in ../shared/corpus")
    # IV.H's own text never says "outpatient": the heading of Section IV does
    conn = index.catalog.conn
    (pid,) = conn.execute("SELECT id FROM passages WHERE section = 'IV.H'").fetchone()
    assert "outpatient" not in index.catalog.passages([pid])[pid].text.lower()
    found = conn.execute(
        "SELECT id FROM passages_fts WHERE passages_fts MATCH 'outpatient' AND id = ?", (pid,)
    ).fetchall()
    assert found


RULES = {"II.H", "III.C", "IV.H"}  # uncertain diagnosis: inpatient (II, III), outpatient (IV)


def has_guidelines(index: Index) -> bool:
    row = index.catalog.conn.execute("SELECT 1 FROM passages WHERE kind = 'guideline'")
    return row.fetchone() is not None


def test_modes_can_be_measured_apart(index: Index) -> None:
    lexical = index.searcher.search("hyperglycemia", 5, modes=("lexical",)).hits
    dense = index.searcher.search("hyperglycemia", 5, modes=("dense",)).hits
    assert all(h.via == ("lexical",) for h in lexical)
    assert all(h.via == ("dense",) for h in dense)


def test_langchain_retriever(index: Index) -> None:
    retriever = MedcodeRetriever(
        searcher=index.searcher, k=3, filters=Filters(system="icd10cm", kind="code")
    )
    docs = retriever.invoke("asthma with exacerbation")
    assert len(docs) == 3 and all(d.metadata["system"] == "icd10cm" for d in docs)
    assert (
        docs[0].metadata["code"].startswith("J45") and docs[0].id == docs[0].metadata["passage_id"]
    )


def test_cli_search_json(real_index: Settings) -> None:
    done = medcode(
        real_index, "search", "acute bronchitis", "--system", "icd10cm", "-k", "3", "--json"
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {
        "passage_id",
        "source",
        "system",
        "kind",
        "code",
        "codes",
        "title",
        "section",
        "page",
        "version",
        "edition",
        "score",
        "text",
    }
    assert medcode(real_index, "search", "x", "-k", "0").returncode == 1


def test_code_passages_have_title_vectors(index: Index) -> None:
    rows = index.catalog.conn.execute(
        "SELECT id, title FROM passages WHERE kind = 'code' AND code IS NOT NULL AND title != ''"
    ).fetchall()
    store = index.vectors.get()
    assert store is not None and store.titles.count() == len(rows) > 1000
    title = "Type 2 diabetes mellitus with hyperglycemia"
    codes_only = Filters(system="icd10cm", kind="code")
    hits = index.searcher.search(title.lower(), 5, codes_only, modes=("title",)).hits
    assert hits[0].passage.code == "E11.65" and hits[0].via == ("title",)
    full = index.searcher.search("diabetes type two with high sugar", 5, codes_only).hits
    assert any("title" in h.via for h in full)
    # over every kind, a title vector joins the dense list instead: one dense vote per code
    mixed = index.searcher.search(title, 5).hits
    assert mixed[0].passage.code == "E11.65" and "title" not in mixed[0].via


def test_a_typed_title_names_its_code_but_not_a_heading(index: Index) -> None:
    filters = Filters(system="icd10cm", kind="code")
    hits = index.searcher.search("type 2 diabetes mellitus with hyperglycemia.", 3, filters).hits
    assert hits[0].passage.code == "E11.65" and "exact" in hits[0].via
    heading = index.searcher.search("Type 2 diabetes mellitus", 3, filters).hits
    assert all("exact" not in h.via for h in heading)  # E11 is a category: no exact match


@pytest.mark.parametrize(
    ("query", "above", "below"),
    [
        ("bronchiectasis without acute exacerbation", "J47.9", "J47.1"),
        ("bronchiectasis with acute exacerbation", "J47.1", "J47.9"),
        ("moderate persistent asthma, not complicated", "J45.40", "J45.41"),
    ],
)
def test_a_title_that_contradicts_the_query_ranks_below_its_sibling(
    index: Index, query: str, above: str, below: str
) -> None:
    found = codes(index, query, 10, system="icd10cm", kind="code")
    assert above in found and (below not in found or found.index(above) < found.index(below))


@pytest.mark.parametrize(
    ("query", "code"),
    [("hay fever", "J30.1"), ("Sore throat", "J02.9"), ("passive pneumonia.", "J18.2")],
)
def test_a_typed_inclusion_term_names_its_code(index: Index, query: str, code: str) -> None:
    hits = index.searcher.search(query, 3, Filters(system="icd10cm", kind="code")).hits
    assert hits[0].passage.code == code and "exact" in hits[0].via


def test_a_title_vote_counts_by_its_similarity(index: Index) -> None:
    searcher = index.searcher
    probe = searcher.probe("type 2 diabetes mellitus with hyperglycemia", ("title",))
    assert probe.vectors is not None
    similar = probe.vectors.title_similarity()
    best = max(similar, key=similar.__getitem__)
    assert similar[best] > 0.95 and all(-1.0 <= v <= 1.0 for v in similar.values())
    assert searcher.catalog.passages([best])[best].code == "E11.65"
    # two billable codes, the first ranked first by title but far less similar than the second
    ids = [
        describing(searcher.catalog, "icd10cm", code, Filters(kind="code"))[0]
        for code in ("E11.9", "E11.65")
    ]
    codes = dict(zip(ids, ("E11.9", "E11.65"), strict=True))
    plain, _ = fuse({"title": Ranking(ids)}, searcher.weights)
    assert [codes[pid] for pid in sorted(plain, key=lambda p: -plain[p])] == ["E11.9", "E11.65"]
    near = Ranking(ids, closeness={ids[0]: 0.4, ids[1]: 0.9})
    weighed, _ = fuse({"title": near}, searcher.weights)
    assert [codes[pid] for pid in sorted(weighed, key=lambda p: -weighed[p])] == ["E11.65", "E11.9"]


def test_rules_of_the_chapter_of_the_codes_count_more(index: Index) -> None:
    # the guidelines are written chapter by chapter: a rule of the chapter the question's
    # codes lie in (I.C.4 for E11.9, I.C.10 for J44.1) keeps Weights.chapter times its score
    if not has_guidelines(index):
        pytest.skip("needs the guidelines PDF in ../shared/corpus")
    from dataclasses import replace

    searcher = index.searcher
    assert searcher.catalog.chapter("icd10cm", "E119") == "4"
    question = "E11.9 and J44.1: which is sequenced first when both are treated?"
    guideline = Filters(kind="guideline")
    boosted = {h.passage.id: h for h in searcher.search(question, 40, guideline).hits}
    plain_weights = replace(searcher.weights, chapter=1.0)
    try:
        searcher.weights = plain_weights
        plain = {h.passage.id: h for h in searcher.search(question, 40, guideline).hits}
    finally:
        searcher.weights = replace(plain_weights, chapter=type(plain_weights)().chapter)
    ruled = [pid for pid, h in boosted.items() if pid in plain]
    inside = [pid for pid in ruled if str(boosted[pid].passage.section).startswith(
        ("I.C.4.", "I.C.10.")
    )]  # fmt: skip
    outside = [pid for pid in ruled if pid not in inside]
    assert inside and outside
    factor = searcher.weights.chapter
    assert factor > 1.0
    for pid in inside:
        assert boosted[pid].score == pytest.approx(plain[pid].score * factor)
    for pid in outside:
        assert boosted[pid].score == pytest.approx(plain[pid].score)


def test_a_code_titled_alone_is_found_by_its_one_vector(index: Index) -> None:
    """A code whose text is its title has no vector in the main collection: the dense list
    finds it by its title vector, in a search over every kind, among codes, and in the filtered
    query a search falls back to."""
    from assistant.retrieval.pools import Vectors
    from assistant.vector_texts import alone

    catalog = index.catalog
    titles = Counter(p.title for p in catalog.every_passage())
    code = next(
        p
        for p in catalog.every_passage()
        if alone(p)
        and p.system == "icd10cm"
        and titles[p.title] == 1
        and not catalog.is_header("icd10cm", str(p.code).replace(".", ""))
    )  # a billable code (a category is ranked below the codes it holds)
    store = index.vectors.get()
    assert store is not None
    assert store.vectors_of([code.id]) == {} and code.id in store.titles.vectors_of([code.id])
    for filters in (Filters(), Filters(kind="code"), Filters(system="icd10cm", kind="code")):
        hits = index.searcher.search(code.title, 3, filters, modes=("dense",)).hits
        assert hits[0].passage.id == code.id, filters
    fallback = Vectors(
        index.vectors, index.embedder, catalog, 10, code.title, [], wide=False, titles=False
    )
    assert (
        fallback.wide == [] and fallback.ranked(Filters(kind="code"), fallback=True)[0] == code.id
    )


def test_headings_read_at_once_are_the_categories_among_the_passages(index: Index) -> None:
    """Reranking reads which candidates are headings in one query: ICD-10-CM categories and
    subcategories, not billable codes, and never a passage of another system or kind."""
    from assistant.retrieval.codes import headings

    catalog = index.catalog
    every = list(catalog.every_passage())
    held_back = headings(catalog, every)
    cm = [p for p in every if p.system == "icd10cm" and p.kind == "code" and p.code]
    one_by_one = {p.id for p in cm if catalog.is_header("icd10cm", str(p.code).replace(".", ""))}
    assert held_back == one_by_one
    assert {catalog.passages([pid])[pid].code for pid in held_back} >= {"E11"}
    assert not any(p.id in held_back for p in every if p.system != "icd10cm")
