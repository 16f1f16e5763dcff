"""Serving while the index is built: the server answers from the catalog and the lexical index
as soon as they are written, says so in every answer and in /readyz, and takes the vectors in
as they are stored, without a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.retrieval import searcher
from assistant.settings import Settings
from ingest.pipeline import Pipeline

BEING_BUILT = "semantic search is still being built"


def poll(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)
    return found


def held_back(monkeypatch: pytest.MonkeyPatch, name: str) -> threading.Event:
    """``Pipeline.<name>`` waits for the returned event: the build stops there until the test
    lets it go on."""
    gate = threading.Event()
    original = getattr(Pipeline, name)

    def waiting(self: Pipeline, *args: Any) -> Any:
        assert gate.wait(60), f"{name} was never let go"
        return original(self, *args)

    monkeypatch.setattr(Pipeline, name, waiting)
    return gate


def test_the_server_answers_while_it_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "policy.md"
    doc.write_text("# Modifier 25\nA significant, separately identifiable E/M service.\n")
    writing = held_back(monkeypatch, "write")
    storing = held_back(monkeypatch, "embed_shelf")
    settings = Settings(
        data_dir=tmp_path / "data", embedder="hash", vectors="memory", build_paths=[doc]
    )
    with TestClient(create_app(settings)) as client:

        def ready() -> dict[str, Any]:
            return client.get("/readyz").json()  # type: ignore[no-any-return]

        # the catalog is being written: not ready, and /readyz says how far the build is
        first = poll(lambda: (r := ready()).get("build") and r["build"]["sources_total"] and r)
        assert client.get("/readyz").status_code == 503
        assert first["build"]["phase"] == "catalog" and first["build"]["running"]
        assert "0 of 1 sources written" in first["message"]
        assert "plan" not in first["build"]  # the server's paths stay on the server
        writing.set()

        # the catalog and BM25 are written: it answers, saying what it lacks meanwhile
        building = poll(lambda: (r := ready()).get("status") == "ready" and r)
        assert building["semantic_search"] == "building"
        assert building["build"]["phase"] == "vectors" and building["build"]["vectors_total"] == 2
        found = client.get("/v1/search", params={"q": "modifier 25 E/M"}).json()
        assert found["hits"] and found["hits"][0]["title"] == "Modifier 25"
        assert any(BEING_BUILT in w for w in found["warnings"])
        # a vector stored while others of its edition are not yet: left out of the dense list
        index = client.app.state.medcode.index  # type: ignore[attr-defined]
        (shelf, _), *_ = index.catalog.pending_vectors()
        passage = index.catalog.shelf_passages(shelf)[0]
        vector = index.embedder.embed_documents([passage.text])
        index.vectors.get().upsert([passage.id], vector, [passage.metadata()])
        assert "dense" not in index.searcher.search("modifier 25 E/M", k=1).hits[0].via
        storing.set()

        # the vectors are in: the notice goes, without a restart
        monkeypatch.setattr(searcher, "REFRESH_SECONDS", 0.0)  # look at every search
        done = poll(lambda: (r := ready()).get("semantic_search") == "complete" and r)
        # a chat probes before it searches: its first probe already takes the vectors in
        assert not index.searcher.probe("modifier 25 E/M").vectors.waiting
        assert done["build"] is None
        time.sleep(1.1)  # the notice is read again at most once a second
        found = client.get("/v1/search", params={"q": "modifier 25 E/M"}).json()
        assert found["hits"] and not any(BEING_BUILT in w for w in found["warnings"])
        # the edition's vectors join the search (the searcher looks at most every 5 s)
        poll(lambda: "dense" in index.searcher.search("modifier 25 E/M", k=1).hits[0].via, 15)


@pytest.mark.integration  # a real server, the packaged model run by ONNX Runtime, Chroma
def test_a_server_killed_while_it_builds_finishes_on_its_next_start(
    settings: Settings, tmp_path: Path
) -> None:
    """`medcode serve --ingest FILE` on an empty data folder, killed with SIGKILL while it
    stores vectors; started again without the file, it finishes the build where it stopped."""
    import os
    import signal
    import subprocess
    import sys

    import httpx

    from assistant.build_status import read_status
    from assistant.catalog import Catalog
    from assistant.vectorstore import VectorStore
    from tests.api.conftest import free_port
    from tests.conftest import ROOT, cli_env, corpus_file

    definitions = corpus_file("icd10pcs_definitions_2026.xml")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def serve(*extra: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), *extra]
        return subprocess.Popen(command, cwd=ROOT, env=cli_env(settings), stderr=log.open("ab"))

    def ready() -> dict[str, Any] | None:
        try:
            answer = httpx.get(f"{url}/readyz", timeout=5)
        except httpx.HTTPError:
            return None
        return answer.json() if answer.status_code == 200 else None

    log = tmp_path / "server.log"
    first = serve("--ingest", str(definitions))
    try:
        # vectors: the catalog is written and the server answers; kill it halfway through
        def halfway() -> bool:
            status = read_status(settings.data_dir)
            assert first.poll() is None, log.read_text()
            return status is not None and 0 < status.vectors_stored < status.vectors_total

        poll(halfway, 240)
        served = ready()
        if served is not None:  # the server may still be warming up: it answers once warm
            assert served["semantic_search"] == "building"
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    stopped = read_status(settings.data_dir)
    assert stopped is not None and not stopped.running and not stopped.finished

    second = serve()  # no files named: it finishes the build that stopped
    try:
        done = poll(lambda: (r := ready()) and r["semantic_search"] == "complete" and r, 240)
        assert done["sources"] == 1

        def whole() -> dict[str, Any] | None:  # searches read the build's status once a second
            found = httpx.get(f"{url}/v1/search", params={"q": "bypass", "kind": "definition"})
            body: dict[str, Any] = found.json()
            return None if any(BEING_BUILT in w for w in body["warnings"]) else body

        assert poll(whole, 10)["hits"]
    finally:
        second.terminate()
        second.wait(timeout=30)
    finished = read_status(settings.data_dir)
    assert finished is not None and finished.finished
    # the second start stored what the first had not: fewer than all of them
    assert finished.vectors_total < stopped.vectors_total
    catalog = Catalog(settings.catalog_path)
    assert not catalog.pending_vectors()
    vectors = VectorStore.open(settings, "all-MiniLM-L6-v2")
    assert vectors.count() == vectors.prose.count() == 954
