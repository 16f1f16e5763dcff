"""An ingest killed with SIGKILL part-way leaves the previous index usable; the next completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant.build_status import read_status
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

    # the catalog and lexical index were written first: search answers from them; the
    # edition waits for the rest of its vectors, and the status file says where it stopped
    catalog = Catalog(settings.catalog_path)
    names = sorted(str(s["name"]) for s in catalog.sources())
    assert len(names) == 2 and "doc-policy" in names
    waiting = [shelf for shelf, _ in catalog.pending_vectors()]
    assert len(waiting) == 1 and not waiting[0].startswith("doc-policy")
    stopped = read_status(settings.data_dir)
    assert stopped is not None and stopped.phase == "vectors" and not stopped.running
    assert 0 < stopped.vectors_stored < stopped.vectors_total
    assert "stopped" in stopped.message() and "medcode ingest" in stopped.message()
    vectors = VectorStore.open(settings, MiniLMEmbedder.name)
    hits = vectors.query(minilm.embed_query("modifier 25"), 3, where={"source": "doc-policy"})
    assert hits and catalog.passage(hits[0].id) is not None

    results, errors = ingest(settings, [big], quiet=True, embedder=minilm)
    assert not errors and results[0].status == "resumed"
    # work done before the kill is kept
    assert 0 < results[0].embedded <= stopped.vectors_total - stopped.vectors_stored
    total = catalog.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert VectorStore.open(settings, MiniLMEmbedder.name).count() == total
    assert not catalog.pending_vectors()
    finished = read_status(settings.data_dir)
    assert finished is not None and finished.finished and not finished.running
