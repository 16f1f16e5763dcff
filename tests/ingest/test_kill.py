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
from assistant.vector_texts import own_vector, titled
from assistant.vectorstore import VectorStore
from ingest.run import ingest
from tests.conftest import cli_env, corpus_file


def wait_for_progress(process: subprocess.Popen[bytes], log: Path, data_dir: Path) -> None:
    """Until the running build's status file says some of its vectors are stored."""
    deadline = time.monotonic() + 240
    while not ((now := read_status(data_dir)) and now.running and now.vectors_stored > 0):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "ingest never got going"
        time.sleep(0.2)


def test_sigkill_mid_ingest(settings: Settings, minilm: MiniLMEmbedder, tmp_path: Path) -> None:
    doc = tmp_path / "policy.md"
    doc.write_text("# Modifier 25\nSignificant, separately identifiable E/M service.")
    ingest(settings, [doc], quiet=True, embedder=minilm)
    big = corpus_file("HCPC2025_OCT_ANWEB.csv")  # 8,846 vectors (index lines have none)
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "ingest", str(big)],
            env=cli_env(settings),
            stderr=err,
            stdout=subprocess.DEVNULL,
        )
        wait_for_progress(process, log, settings.data_dir)
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
    stored = VectorStore.open(settings, MiniLMEmbedder.name)
    every = catalog.every_passage()
    assert stored.count() == len(own_vector(every)) > 0
    assert stored.titles.count() == len(titled(every))
    assert not catalog.pending_vectors()
    finished = read_status(settings.data_dir)
    assert finished is not None and finished.finished and not finished.running
