"""A script run in a Python process of its own: what a module imports, or what a process's
memory does, cannot be seen from inside the test process, which has imported much already."""

from __future__ import annotations

import subprocess
import sys


def in_fresh_python(script: str, timeout: float = 120) -> str:
    """The script's standard output; it must exit cleanly."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
