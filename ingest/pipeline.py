"""The indexing pipeline: load -> passages -> embed -> store, one source at a time.

Order of writes, so that a crash at any point leaves a usable index and the next run completes:
1. the catalog and lexical index are swapped in one SQLite transaction, which also marks the
   edition as waiting for its vectors (search answers from them at once);
2. vectors for new or changed passages are upserted into Chroma, a chunk at a time (ids are
   stable, content hashes are stored with them, so work already done is not repeated): code
   passages have a vector of their title alone in a companion collection, and the main one
   leaves out the codes whose text is their title (see assistant.vector_texts);
3. vectors of passages that no longer exist are deleted, and the edition's mark removed.
A run that stops before 3 leaves the mark: the next run stores what is missing. Search only
returns passages present in the catalog, so stray vectors are never shown.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from assistant import schema
from assistant.catalog import Catalog, row_to_passage
from assistant.embedder import Embedder
from assistant.models import Passage
from assistant.vector_texts import embed_text, own_vector, title_text, titled
from assistant.vectorstore import PROSE_KINDS, VectorIndex
from ingest.detect import Loader
from ingest.loaders.common import checksum

T = TypeVar("T")
Part = tuple[VectorIndex, list[Passage], Callable[[Passage], str]]
Wanted = tuple[VectorIndex, Passage, str]  # a collection, a passage it lacks, the text to embed
PIPELINE_VERSION = "7"  # 2: title vectors for code passages; 3: prose companion;
# 4: BM25 indexes heading trails, wrapped guideline headings are whole; 5: editions; 6: a code
# whose text is its title has its one vector in the title collection; 7: index lines have none
EMBED_CHUNK = 512
WINDOW = 8 * EMBED_CHUNK  # texts taken together, encoded shortest first (see Pipeline.embed)


@dataclass
class IngestResult:
    source: str
    path: str
    loader: str
    version: str
    status: str  # "loaded"; "unchanged"; "resumed": unchanged, its vectors completed
    records: int = 0
    passages: int = 0
    embedded: int = 0  # vectors: a passage may have a title or prose vector too
    reused: int = 0  # vectors copied from an equal text of another edition (or an older id)
    removed: int = 0
    seconds: float = 0.0
    shelf: str = ""  # the source edition written (or found unchanged)


@dataclass
class Stored:
    """What storing an edition's vectors did."""

    embedded: int
    reused: int
    removed: int
    seconds: float


class Progress:
    """tqdm bars on stderr, or nothing when quiet; and the vectors stored, told to ``stored``
    (the build status file, see ingest.status)."""

    def __init__(self, quiet: bool, stored: Callable[[int], None] | None = None) -> None:
        self.quiet = quiet
        self.stored = stored

    def advance(self, vectors: int) -> None:
        if self.stored is not None and vectors:
            self.stored(vectors)

    def bar(self, total: int, desc: str) -> object:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="passage", disable=self.quiet, leave=False)

    def say(self, message: str) -> None:
        if not self.quiet:
            import sys

            print(message, file=sys.stderr)


