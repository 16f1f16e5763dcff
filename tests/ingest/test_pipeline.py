"""The pipeline against a real embedded Chroma, real SQLite and the packaged MiniLM."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.catalog import Catalog
from assistant.embedder import HashEmbedder, MiniLMEmbedder
from assistant.settings import Settings
from assistant.vectorstore import VectorStore
from ingest.run import ingest
from tests.conftest import corpus_file, trimmed_tabular


def policy(tmp_path: Path, sections: int, extra: str = "") -> Path:
    doc = tmp_path / "policy.md"
    doc.write_text(
        "\n".join(f"# Rule {n}\nModifier 25 rule number {n}. {extra}" for n in range(sections))
    )
    return doc


def store(settings: Settings) -> VectorStore:
    return VectorStore.open(settings, MiniLMEmbedder.name)


def test_ingest_embeds_once_and_skips_unchanged(settings: Settings, minilm: MiniLMEmbedder) -> None:
    definitions = corpus_file("icd10pcs_definitions_2026.xml")
    first, errors = ingest(settings, [definitions], quiet=True, embedder=minilm)
    # definitions are prose: each is embedded once and kept in the store and its prose companion
    assert not errors and first[0].passages == 954 and first[0].embedded == 2 * 954
    started = time.monotonic()
    again, _ = ingest(settings, [definitions], quiet=True, embedder=minilm)
    assert again[0].status == "unchanged" and time.monotonic() - started < 10
    vectors = store(settings)
    assert vectors.count() == vectors.prose.count() == 954 and vectors.titles.count() == 0
    with pytest.raises(RuntimeError, match="embeds its own text"):  # Chroma's default never runs
        vectors.collection.query(query_texts=["coronary artery bypass"], n_results=1)
    hit = vectors.query(minilm.embed_query("coronary artery bypass"), 1)[0]
    assert Catalog(settings.catalog_path).passage(hit.id) is not None


def test_a_new_version_replaces_the_old_passages(
    settings: Settings, minilm: MiniLMEmbedder, tmp_path: Path
) -> None:
    ingest(settings, [policy(tmp_path, 5)], quiet=True, embedder=minilm)
    results, _ = ingest(settings, [policy(tmp_path, 3, "Revised.")], quiet=True, embedder=minilm)
    # vectors: each passage in the store and in its prose companion
    assert (results[0].passages, results[0].embedded, results[0].removed) == (3, 6, 4)
    catalog = Catalog(settings.catalog_path)
    rows = catalog.conn.execute("SELECT text FROM passages").fetchall()
    assert len(rows) == 3 and all("Revised." in r["text"] for r in rows)
    fts = catalog.conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0]
    assert fts == 3 and store(settings).count() == store(settings).prose.count() == 3
    # the BM25 index is left merged: merging again finds nothing left to merge
    segments = "SELECT count(*) FROM passages_fts_data"
    merged = catalog.conn.execute(segments).fetchone()[0]
    catalog.conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
    assert catalog.conn.execute(segments).fetchone()[0] == merged


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("pcs.xml", b"<?xml version='1.0'?><ICD10PCS.tabular><pcsTable>", "not well-formed XML"),
        ("guide.pdf", b"<html>not a pdf</html>", "not a PDF"),
        (
            "index.csv",
            b"RowID,Letter,Level,Term,See,SeeAlso,NonEssModif\n1,A,0,x,,,\n",
            "expected columns",
        ),
        ("data.bin", b"\x00\x01", "no loader recognises"),
    ],
)
def test_a_bad_file_leaves_the_index_usable(
    settings: Settings,
    minilm: MiniLMEmbedder,
    tmp_path: Path,
    name: str,
    content: bytes,
    problem: str,
) -> None:
    ingest(settings, [policy(tmp_path, 2)], quiet=True, embedder=minilm)
    before = store(settings).count()
    bad = tmp_path / name
    bad.write_bytes(content)
    results, errors = ingest(settings, [bad], quiet=True, embedder=minilm)
    assert not results and len(errors) == 1
    assert name in errors[0] and problem in errors[0]
    assert store(settings).count() == before
    catalog = Catalog(settings.catalog_path)
    assert [s["name"] for s in catalog.sources()] == ["doc-policy"]


def hcpcs_part(tmp_path: Path, first: int, last: int) -> Path:
    """Rows ``first``..``last`` of the real HCPCS file (codes and their continuation lines)."""
    lines = corpus_file("HCPC2025_OCT_ANWEB.csv").read_text().splitlines()
    part = tmp_path / "HCPC2025_OCT_ANWEB.csv"
    part.write_text("\n".join([lines[0], *lines[first:last]]) + "\n")
    return part


def test_code_passages_get_title_vectors_kept_in_step(
    settings: Settings, minilm: MiniLMEmbedder, tmp_path: Path
) -> None:
    ingest(settings, [hcpcs_part(tmp_path, 577, 620)], quiet=True, embedder=minilm)
    catalog = Catalog(settings.catalog_path)
    codes = catalog.conn.execute("SELECT id, title FROM passages WHERE kind = 'code'").fetchall()
    titles = store(settings).titles
    assert titles.count() == len(codes) > 10
    row = codes[3]
    assert titles.query(minilm.embed_query(row["title"]), 1)[0].id == row["id"]
    ingest(settings, [hcpcs_part(tmp_path, 577, 590)], quiet=True, embedder=minilm)
    kept = catalog.conn.execute("SELECT id FROM passages WHERE kind = 'code'").fetchall()
    assert len(kept) < len(codes)
    assert sorted(titles.ids_for_source("hcpcs")) == sorted(r["id"] for r in kept)


@pytest.mark.integration  # two official files through the real Chroma store: seconds
def test_a_second_edition_copies_the_vectors_of_unchanged_texts(
    settings: Settings, hashed: HashEmbedder
) -> None:
    """On the real Chroma store; the test embedder makes it quick (each text its own vector)."""
    newer, _ = ingest(
        settings, [corpus_file("icd10pcs_definitions_2026.xml")], quiet=True, embedder=hashed
    )
    vectors = VectorStore.open(settings, hashed.name)
    ids = vectors.ids_for_source("icd10pcs-definitions")
    assert len(ids) == 954 and all(pid.endswith("@FY2026") for pid in ids)
    # as a medcode before editions stored them: under the ids without the edition
    legacy = [pid.removesuffix("@FY2026") for pid in ids]
    for collection in (vectors, vectors.prose):
        held = collection.collection.get(ids=ids, include=["embeddings", "metadatas"])
        moved = [pid.removesuffix("@FY2026") for pid in held["ids"]]
        collection.collection.upsert(
            ids=moved, embeddings=held["embeddings"], metadatas=held["metadatas"]
        )
        collection.delete(held["ids"])
    catalog = Catalog(settings.catalog_path)
    with catalog.conn:
        catalog.conn.execute("UPDATE sources SET checksum = 'before editions'")
    older, _ = ingest(
        settings, [corpus_file("icd10pcs_definitions_2025.xml")], quiet=True, embedder=hashed
    )
    # 930 definitions in FY2025: the texts FY2026 also has are copied from its (legacy) vectors
    assert older[0].passages == 930 and 0 < older[0].embedded < 2 * 40
    assert older[0].embedded + older[0].reused == 2 * 930
    again, _ = ingest(
        settings, [corpus_file("icd10pcs_definitions_2026.xml")], quiet=True, embedder=hashed
    )
    # FY2026 takes its own vectors back from the legacy ids, which then go
    assert again[0].status == "loaded" and again[0].embedded == 0 and again[0].reused == 2 * 954
    after = vectors.ids_for_source("icd10pcs-definitions")
    assert len(after) == 954 + 930 and not set(after) & set(legacy)
    bypass = next(p for p in catalog.every_passage() if p.title == "Bypass")
    copied = vectors.vectors_of([bypass.id])[bypass.id]
    assert float(copied @ hashed.embed_documents([bypass.text])[0]) > 0.999


def test_a_build_stopped_after_the_catalog_stores_only_the_missing_vectors(
    settings: Settings, hashed: HashEmbedder, tmp_path: Path
) -> None:
    """The catalog and lexical index are written first; a run that stops then (as a kill
    would) leaves the edition marked, and the next run stores its vectors without reading the
    unchanged file again."""
    from assistant.build_status import read_status
    from ingest.detect import loader_for
    from ingest.run import make_pipeline

    doc = policy(tmp_path, 5)
    catalog = Catalog(settings.catalog_path)
    pipeline = make_pipeline(settings, catalog, quiet=True, embedder=hashed)
    written = pipeline.write(loader_for(doc), doc)
    assert written.status == "loaded" and written.embedded == 0
    assert catalog.pending_vectors() == [(written.shelf, written.source)]
    assert catalog.passage(catalog.shelf_passages(written.shelf)[0].id) is not None
    vectors = VectorStore.open(settings, hashed.name)
    assert vectors.count() == 0
    # half the vectors of the first collection were stored before the stop
    half = catalog.shelf_passages(written.shelf)[:2]
    matrix = hashed.embed_documents([p.text for p in half])
    vectors.upsert([p.id for p in half], matrix, [p.metadata() for p in half])

    results, errors = ingest(settings, [doc], quiet=True, embedder=hashed)
    # 5 passages, each in the store and its prose companion: 10 vectors, 2 of them kept
    assert not errors and results[0].status == "resumed" and results[0].embedded == 8
    assert not catalog.pending_vectors()
    assert vectors.count() == vectors.prose.count() == 5
    finished = read_status(settings.data_dir)
    assert finished is not None and finished.finished and finished.vectors_total == 8

    again, _ = ingest(settings, [doc], quiet=True, embedder=hashed)
    assert again[0].status == "unchanged" and again[0].embedded == 0


def test_a_changed_text_never_takes_the_vector_its_id_held(
    settings: Settings, hashed: HashEmbedder, tmp_path: Path
) -> None:
    """With the catalog written first, a changed passage's old vector still lies under its id
    while its new text waits: it must be embedded again, not copied from there."""
    ingest(settings, [policy(tmp_path, 2, "First.")], quiet=True, embedder=hashed)
    results, _ = ingest(settings, [policy(tmp_path, 2, "Second.")], quiet=True, embedder=hashed)
    assert results[0].embedded == 4 and results[0].reused == 0
    vectors = VectorStore.open(settings, hashed.name)
    catalog = Catalog(settings.catalog_path)
    for passage in catalog.shelf_passages(results[0].shelf):
        held = vectors.vectors_of([passage.id])[passage.id]
        assert float(held @ hashed.embed_documents([passage.text])[0]) > 0.999


class Counting(HashEmbedder):
    """The hash embedder, keeping every text it was asked to encode."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += texts
        return super().embed_batch(texts)


