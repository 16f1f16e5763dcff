"""The ``medcode`` program. Before the command line runs, it starts itself again with glibc's
malloc asking the kernel for transparent huge pages, where the kernel gives them only to memory
that asks (Linux, THP mode ``madvise``). A search reads the encoder's 42 MB of weights and
Chroma's graphs end to end; with 2 MB pages instead of 4 kB ones the processor misses its
address cache far less, and a search costs about a tenth less CPU, with the same results
(docs/speed.md). ``MEDCODE_HUGE_PAGES=off`` in the environment turns it off."""

from __future__ import annotations

import os
import sys
from pathlib import Path

TUNABLE = "glibc.malloc.hugetlb"
THP_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def main() -> int:
    relaunch_with_huge_pages()
    from cli.main import main as run

    try:
        return run()
    except BrokenPipeError:  # the reader went away (`medcode sources | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def relaunch_with_huge_pages() -> None:
    """Replace this process by the same command with the tunable set (same pid, same open
    files: a process manager, a pipe to an AI agent and a terminal see no difference)."""
    wanted = tunables(os.environ, thp_mode(), glibc())
    if wanted is None:
        return
    try:
        os.execve(sys.executable, sys.orig_argv, {**os.environ, "GLIBC_TUNABLES": wanted})
    except OSError:  # cannot start again: run as we are, with ordinary pages
        return


def tunables(environ: dict[str, str] | os._Environ[str], mode: str, libc: str) -> str | None:
    """The GLIBC_TUNABLES to start again with, or None to run as we are: not on glibc, huge
    pages already given to all memory or to none, turned off, or already asked for (by this
    launcher before, or by the operator, whose other tunables are kept)."""
    current = environ.get("GLIBC_TUNABLES", "")
    if environ.get("MEDCODE_HUGE_PAGES", "on").lower() in ("off", "0", "false", "no"):
        return None
    if not libc.startswith("glibc") or mode != "madvise" or TUNABLE in current:
        return None
    return ":".join(part for part in (current, f"{TUNABLE}=1") if part)


def thp_mode() -> str:
    """The kernel's transparent huge page mode: "always", "madvise", "never", or "" when it
    cannot be read (not Linux, or no THP)."""
    try:
        text = THP_MODE.read_text()
    except OSError:
        return ""
    start, end = text.find("["), text.find("]")
    return text[start + 1 : end] if 0 <= start < end else ""


def glibc() -> str:
    """ "glibc 2.36" on glibc, else ""."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
