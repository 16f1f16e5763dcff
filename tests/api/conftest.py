from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from assistant.settings import Settings
from tests.conftest import ROOT, wait_until_up


@dataclass
class Server:
    url: str
    settings: Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(settings: Settings, workers: int = 1, **env: Any) -> Generator[Server, None, None]:
    """A real API server on 127.0.0.1 serving the given index: uvicorn, or with several
    workers the `medcode serve --workers N` command."""
    port = free_port()
    environ = dict(
        os.environ,
        MEDCODE_DATA_DIR=str(settings.data_dir),
        MEDCODE_EMBEDDER=settings.embedder,
        **env,
    )
    where = ["--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command = ["-m", "cli.main", "serve", "--workers", str(workers), *where]
    else:
        command = ["-m", "uvicorn", "api.main:app", *where]
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/readyz", process)
        yield Server(url, settings)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def server(default_index: Settings) -> Iterator[Server]:
    yield from start_server(
        default_index,
        MEDCODE_RATE_LIMIT_PER_MINUTE="100000",
        MEDCODE_CORS_ORIGINS='["http://allowed.example"]',
    )