def test_a_code_whose_text_is_its_title_has_one_vector(settings: Settings, tmp_path: Path) -> None:
    """A code with no inclusion terms embeds its title for both collections: its one vector
    lies in the title collection, and the main collection holds every other passage. Each
    distinct text is encoded once."""
    from assistant.vector_texts import alone, embed_text, title_text

    counting = Counting()
    tabular = trimmed_tabular(tmp_path, {"12"})
    results, errors = ingest(settings, [tabular], quiet=True, embedder=counting)
    assert not errors and len(counting.seen) == len(set(counting.seen))
    catalog = Catalog(settings.catalog_path)
    passages = catalog.shelf_passages(results[0].shelf)
    codes = [p for p in passages if p.kind == "code" and p.code and p.title]
    alike = [p for p in codes if embed_text(p) == title_text(p)]
    assert alike and len(alike) < len(codes)  # some codes have inclusion terms, most do not
    assert [p.id for p in alike] == [p.id for p in codes if alone(p)]
    assert results[0].embedded == len(passages) - len(alike) + len(codes)
    distinct = {embed_text(p) for p in passages} | {title_text(p) for p in codes}
    assert len(counting.seen) == len(distinct) <= results[0].embedded
    vectors = VectorStore.open(settings, counting.name)
    assert vectors.count() == len(passages) - len(alike) and vectors.titles.count() == len(codes)
    sample = [p.id for p in alike[:20]]
    assert vectors.vectors_of(sample) == {}
    titles = vectors.titles.vectors_of(sample)
    for p in alike[:20]:
        assert np.allclose(titles[p.id], counting.embed_batch([p.title])[0])
    different = next(p for p in codes if embed_text(p) != title_text(p))
    title = vectors.titles.vectors_of([different.id])[different.id]
    assert np.allclose(title, counting.embed_batch([title_text(different)])[0])
    main = vectors.vectors_of([different.id])[different.id]
    assert np.allclose(main, counting.embed_batch([embed_text(different)])[0])


