"""What ``medcode ingest`` does: pick the files, run each through the pipeline, report."""

from __future__ import annotations

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
from ingest.status import Tracker, ingest_lock


def default_plan(settings: Settings) -> list[tuple[Loader, Path]]:
    """The packaged sources plus every file in MEDCODE_CORPUS_DIR."""
    found = packaged_sources()
    if settings.corpus_dir and settings.corpus_dir.is_dir():
        # every file, yearly editions of one source too: each is kept as its own edition
        found += [(loader_for(p), p) for p in corpus_files(settings.corpus_dir)]
    return found


def make_pipeline(
    settings: Settings,
    catalog: Catalog,
    quiet: bool,
    embedder: Embedder | None = None,
    tracker: Tracker | None = None,
) -> Pipeline:
    @cache
    def get_embedder() -> Embedder:
        return embedder or make_embedder(settings)

    @cache
    def get_vectors() -> VectorIndex:
        name = embedder.name if embedder else embedder_name(settings)
        return open_vectors(settings, name)

    progress = Progress(quiet, tracker.stored if tracker else None)
    return Pipeline(catalog, get_vectors, get_embedder, progress)


def ingest(
    settings: Settings,
    paths: list[Path],
    quiet: bool = False,
    embedder: Embedder | None = None,
) -> tuple[list[IngestResult], list[str]]:
    """Ingest each file; a bad file is reported and skipped, the others still load. Every
    file's catalog rows and lexical index are written first (search can answer then), then the
    vectors each edition lacks are stored, those of an earlier run that stopped included.
    ``build.json`` in the data folder says how far it is (see status.py)."""
    results: list[IngestResult] = []
    errors: list[str] = []
    with ingest_lock(settings.data_dir):
        tracker = Tracker(settings.data_dir, paths)
        catalog = Catalog(settings.catalog_path)
        pipeline = make_pipeline(settings, catalog, quiet, embedder, tracker)
        try:
            write_all(pipeline, plan_or_errors(settings, paths, errors), results, errors, tracker)
            if any(r.status == "loaded" for r in results):
                schema.optimize(catalog.conn)
            tracker.catalog_written()
            store_vectors(pipeline, catalog, results, errors, tracker)
            waiting = catalog.pending_vectors()
        except BaseException as exc:
            tracker.failed(str(exc)[:200] or type(exc).__name__)
            raise
        finally:
            catalog.close()
        # a file that could not be read is reported, not tried again at every start
        if waiting:
            tracker.failed(errors[-1][:200] if errors else "vectors missing")
        else:
            tracker.done(errors)
    return results, errors


def write_all(
    pipeline: Pipeline,
    planned: list[tuple[Loader, Path]],
    results: list[IngestResult],
    errors: list[str],
    tracker: Tracker,
) -> None:
    tracker.sources(len(planned))
    for loader, path in planned:
        try:
            results.append(pipeline.write(loader, path))
        except MedcodeError as exc:
            errors.append(exc.message)
        tracker.source_written()


def store_vectors(
    pipeline: Pipeline,
    catalog: Catalog,
    results: list[IngestResult],
    errors: list[str],
    tracker: Tracker,
) -> None:
    """The vectors of every edition waiting for them, in the order they were written."""
    pending = catalog.pending_vectors()
    tracker.vectors(pipeline.count_todo([shelf for shelf, _ in pending]))
    by_shelf = {r.shelf: r for r in results if r.shelf}
    for shelf, source in pending:
        try:
            stored = pipeline.embed_shelf(shelf, source)
        except MedcodeError as exc:
            errors.append(f"{shelf}: vectors not stored: {exc.message}")
            continue
        result = by_shelf.get(shelf) or resumed(catalog, shelf, results)
        if result.status == "unchanged":  # a run that stopped wrote it: its vectors are done now
            result.status = "resumed"
        pipeline.add(result, stored)


def resumed(catalog: Catalog, shelf: str, results: list[IngestResult]) -> IngestResult:
    """The result of an edition an earlier run wrote and did not finish, not in this run's
    files."""
    row = next(r for r in catalog.sources() if r["shelf"] == shelf)
    name, path, loader, version = (str(row[k]) for k in ("name", "path", "loader", "version"))
    result = IngestResult(name, path, loader, version, "resumed", shelf=shelf)
    results.append(result)
    return result


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
