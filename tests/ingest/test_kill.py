"""An ingest killed with SIGKILL part-way leaves the previous index usable; the next completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant.catalog import Catalog
from assistant.embedder import MiniLMEmbedder
from assistant.settings import Settings
from assistant.vectorstore import VectorStore
from ingest.run import ingest
from tests.conftest import cli_env, corpus_file


def wait_for_progress(process: subprocess.Popen[bytes], log: Path, marker: str) -> None:
    deadline = time.monotonic() + 240
    while marker not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "ingest never got going"
        time.sleep(0.2)


def test_sigkill_mid_ingest(settings: Settings, minilm: MiniLMEmbedder, tmp_path: Path) -> None:
    doc = tmp_path / "policy.md"
    doc.write_text("# Modifier 25\nSignificant, separately identifiable E/M service.")
    ingest(settings, [doc], quiet=True, embedder=minilm)
    big = corpus_file("icd10cm_eindex_2025.xml")
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "ingest", str(big)],
            env=cli_env(settings),
            stderr=err,
            stdout=subprocess.DEVNULL,
        )
        wait_for_progress(process, log, "1024/")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    catalog = Catalog(settings.catalog_path)
    assert [s["name"] for s in catalog.sources()] == ["doc-policy"]
    vectors = VectorStore.open(settings, MiniLMEmbedder.name)
    hits = vectors.query(minilm.embed_query("modifier 25"), 3, where={"source": "doc-policy"})
    assert hits and catalog.passage(hits[0].id) is not None

    results, errors = ingest(settings, [big], quiet=True, embedder=minilm)
    assert not errors and results[0].status == "loaded"
    assert results[0].embedded < results[0].passages  # work done before the kill is kept
    total = catalog.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert VectorStore.open(settings, MiniLMEmbedder.name).count() == total
