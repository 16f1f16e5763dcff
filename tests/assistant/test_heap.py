"""What a server does after its warm-up (assistant/heap.py)."""

from __future__ import annotations

import sys

import pytest

from tests.fresh import in_fresh_python


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_settling_frees_the_heap_and_freezes_what_is_kept() -> None:
    script = (
        "import gc, os\n"
        "from assistant import heap\n"
        "def rss():\n"
        "    for line in open(f'/proc/{os.getpid()}/status'):\n"
        "        if line.startswith('VmRSS'): return int(line.split()[1]) // 1024\n"
        "kept = [[i] for i in range(200_000)]\n"
        # blocks past pymalloc's 512 bytes come from malloc; one kept after them holds the
        # top of the heap, so only a trim returns their pages once they are freed
        "made = [bytes(1000 + i % 7) for i in range(60_000)]\n"
        "top = bytes(1000)\n"
        "del made; before = rss()\n"
        "heap.settle()\n"
        "frozen = gc.get_freeze_count() >= len(kept)\n"
        "print(before - rss(), frozen, heap.malloc_trim() is not None)\n"
    )
    freed, frozen, trimmed = in_fresh_python(script).split()
    assert frozen == "True" and trimmed == "True"
    assert int(freed) > 30  # of the 60 MB freed before, handed back by the trim
