"""The ``medcode`` launcher: when it starts itself again with huge pages asked for, and that it
really does (same command, run once, with the operator's own tunables kept)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import launch

GLIBC = "glibc 2.36"


def test_asks_for_huge_pages_where_the_kernel_gives_them_on_request() -> None:
    assert launch.tunables({}, "madvise", GLIBC) == "glibc.malloc.hugetlb=1"


def test_keeps_the_operators_own_tunables() -> None:
    environ = {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}
    wanted = launch.tunables(environ, "madvise", GLIBC)
    assert wanted == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"


@pytest.mark.parametrize(
    ("environ", "mode", "libc"),
    [
        ({}, "always", GLIBC),  # every large allocation gets them already
        ({}, "never", GLIBC),  # none can
        ({}, "", GLIBC),  # no THP, or not Linux
        ({}, "madvise", ""),  # musl or another libc: the tunable means nothing
        ({"MEDCODE_HUGE_PAGES": "off"}, "madvise", GLIBC),
        ({"MEDCODE_HUGE_PAGES": "False"}, "madvise", GLIBC),
        ({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}, "madvise", GLIBC),  # the operator's say
        ({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}, "madvise", GLIBC),  # started again already
    ],
)
def test_runs_as_it_is(environ: dict[str, str], mode: str, libc: str) -> None:
    assert launch.tunables(environ, mode, libc) is None


@pytest.mark.parametrize(
    ("text", "mode"),
    [("always [madvise] never\n", "madvise"), ("[always] madvise never\n", "always"), ("", "")],
)
def test_reads_the_kernels_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, mode: str
) -> None:
    path = tmp_path / "enabled"
    path.write_text(text)
    monkeypatch.setattr(launch, "THP_MODE", path)
    assert launch.thp_mode() == mode
    monkeypatch.setattr(launch, "THP_MODE", tmp_path / "absent")
    assert launch.thp_mode() == ""


def test_starts_the_same_command_again_once_with_the_tunable() -> None:
    if launch.thp_mode() != "madvise" or not launch.glibc().startswith("glibc"):
        pytest.skip("this machine's kernel or libc is not one the launcher starts again on")
    code = (
        "import os, sys; from cli.launch import relaunch_with_huge_pages; "
        "relaunch_with_huge_pages(); print(os.environ['GLIBC_TUNABLES'], sys.argv[1:])"
    )
    environ = {
        k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "MEDCODE_HUGE_PAGES")
    }
    environ["GLIBC_TUNABLES"] = "glibc.malloc.arena_max=4"
    done = subprocess.run(
        [sys.executable, "-c", code, "serve", "--port", "1"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "glibc.malloc.arena_max=4:glibc.malloc.hugetlb=1 ['serve', '--port', '1']"
    ]
    environ["MEDCODE_HUGE_PAGES"] = "off"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines() == ["glibc.malloc.arena_max=4 []"]
