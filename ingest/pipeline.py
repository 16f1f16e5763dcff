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

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant import schema
from assistant.catalog import Catalog
from assistant.embedder import Embedder
from assistant.models import Passage
from assistant.vectorstore import PROSE_KINDS, VectorIndex
from ingest.detect import Loader
from ingest.loaders.common import checksum

Part = tuple[VectorIndex, list[Passage], Callable[[Passage], str]]
PIPELINE_VERSION = "4"  # 2: title vectors for code passages; 3: prose companion;
# 4: BM25 indexes heading trails, wrapped guideline headings are whole
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
        tag = f"{loader.name}@{PIPELINE_VERSION}"
        if self.unchanged(path, tag):
            return IngestResult(loader.name, str(path), loader.name, "", "unchanged")
        self.progress.say(f"{path}: reading with loader {loader.name}")
        data = loader.load(path)
        data.passages = unique(data.passages)
        parts = self.parts(data.passages)
        embedded = sum(
            self.embed_missing(kept, vectors, text_of) for vectors, kept, text_of in parts
        )
        schema.replace_source(self.catalog.conn, data, tag)
        removed = self.remove_stale(data.source, parts)
        return IngestResult(
            data.source,
            str(path),
            loader.name,
            data.version,
            "loaded",
            data.records,
            len(data.passages),
            embedded,
            removed,
            time.monotonic() - started,
        )

    def unchanged(self, path: Path, tag: str) -> bool:
        return self.catalog.has_loaded(checksum(path), tag)

    def embed_missing(
        self, passages: list[Passage], vectors: VectorIndex, text_of: Callable[[Passage], str]
    ) -> int:
        stored = vectors.stored_hashes([p.id for p in passages])
        todo = [p for p in passages if stored.get(p.id) != p.hash]
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

    def remove_stale(self, source: str, parts: list[Part]) -> int:
        removed = 0
        for vectors, kept, _ in parts:
            keep = {p.id for p in kept}
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


def unique(passages: list[Passage]) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for passage in passages:
        seen.setdefault(passage.id, passage)
    return list(seen.values())


def chunks(items: list[Passage], size: int) -> Iterator[list[Passage]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