class Pipeline:
    def __init__(
        self,
        catalog: Catalog,
        vectors: Callable[[], VectorIndex],
        embedder: Callable[[], Embedder],
        progress: Progress,
    ) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.progress = progress

    def run(self, loader: Loader, path: Path) -> IngestResult:
        """One source, whole: its catalog rows, then its vectors."""
        result = self.write(loader, path)
        if result.status == "loaded":
            self.add(result, self.embed_shelf(result.shelf, result.source))
        return result

    def write(self, loader: Loader, path: Path) -> IngestResult:
        """The source's rows and lexical index, in one transaction, with its edition marked as
        waiting for vectors (``embed_shelf`` stores them): search answers from the catalog and
        BM25 at once. An unchanged file is not read again."""
        started = time.monotonic()
        tag = f"{loader.name}@{PIPELINE_VERSION}" + (
            f".{loader.revision}" if loader.revision else ""
        )
        shelf = self.catalog.loaded_shelf(checksum(path), tag)
        if shelf is not None:
            return IngestResult(loader.name, str(path), loader.name, "", "unchanged", shelf=shelf)
        self.progress.say(f"{path}: reading with loader {loader.name}")
        data = loader.load(path)
        data.passages = editioned(unique(data.passages), data.edition)
        schema.replace_source(self.catalog.conn, data, tag)
        return IngestResult(
            data.source,
            str(path),
            loader.name,
            data.version,
            "loaded",
            data.records,
            len(data.passages),
            seconds=time.monotonic() - started,
            shelf=data.shelf,
        )

    def todo(self, shelf: str) -> tuple[list[Passage], list[tuple[Part, list[Passage]]]]:
        """The edition's passages, and for each collection the passages it lacks (or holds
        an older text of)."""
        passages = self.catalog.shelf_passages(shelf)
        found = []
        for part in self.parts(passages):
            vectors, kept, _ = part
            stored = vectors.stored_hashes([p.id for p in kept])
            found.append((part, [p for p in kept if stored.get(p.id) != p.hash]))
        return passages, found

    def count_todo(self, shelves: list[str]) -> int:
        """How many vectors the editions still lack."""
        return sum(len(todo) for shelf in shelves for _, todo in self.todo(shelf)[1])

    def embed_shelf(self, shelf: str, source: str) -> Stored:
        """Store the vectors an edition written to the catalog lacks: those an equal text of
        another edition has are copied, the others embedded; then those of passages that no
        longer exist are removed and the edition is marked whole. Work a killed run did is
        not done again (each chunk is stored as it is made)."""
        started = time.monotonic()
        passages, found = self.todo(shelf)
        reused = 0
        family: list[Passage] | None = None  # the source's stored passages, read once if needed
        wanted: list[Wanted] = []
        for (vectors, _, text_of), todo in found:
            if todo and family is None:
                family = [row_to_passage(row) for row in self.catalog.family(source)]
            copied = self.reuse(todo, family or [], vectors, text_of)
            reused += len(copied)
            self.progress.advance(len(copied))
            wanted += [(vectors, p, text_of(p)) for p in todo if p.id not in copied]
        embedded = self.embed(wanted)
        removed = self.remove_stale(source, shelf, [part for part, _ in found])
        self.catalog.vectors_stored(shelf)
        return Stored(embedded, reused, removed, time.monotonic() - started)

    @staticmethod
    def add(result: IngestResult, stored: Stored) -> None:
        result.embedded += stored.embedded
        result.reused += stored.reused
        result.removed += stored.removed
        result.seconds += stored.seconds

    def reuse(
        self,
        todo: list[Passage],
        family: list[Passage],
        vectors: VectorIndex,
        text_of: Callable[[Passage], str],
    ) -> set[str]:
        """Copy, rather than compute, the vectors of passages whose embedded text another
        edition of the source (in ``family``) already has a vector for (most of a code set
        does not change from one year to the next), or that a medcode before editions stored
        under the id without its edition. Returns the ids given a vector."""
        if not todo:
            return set()
        # new id -> (id, hash) pairs whose vector it may take, in order: the vector stored
        # under the id must carry the hash, or it is of another text
        choices: dict[str, list[tuple[str, str]]] = {}
        for p in todo:
            if p.edition:  # a medcode before editions stored it under the id without one
                choices[p.id] = [(legacy_id(p.id), p.hash)]
        waiting = {p.id for p in todo}  # what their ids hold now is an older text's vector
        by_text: dict[str, list[tuple[str, str]]] = {}
        for known in family:
            if known.id not in waiting:  # its vector may lie under its id of before editions
                pairs = [(known.id, known.hash), (legacy_id(known.id), known.hash)]
                by_text.setdefault(text_key(text_of(known)), pairs)
        for p in todo:
            if same := by_text.get(text_key(text_of(p))):
                choices[p.id] = choices.get(p.id, []) + same
        wanted = sorted({pid for pairs in choices.values() for pid, _ in pairs})
        held = vectors.stored_hashes(wanted)
        found = vectors.vectors_of([pid for pid in wanted if pid in held])
        origin = {
            new: pid
            for new, pairs in choices.items()
            if (pid := next((pid for pid, h in pairs if held.get(pid) == h), None))
        }
        # in an order unrelated to their content, as embed stores them (see there)
        copies = sorted((p for p in todo if p.id in origin), key=lambda p: text_key(p.id))
        for chunk in chunks(copies, EMBED_CHUNK):
            matrix = np.stack([found[origin[p.id]] for p in chunk])
            vectors.upsert([p.id for p in chunk], matrix, [p.metadata() for p in chunk])
        return set(origin)

    def embed(self, wanted: list[Wanted]) -> int:
        """Embed each distinct text once and store its vector in every collection that wants
        it: a guideline has the same text in the main and the prose collections.

        Texts are taken in an order unrelated to their content (by a hash of each), a window
        at a time; a window's texts are encoded shortest first, so that a batch pads little,
        and stored in the window's order. Chroma builds its graph in the order vectors come,
        and a graph built shortest first left passages out of reach: the nearest neighbours of
        1.5-3.7% of the main collection's own vectors did not include them, even among 480.
        Each window is stored as it is made."""
        if not wanted:
            return 0
        by_text: dict[str, list[tuple[VectorIndex, Passage]]] = {}
        for vectors, passage, text in wanted:
            by_text.setdefault(text, []).append((vectors, passage))
        texts = sorted(by_text, key=text_key)
        embedder = self.embedder()
        bar = self.progress.bar(len(wanted), "embedding")
        for start in range(0, len(texts), WINDOW):
            window = texts[start : start + WINDOW]
            encoded: dict[str, np.ndarray] = {}
            for run in chunks(sorted(window, key=len), EMBED_CHUNK):
                encoded.update(zip(run, embedder.embed_documents(run), strict=True))
            for run in chunks(window, EMBED_CHUNK):
                matrix = np.stack([encoded[text] for text in run])
                stored = 0
                for vectors, rows in by_collection(run, by_text):
                    ids = [p.id for _, p in rows]
                    metadatas = [p.metadata() for _, p in rows]
                    vectors.upsert(ids, matrix[[i for i, _ in rows]], metadatas)
                    stored += len(rows)
                bar.update(stored)  # type: ignore[attr-defined]
                self.progress.advance(stored)
        bar.close()  # type: ignore[attr-defined]
        return len(wanted)

    def parts(self, passages: list[Passage]) -> list[Part]:
        """Each collection a source writes to, with its passages and the text it embeds."""
        vectors = self.vectors()
        return [
            (vectors, own_vector(passages), embed_text),
            (vectors.titles, titled(passages), title_text),
            (vectors.prose, prose(passages), embed_text),
        ]

    def remove_stale(self, source: str, shelf: str, parts: list[Part]) -> int:
        """Delete the vectors of this edition's passages that no longer exist (and those
        stored under ids of before editions); other editions' stay."""
        removed = 0
        others = self.catalog.other_editions_ids(source, shelf)
        for vectors, kept, _ in parts:
            # another edition whose vectors still lie under their ids of before editions (a
            # migrated catalog not yet loaded again) keeps them until it is
            held = vectors.stored_hashes(sorted(others)) if others else {}
            waiting = {legacy_id(pid) for pid in others if pid not in held}
            keep = {p.id for p in kept} | others | waiting
            stale = [pid for pid in vectors.ids_for_source(source) if pid not in keep]
            vectors.delete(stale)
            removed += len(stale)
        return removed


