"""The indexing pipeline: load -> passages -> embed -> store, one source at a time.

Order of writes, so that a crash at any point leaves a usable index and the next run completes:
1. vectors for new or changed passages (and for code passages, a second vector of the title
   alone, in a companion collection) are upserted into Chroma (ids are stable, content hashes
   are stored with them, so work already done is not repeated);
2. the catalog and lexical index are swapped in one SQLite transaction;
3. vectors of passages that no longer exist are deleted.
Search only returns passages present in the catalog, so stray vectors from an interrupted run
are never shown.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant import schema
from assistant.catalog import Catalog, row_to_passage
from assistant.embedder import Embedder
from assistant.models import Passage
from assistant.vectorstore import PROSE_KINDS, VectorIndex
from ingest.detect import Loader
from ingest.loaders.common import checksum

Part = tuple[VectorIndex, list[Passage], Callable[[Passage], str]]
PIPELINE_VERSION = "5"  # 2: title vectors for code passages; 3: prose companion;
# 4: BM25 indexes heading trails, wrapped guideline headings are whole; 5: editions
EMBED_CHUNK = 512


@dataclass
class IngestResult:
    source: str
    path: str
    loader: str
    version: str
    status: str  # "loaded", "unchanged"
    records: int = 0
    passages: int = 0
    embedded: int = 0  # vectors: a passage may have a title or prose vector too
    reused: int = 0  # vectors copied from an equal text of another edition (or an older id)
    removed: int = 0
    seconds: float = 0.0


class Progress:
    """tqdm bars on stderr, or nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

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
        started = time.monotonic()
        tag = f"{loader.name}@{PIPELINE_VERSION}" + (
            f".{loader.revision}" if loader.revision else ""
        )
        if self.unchanged(path, tag):
            return IngestResult(loader.name, str(path), loader.name, "", "unchanged")
        self.progress.say(f"{path}: reading with loader {loader.name}")
        data = loader.load(path)
        data.passages = editioned(unique(data.passages), data.edition)
        parts = self.parts(data.passages)
        embedded = reused = 0
        family: list[Passage] | None = None  # the source's stored passages, read once if needed
        for vectors, kept, text_of in parts:
            stored = vectors.stored_hashes([p.id for p in kept])
            todo = [p for p in kept if stored.get(p.id) != p.hash]
            if todo and family is None:
                family = [row_to_passage(row) for row in self.catalog.family(data.source)]
            copied = self.reuse(todo, family or [], vectors, text_of)
            reused += len(copied)
            embedded += self.embed([p for p in todo if p.id not in copied], vectors, text_of)
        schema.replace_source(self.catalog.conn, data, tag)
        removed = self.remove_stale(data.source, data.shelf, parts)
        return IngestResult(
            data.source,
            str(path),
            loader.name,
            data.version,
            "loaded",
            data.records,
            len(data.passages),
            embedded,
            reused,
            removed,
            time.monotonic() - started,
        )

    def unchanged(self, path: Path, tag: str) -> bool:
        return self.catalog.has_loaded(checksum(path), tag)

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
        choices: dict[str, list[str]] = {}  # new id -> ids whose vector it may take, in order
        legacy = {legacy_id(p.id): p for p in todo if p.edition}
        for old, held in vectors.stored_hashes(list(legacy)).items():
            if held == legacy[old].hash:
                choices[legacy[old].id] = [old]
        by_text: dict[str, list[str]] = {}
        for known in family:
            # its vector may still lie under the id it had before editions
            by_text.setdefault(text_key(text_of(known)), [known.id, legacy_id(known.id)])
        for p in todo:
            if p.id not in choices and (same := by_text.get(text_key(text_of(p)))):
                choices[p.id] = same
        found = vectors.vectors_of(sorted({pid for ids in choices.values() for pid in ids}))
        origin = {
            new: next(pid for pid in ids if pid in found)
            for new, ids in choices.items()
            if any(pid in found for pid in ids)
        }
        copies = [p for p in todo if p.id in origin]
        for chunk in chunks(copies, EMBED_CHUNK):
            matrix = np.stack([found[origin[p.id]] for p in chunk])
            vectors.upsert([p.id for p in chunk], matrix, [p.metadata() for p in chunk])
        return set(origin)

    def embed(
        self, todo: list[Passage], vectors: VectorIndex, text_of: Callable[[Passage], str]
    ) -> int:
        if not todo:
            return 0
        embedder = self.embedder()
        bar = self.progress.bar(len(todo), "embedding")
        for chunk in chunks(todo, EMBED_CHUNK):
            matrix = embedder.embed_documents([text_of(p) for p in chunk])
            vectors.upsert([p.id for p in chunk], matrix, [p.metadata() for p in chunk])
            bar.update(len(chunk))  # type: ignore[attr-defined]
        bar.close()  # type: ignore[attr-defined]
        return len(todo)

    def parts(self, passages: list[Passage]) -> list[Part]:
        """Each collection a source writes to, with its passages and the text it embeds."""
        vectors = self.vectors()
        return [
            (vectors, passages, embed_text),
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


def embed_text(passage: Passage) -> str:
    """What the dense index sees. Code passages are embedded by their title and inclusion terms:
    excludes and other notes name *other* conditions and would pull the wrong queries."""
    if passage.kind != "code":
        return passage.text
    synonyms = [ln for ln in passage.text.splitlines() if ln.startswith("Inclusion terms:")]
    return "\n".join([passage.title, *[s.removeprefix("Inclusion terms: ") for s in synonyms]])


def titled(passages: list[Passage]) -> list[Passage]:
    """The passages that also get a title vector: those of one code, with a title."""
    return [p for p in passages if p.kind == "code" and p.code and p.title]


def prose(passages: list[Passage]) -> list[Passage]:
    """The passages that are also kept in the small prose collection."""
    return [p for p in passages if p.kind in PROSE_KINDS]


def title_text(passage: Passage) -> str:
    return passage.title


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


def chunks(items: list[Passage], size: int) -> Iterator[list[Passage]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
