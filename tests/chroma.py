"""A real Chroma server (`chroma run`, from the chromadb package) on 127.0.0.1, for tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import free_port
from tests.conftest import wait_until_up


def chroma_command() -> str:
    found = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if found is None:
        pytest.skip("the `chroma` command (package chromadb) is not installed")
    return found


class ChromaServer:
    """Started, stopped and started again on the same port and folder, as an operator would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ChromaServer:
        self.process = subprocess.Popen(
            [
                chroma_command(),
                "run",
                "--path",
                str(self.path),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(f"{self.url}/api/v2/heartbeat", self.process, seconds=60)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def env(self) -> dict[str, str]:
        return {"MEDCODE_CHROMA_HOST": "127.0.0.1", "MEDCODE_CHROMA_PORT": str(self.port)}