def prose(passages: list[Passage]) -> list[Passage]:
    """The passages that are also kept in the small prose collection."""
    return [p for p in passages if p.kind in PROSE_KINDS]


def editioned(passages: list[Passage], edition: str) -> list[Passage]:
    """The passages of one edition: each names it, and its id does too (so that editions of
    one source stand side by side)."""
    if not edition:
        return passages
    return [replace(p, id=f"{p.id}@{edition}", edition=edition) for p in passages]


def legacy_id(passage_id: str) -> str:
    """The id a passage had before editions ("icd10pcs-tables:ab12@FY2026" -> ...:ab12)."""
    return passage_id.rsplit("@", 1)[0]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def unique(passages: list[Passage]) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for passage in passages:
        seen.setdefault(passage.id, passage)
    return list(seen.values())


def by_collection(
    texts: list[str], by_text: dict[str, list[tuple[VectorIndex, Passage]]]
) -> list[tuple[VectorIndex, list[tuple[int, Passage]]]]:
    """For each collection, the passages that take the vectors of ``texts``, with the row of
    their text."""
    groups: dict[int, tuple[VectorIndex, list[tuple[int, Passage]]]] = {}
    for row, text in enumerate(texts):
        for vectors, passage in by_text[text]:
            groups.setdefault(id(vectors), (vectors, []))[1].append((row, passage))
    return list(groups.values())


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
