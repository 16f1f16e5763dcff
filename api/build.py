"""Serving while the index is built. With no index (or a build that stopped), the server
ingests in a background thread and starts answering as soon as the catalog and the lexical
index are written; the vectors are stored meanwhile and join the search as they land (the
same process holds the vector store, so no restart is needed). An ingest run by another
process is waited for the same way."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api.state import AppState
from assistant.build_status import read_status
from assistant.catalog import Catalog
from assistant.settings import Settings

POLL_SECONDS = 1.0
log = logging.getLogger("medcode.api")


def plan(settings: Settings) -> list[Path] | None:
    """The files to ingest in the background ([]: the default sources), or None."""
    if settings.build_paths:
        return list(settings.build_paths)
    if settings.build == "off":
        return None
    status = read_status(settings.data_dir)
    if status is not None and not status.finished and not status.running:
        return [Path(p) for p in status.plan or []]  # a build that stopped: finish it
    return None if has_sources(settings) else []


def has_sources(settings: Settings) -> bool:
    if not settings.catalog_path.is_file():
        return False
    catalog = Catalog(settings.catalog_path)
    try:
        return bool(catalog.sources())
    finally:
        catalog.close()


def start(state: AppState, load: Callable[[AppState], None]) -> bool:
    """Build in the background what ``plan`` says, and load the index once it can answer;
    False when there is nothing to build or wait for (the caller loads it now)."""
    files = plan(state.settings)
    status = read_status(state.settings.data_dir)
    waiting = status is not None and status.running  # another process is building
    if files is None and not waiting:
        return False
    worker = None
    if files is not None:
        worker = threading.Thread(target=build, args=(state, files), daemon=True)
        worker.start()
    threading.Thread(target=watch, args=(state, load, worker), daemon=True).start()
    return True


def build(state: AppState, files: list[Path]) -> None:
    from ingest.run import ingest

    try:
        _, errors = ingest(state.settings, files, quiet=True)
    except Exception as exc:  # the status file keeps where it stopped; the next start resumes
        log.error("the index build stopped: %s", type(exc).__name__)
        state.problem = f"the index build stopped ({type(exc).__name__}); see build.json"
        return
    for message in errors:
        log.warning("index build: %s", message)


def watch(
    state: AppState, load: Callable[[AppState], None], worker: threading.Thread | None
) -> None:
    """Load the index when its catalog and lexical index are written; when the build ends
    without them, load once more (the problem it reports says what is missing)."""
    settings = state.settings
    while state.index is None:
        status = read_status(settings.data_dir)
        ours = worker is not None and worker.is_alive()
        running = ours or (status is not None and status.running)
        # this process's build may not have written its status yet
        writing = running and (status.phase == "catalog" if status else ours)
        if settings.catalog_path.is_file() and not writing:
            load(state)
        if state.index is None and not running:
            load(state)
            return
        time.sleep(POLL_SECONDS)
