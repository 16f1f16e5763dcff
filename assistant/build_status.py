"""What an ingest is doing, read from the small JSON file it keeps beside the catalog
(``build.json``, written by ingest.status.Tracker) for the server, the command line and the
widget. Whether the ingest still runs is told by its lock, not by the file: a killed ingest
leaves a file that says where it stopped, and a free lock."""

from __future__ import annotations

import fcntl
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STATUS_FILE = "build.json"
LOCK_FILE = ".ingest.lock"
NOTICE_SECONDS = 1.0


@dataclass
class BuildStatus:
    phase: str = "catalog"  # "catalog" (rows and lexical index), "vectors", "done"
    plan: list[str] | None = None  # the files asked for; None: the default sources
    sources_total: int = 0
    sources_written: int = 0
    vectors_total: int = 0
    vectors_stored: int = 0
    rate: float = 0.0  # vectors a second, in this run
    started_at: str = ""
    updated_at: str = ""
    error: str = ""
    running: bool = field(default=False, compare=False)  # read from the lock, never stored

    @property
    def finished(self) -> bool:
        return self.phase == "done"

    @property
    def seconds_left(self) -> float | None:
        if self.phase != "vectors" or self.rate <= 0:
            return None
        return max(self.vectors_total - self.vectors_stored, 0) / self.rate

    def public(self) -> dict[str, object]:
        row = asdict(self)
        del row["plan"]  # the server's file paths stay on the server
        left = self.seconds_left
        row["seconds_left"] = None if left is None else round(left)
        return {**row, "message": self.message()}

    def message(self) -> str:
        """One line for people: what is built, and what search lacks meanwhile."""
        if self.phase == "done":
            return f"index built: {self.vectors_total:,} vectors stored"
        if not self.running:
            stopped = f"stopped at {self.updated_at}" + (f" ({self.error})" if self.error else "")
            return (
                f"the index build {stopped}, {self.done_part()}: search lacks the rest of its "
                "semantic part; `medcode ingest` or `medcode serve` finishes it"
            )
        if self.phase == "catalog":
            return (
                f"building the index: catalog and lexical index, {self.sources_written} of "
                f"{self.sources_total} sources written"
            )
        if not self.vectors_total:
            return "semantic search is still being built: counting the vectors to store"
        left = self.seconds_left
        pace = f", {self.rate:,.0f}/s" if self.rate else ""
        eta = f", about {minutes(left)} left" if left is not None else ""
        return (
            f"semantic search is still being built: {self.done_part()}{pace}{eta}; answers "
            "use the lexical index and the catalog meanwhile"
        )

    def done_part(self) -> str:
        if self.phase == "catalog":
            return f"{self.sources_written} of {self.sources_total} sources written"
        return f"{self.vectors_stored:,} of {self.vectors_total:,} vectors stored"


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_status(data_dir: Path) -> BuildStatus | None:
    """The last build's status, or None when no build wrote one (or its file is unreadable)."""
    path = data_dir / STATUS_FILE
    try:
        fields = json.loads(path.read_text())
        status = BuildStatus(**{k: v for k, v in fields.items() if k != "running"})
    except (OSError, ValueError, TypeError):
        return None
    status.running = not status.finished and is_locked(data_dir)
    return status


def unfinished(data_dir: Path) -> BuildStatus | None:
    """The status of a build that is not finished (running or stopped); None otherwise."""
    status = read_status(data_dir)
    return None if status is None or status.finished else status


def is_locked(data_dir: Path) -> bool:
    """Whether an ingest holds the data folder's lock (in this process or another)."""
    try:
        handle = (data_dir / LOCK_FILE).open("a")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


class Notice:
    """What every search says while the semantic part is incomplete (the file read at most
    once a second); "" once the build is done, or when none was recorded."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.read_at = -NOTICE_SECONDS
        self.text = ""

    def __call__(self) -> str:
        if time.monotonic() - self.read_at >= NOTICE_SECONDS:
            self.read_at = time.monotonic()
            status = unfinished(self.data_dir)
            self.text = status.message() if status is not None else ""
        return self.text