def test_an_index_built_with_copies_is_searched_and_then_rid_of_them(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pipeline version 5 kept a copy of a titled-alone code's vector in the main collection:
    such an index is searched with each passage once, and the next ingest of the new pipeline
    removes the copies without encoding anything."""
    from assistant.filters import Filters
    from assistant.index import Index
    from assistant.vector_texts import alone
    from ingest import pipeline

    counting = Counting()
    tabular = trimmed_tabular(tmp_path, {"12"})
    results, _ = ingest(settings, [tabular], quiet=True, embedder=counting)
    passages = Catalog(settings.catalog_path).shelf_passages(results[0].shelf)
    copies = [p for p in passages if alone(p)]
    vectors = VectorStore.open(settings, counting.name)
    held = vectors.titles.vectors_of([p.id for p in copies])
    matrix = np.stack([held[p.id] for p in copies])
    vectors.upsert([p.id for p in copies], matrix, [p.metadata() for p in copies])  # as v5 did
    assert vectors.count() == len(passages)
    index = Index(settings.model_copy(update={"embedder": "hash"}))
    longest = max(copies, key=lambda p: len(p.title))  # a code, not a category
    hits = index.searcher.search(longest.title, 10, Filters(kind="code"), modes=("dense",)).hits
    ids = [h.passage.id for h in hits]
    assert ids[0] == longest.id and len(ids) == len(set(ids)) == 10
    counting.seen.clear()
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", "6-next")
    again, errors = ingest(settings, [tabular], quiet=True, embedder=counting)
    assert not errors and again[0].status == "loaded" and counting.seen == []
    assert again[0].removed == len(copies) and vectors.count() == len(passages) - len(copies)


def test_vectors_are_encoded_by_length_and_stored_in_an_order_unrelated_to_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma builds its graph in the order vectors come: stored shortest first, a graph left
    passages out of reach of their own nearest neighbours. Each batch the encoder runs holds
    texts of like length; the store takes them in an order with no tie to length."""
    from assistant.vector_texts import embed_text
    from ingest import pipeline

    monkeypatch.setattr(pipeline, "WINDOW", 256)  # several windows in a chapter
    monkeypatch.setattr(pipeline, "EMBED_CHUNK", 64)
    batches: list[list[str]] = []

    class Batches(Counting):
        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            batches.append(list(texts))
            return super().embed_batch(texts)

    order: list[str] = []
    upsert = VectorStore.upsert

    def recording(self: VectorStore, ids: Sequence[str], *args: object) -> None:
        if not self.name.endswith(("-titles", "-prose")):
            order.extend(ids)
        upsert(self, ids, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(VectorStore, "upsert", recording)
    results, errors = ingest(
        settings, [trimmed_tabular(tmp_path, {"12"})], quiet=True, embedder=Batches()
    )
    assert not errors
    passages = {p.id: p for p in Catalog(settings.catalog_path).shelf_passages(results[0].shelf)}
    lengths = [len(embed_text(passages[pid])) for pid in order]
    assert len(batches) > 4 and all(len(b) <= 64 for b in batches)
    assert all([len(t) for t in b] == sorted(len(t) for t in b) for b in batches)
    ranks = np.argsort(np.argsort(lengths))
    rho = np.corrcoef(np.arange(len(ranks)), ranks)[0, 1]  # 1.0 when stored shortest first
    assert len(order) > 200 and abs(rho) < 0.2


def test_index_lines_have_no_vector_and_an_index_that_holds_them_drops_them(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alphabetic Index lines are read by their words only: ingest embeds none of them. An index
    built before (pipeline version 6) holds their vectors in the main collection: search leaves
    them out of the dense lists, and the next ingest deletes them without encoding anything."""
    from assistant.filters import Filters
    from assistant.index import Index
    from ingest import pipeline
    from ingest.loaders import icd10cm_index

    lines = [
        "1,F,0,Failure,,,,", "2,F,1,heart,,,,I50.9", "3,F,2,specified NEC,,,,I50.89",
        "4,F,1,renal,,,,N19", "5,H,0,Hypertension,,,,I10",
    ]  # fmt: skip
    index_file = tmp_path / "index.csv"
    index_file.write_text(",".join(icd10cm_index.COLUMNS) + "\n" + "\n".join(lines) + "\n")
    counting = Counting()
    tabular = trimmed_tabular(tmp_path, {"9"})
    results, errors = ingest(settings, [tabular, index_file], quiet=True, embedder=counting)
    assert not errors
    catalog = Catalog(settings.catalog_path)
    by_source = {r.source: r for r in results}
    lines_held = catalog.shelf_passages(by_source["icd10cm-index"].shelf)
    assert len(lines_held) == 4 and all(p.kind == "index" for p in lines_held)
    assert not {p.text for p in lines_held} & set(counting.seen)
    vectors = VectorStore.open(settings, counting.name)
    assert not vectors.vectors_of([p.id for p in lines_held])

    heart = next(p for p in lines_held if p.code == "I50.9")
    matrix = counting.embed_batch([p.text for p in lines_held])
    vectors.upsert([p.id for p in lines_held], matrix, [p.metadata() for p in lines_held])
    assert vectors.vectors_of([heart.id])  # as version 6 stored them
    index = Index(settings.model_copy(update={"embedder": "hash"}))
    hits = index.searcher.search(heart.text, 10, Filters(), modes=("dense",)).hits
    assert hits and all(h.passage.kind != "index" for h in hits)
    assert index.searcher.search(heart.text, 10, Filters(kind="index"), modes=("dense",)).hits == []

    counting.seen.clear()
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", "7-next")
    again, errors = ingest(settings, [tabular, index_file], quiet=True, embedder=counting)
    assert not errors and counting.seen == []
    assert {r.source: r.removed for r in again}["icd10cm-index"] == len(lines_held)
    assert not vectors.vectors_of([p.id for p in lines_held])
