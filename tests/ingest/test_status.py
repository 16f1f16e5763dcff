"""The build status file: what it says, and whether its ingest still runs (told by the lock)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.build_status import STATUS_FILE, read_status
from ingest.status import Tracker, ingest_lock


def test_no_file_no_status(tmp_path: Path) -> None:
    assert read_status(tmp_path) is None
    (tmp_path / STATUS_FILE).write_text("{not json")
    assert read_status(tmp_path) is None  # a damaged file is no status, not a crash


def test_the_status_follows_the_build_and_the_lock(tmp_path: Path) -> None:
    with ingest_lock(tmp_path):
        tracker = Tracker(tmp_path, [tmp_path / "a.xml"])
        tracker.sources(2)
        tracker.source_written()
        seen = read_status(tmp_path)
        assert seen is not None and seen.running and seen.phase == "catalog"
        assert "1 of 2 sources written" in seen.message()
        tracker.catalog_written()
        assert "counting" in (read_status(tmp_path) or seen).message()
        tracker.vectors(1000)
        tracker.written_at = 0.0  # the next count is written at once
        tracker.stored(250)
        seen = read_status(tmp_path)
        assert seen is not None and seen.vectors_stored == 250 and seen.rate > 0
        assert seen.seconds_left is not None and seen.seconds_left > 0
        assert "250 of 1,000 vectors stored" in seen.message()
        public = seen.public()
        assert "plan" not in public and public["vectors_total"] == 1000  # no server paths
    # the lock is free: the build stopped where the file says, and the message says how to go on
    stopped = read_status(tmp_path)
    assert stopped is not None and not stopped.running and not stopped.finished
    assert stopped.plan == [str(tmp_path / "a.xml")]
    assert "stopped" in stopped.message() and "`medcode ingest`" in stopped.message()


def test_a_finished_build(tmp_path: Path) -> None:
    with ingest_lock(tmp_path):
        tracker = Tracker(tmp_path, None)
        tracker.vectors(10)
        tracker.done(["x.csv: line 3: no code"])
    done = read_status(tmp_path)
    assert done is not None and done.finished and done.vectors_stored == 10 and not done.running
    assert done.plan is None and "not read" in done.error
    stored = json.loads((tmp_path / STATUS_FILE).read_text())
    assert "running" not in stored  # never written: the lock says it


def test_the_lock_is_seen_from_another_thread(tmp_path: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with ingest_lock(tmp_path):
            Tracker(tmp_path, None)
            held.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(10)
    try:
        seen = read_status(tmp_path)
        assert seen is not None and seen.running
    finally:
        release.set()
        worker.join()
    after = read_status(tmp_path)
    assert after is not None and not after.running
