"""The build status file, written by the ingest that holds the data folder's lock (read by
assistant.build_status)."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from assistant.build_status import LOCK_FILE, STATUS_FILE, BuildStatus, now

WRITE_EVERY = 1.0  # seconds between two writes of the file while vectors are stored
RATE_WINDOW = 30.0  # seconds of storing the rate is measured over


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One ingest at a time per data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class Tracker:
    """Writes the status of the build this process runs (under the ingest lock), the file
    replaced whole each time so a reader never sees half of it."""

    def __init__(self, data_dir: Path, plan: list[Path] | None) -> None:
        self.path = data_dir / STATUS_FILE
        self.status = BuildStatus(
            plan=[str(p) for p in plan] if plan else None, started_at=now(), running=True
        )
        self.marks: deque[tuple[float, int]] = deque([(time.monotonic(), 0)])
        self.written_at = 0.0
        self.write()

    def sources(self, total: int) -> None:
        self.status.sources_total = total
        self.write()

    def source_written(self) -> None:
        self.status.sources_written += 1
        self.write()

    def catalog_written(self) -> None:
        """Every file's rows and lexical index are written: search may answer."""
        self.status.phase = "vectors"
        self.write()

    def vectors(self, total: int) -> None:
        self.status.vectors_total = total
        self.marks = deque([(time.monotonic(), 0)])
        self.write()

    def stored(self, count: int) -> None:
        """``count`` more vectors stored; the rate is that of the last half minute."""
        status = self.status
        status.vectors_stored += count
        moment = time.monotonic()
        self.marks.append((moment, status.vectors_stored))
        while len(self.marks) > 2 and moment - self.marks[0][0] > RATE_WINDOW:
            self.marks.popleft()
        since, before = self.marks[0]
        status.rate = (status.vectors_stored - before) / (moment - since) if moment > since else 0
        if moment - self.written_at >= WRITE_EVERY:
            self.write()

    def done(self, errors: list[str]) -> None:
        self.status.phase = "done"
        self.status.vectors_stored = self.status.vectors_total
        self.status.error = f"{len(errors)} file(s) not read: {errors[0][:160]}" if errors else ""
        self.write()

    def failed(self, reason: str) -> None:
        self.status.error = reason
        self.write()

    def write(self) -> None:
        self.status.updated_at = now()
        row = asdict(self.status)
        del row["running"]
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(row, indent=1))
        os.replace(partial, self.path)
        self.written_at = time.monotonic()
