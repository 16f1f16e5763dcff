"""What a long-lived process does once its warm-up is over: drop what the warm-up made and no
longer needs, keep the rest out of the garbage collector's sight, and hand the freed heap back
to the system."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any


def settle() -> None:
    """After a warm-up. The objects kept are frozen: a full collection then costs 10 ms instead
    of 400 (one answer in some hundred). glibc keeps the pages of freed objects for the next
    allocations; the warm-up's transient reads (a small set's vectors arrive as lists of
    floats, the catalog's rows as tuples) leave some 30-90 MB of them, returned here."""
    gc.collect()
    gc.freeze()
    trim = malloc_trim()
    if trim is not None:
        trim(0)


@cache
def malloc_trim() -> Any:
    """glibc's ``malloc_trim``; None on another C library (musl, macOS), where it is not needed
    or not there."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
