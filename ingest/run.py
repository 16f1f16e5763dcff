"""What ``medcode ingest`` does: pick the files, run each through the pipeline, report."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from assistant import schema
from assistant.catalog import Catalog
from assistant.embedder import Embedder, embedder_name, make_embedder
from assistant.errors import MedcodeError
from assistant.settings import Settings
from assistant.vectorstore import VectorIndex, open_vectors
from ingest.detect import Loader, corpus_files, loader_for, packaged_sources
from ingest.pipeline import IngestResult, Pipeline, Progress


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingest at a time per data folder."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / ".ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def default_plan(settings: Settings) -> list[tuple[Loader, Path]]:
    """The packaged sources plus every file in MEDCODE_CORPUS_DIR."""
    found = packaged_sources()
    if settings.corpus_dir and settings.corpus_dir.is_dir():
        # every file, yearly editions of one source too: each is kept as its own edition
        found += [(loader_for(p), p) for p in corpus_files(settings.corpus_dir)]
    return found


def make_pipeline(
    settings: Settings, catalog: Catalog, quiet: bool, embedder: Embedder | None = None
) -> Pipeline:
    @cache
    def get_embedder() -> Embedder:
        return embedder or make_embedder(settings)

    @cache
    def get_vectors() -> VectorIndex:
        name = embedder.name if embedder else embedder_name(settings)
        return open_vectors(settings, name)

    return Pipeline(catalog, get_vectors, get_embedder, Progress(quiet))


def ingest(
    settings: Settings, paths: list[Path], quiet: bool = False, embedder: Embedder | None = None
) -> tuple[list[IngestResult], list[str]]:
    """Ingest each file; a bad file is reported and skipped, the others still load."""
    results: list[IngestResult] = []
    errors: list[str] = []
    with ingest_lock(settings):
        catalog = Catalog(settings.catalog_path)
        pipeline = make_pipeline(settings, catalog, quiet, embedder)
        try:
            for loader, path in plan_or_errors(settings, paths, errors):
                try:
                    results.append(pipeline.run(loader, path))
                except MedcodeError as exc:
                    errors.append(exc.message)
            if any(r.status == "loaded" for r in results):
                schema.optimize(catalog.conn)
        finally:
            catalog.close()
    return results, errors


def plan_or_errors(
    settings: Settings, paths: list[Path], errors: list[str]
) -> list[tuple[Loader, Path]]:
    if not paths:
        return default_plan(settings)
    planned = []
    for path in paths:
        try:
            planned.append((loader_for(path), path))
        except MedcodeError as exc:
            errors.append(exc.message)
    return planned
