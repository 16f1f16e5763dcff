"""Faults while serving, over real HTTP: a language model that is down, slow or talks nonsense;
a Chroma server that stops and comes back; an ingest killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.embedder import MiniLMEmbedder
from assistant.settings import Settings
from ingest.run import ingest
from tests.api.conftest import Server, start_server
from tests.api.test_http import sse
from tests.chroma import ChromaServer
from tests.conftest import ROOT, cli_env, corpus_file
from tests.fake_llm import FakeLLM
from tests.ingest.test_kill import wait_for_progress

pytestmark = pytest.mark.integration  # servers started, stopped and killed
QUESTION = {"messages": [{"role": "user", "content": "type 2 diabetes E11.9"}]}


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def llm_server(default_index: Settings, fake_llm: FakeLLM) -> Iterator[Server]:
    yield from start_server(
        default_index,
        MEDCODE_LLM_BASE_URL=fake_llm.url,
        MEDCODE_LLM_MODEL="fake",
        MEDCODE_LLM_TIMEOUT="2",
        MEDCODE_RATE_LIMIT_PER_MINUTE="100000",
    )


def test_a_working_model_answers(llm_server: Server, fake_llm: FakeLLM) -> None:
    fake_llm.mode = "ok"
    answer = httpx.post(f"{llm_server.url}/v1/chat", json=QUESTION, timeout=30).json()
    assert answer["mode"] == "llm" and answer["answer"].startswith("Code E11.9 applies [1]")


@pytest.mark.parametrize("mode", ["nonsense", "garbage", "error", "slow", "hangup"])
def test_model_trouble_gives_the_extractive_answer(
    llm_server: Server, fake_llm: FakeLLM, mode: str
) -> None:
    fake_llm.mode = mode
    started = time.monotonic()
    response = httpx.post(f"{llm_server.url}/v1/chat", json=QUESTION, timeout=30)
    assert response.status_code == 200
    answer = response.json()
    assert answer["mode"] == "extractive" and "E11.9" in answer["answer"]
    assert any("extractive answer is shown" in w for w in answer["warnings"])
    assert time.monotonic() - started < 15  # the 2 s timeout holds, no retries pile up

    body = {**QUESTION, "stream": True}
    with httpx.stream("POST", f"{llm_server.url}/v1/chat", json=body, timeout=30) as streamed:
        assert streamed.status_code == 200
        events = sse(streamed.iter_lines())
    assert events[-1][0] == "done" and events[-1][1]["mode"] == "extractive"  # type: ignore[index]
    assert "ZZ99.999" not in events[-1][1]["answer"]  # type: ignore[index]

    openai_style = {"model": "medcode", **QUESTION}
    response = httpx.post(f"{llm_server.url}/v1/chat/completions", json=openai_style, timeout=30)
    assert response.status_code == 200
    assert "E11.9" in response.json()["choices"][0]["message"]["content"]


def write_doc(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def search(server: Server, q: str) -> dict[str, object]:
    response = httpx.get(f"{server.url}/v1/search", params={"q": q, "k": 3}, timeout=30)
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def test_chroma_server_stops_and_returns(tmp_path: Path) -> None:
    """Ingest writes to a `chroma run` server; two API workers serve from it; when it stops,
    answers come from the lexical index and the catalog with a warning; when it returns,
    search recovers on its own."""
    chroma = ChromaServer(tmp_path / "chroma").start()
    settings = Settings(data_dir=tmp_path / "data", embedder="hash")
    docs = [
        write_doc(
            tmp_path,
            "modifiers.md",
            "# Modifier 25\nSignificant, separately "
            "identifiable evaluation and management service on the same day.",
        ),
        write_doc(
            tmp_path,
            "wounds.md",
            "# Wound repair\nAdd the lengths of repairs in the "
            "same classification and anatomic group.",
        ),
    ]
    env = {**cli_env(settings), **chroma.env()}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "ingest", *map(str, docs)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not (settings.data_dir / "chroma").exists()  # the vectors went to the server
    served = start_server(settings, workers=2, **chroma.env())
    try:
        server = next(served)
        for _ in range(4):  # both workers
            found = search(server, "modifier 25 same day")
            assert found["warnings"] == [] and found["hits"]
        chroma.stop()
        for _ in range(4):
            found = search(server, "modifier 25 same day")
            assert any("vector search unavailable" in w for w in found["warnings"])  # type: ignore[attr-defined]
            assert found["hits"][0]["source"] == "doc-modifiers"  # type: ignore[index]
        chat = httpx.post(
            f"{server.url}/v1/chat",
            json={"messages": [{"role": "user", "content": "wound repair lengths"}]},
            timeout=30,
        )
        assert chat.status_code == 200
        assert any("vector search unavailable" in w for w in chat.json()["warnings"])
        chroma.start()
        deadline = time.monotonic() + 60
        clean = 0
        while clean < 4:
            assert time.monotonic() < deadline, "search did not recover"
            found = search(server, "modifier 25 same day")
            clean = clean + 1 if found["warnings"] == [] else 0
            time.sleep(0.5)
    finally:
        served.close()
        chroma.stop()


def test_sigkill_ingest_while_serving(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    """The server keeps answering during and after an ingest killed part-way (its catalog rows
    written, its vectors not all stored), and says the build stopped; the next ingest stores
    what is missing and the server sees it at once (Chroma server)."""
    big = corpus_file("HCPC2025_OCT_ANWEB.csv")  # 8,846 vectors (index lines have none)
    chroma = ChromaServer(tmp_path / "chroma").start()
    settings = Settings(
        data_dir=tmp_path / "data",
        embedder="minilm",
        chroma_host="127.0.0.1",
        chroma_port=chroma.port,
    )
    policy = write_doc(
        tmp_path,
        "policy.md",
        "# Modifier 25\nSignificant, separately identifiable evaluation and management service.",
    )
    ingest(settings, [policy], quiet=True, embedder=minilm)
    env = {**cli_env(settings), **chroma.env()}
    served = start_server(settings, 1, **chroma.env())
    try:
        server = next(served)
        assert search(server, "modifier 25")["hits"][0]["source"] == "doc-policy"  # type: ignore[index]
        log = tmp_path / "stderr.log"
        with log.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "ingest", str(big)],
                env=env,
                cwd=ROOT,
                stderr=err,
                stdout=subprocess.DEVNULL,
            )
            wait_for_progress(process, log, settings.data_dir)
            during = search(server, "modifier 25")  # answers while the ingest writes
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        assert during["hits"] and during["hits"][0]["source"] == "doc-policy", during  # type: ignore[index]
        time.sleep(1.1)  # what searches say of the build is read again at most once a second
        after = search(server, "modifier 25")
        assert after["hits"][0]["source"] == "doc-policy"  # type: ignore[index]
        warnings = after["warnings"]
        assert isinstance(warnings, list) and len(warnings) == 1
        assert "the index build stopped" in warnings[0] and "`medcode ingest`" in warnings[0]
        names = [s["name"] for s in httpx.get(f"{server.url}/v1/sources").json()]
        assert len(names) == 2 and "doc-policy" in names  # the catalog was written first

        wounds = write_doc(
            tmp_path,
            "wounds.md",
            "# Wound repair\nAdd the lengths of "
            "repairs in the same classification and anatomic group.",
        )
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "ingest", str(wounds)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr  # the killed run left no lock behind
        assert "resumed" in done.stdout  # it stored the vectors the killed run had not
        # the server looks at most every 5 s, and builds its new snapshot (now with the whole
        # HCPCS) beside the one that answers meanwhile
        deadline = time.monotonic() + 60
        while True:
            found = search(server, "add the lengths of repairs in the same anatomic group")
            if found["hits"][0]["source"] == "doc-wounds":  # type: ignore[index]
                break
            assert time.monotonic() < deadline, found
            time.sleep(0.5)
        assert found["warnings"] == []
    finally:
        served.close()
        chroma.stop()


@pytest.mark.parametrize("mode", ["ok", "error", "hangup"])
def test_note_coding_survives_model_trouble(
    llm_server: Server, fake_llm: FakeLLM, mode: str
) -> None:
    """The fake model's reply is prose, not the JSON list a note needs; an error or a hang-up
    is a failure too: each gives the extractive result with a warning, never a 5xx."""
    fake_llm.mode = mode
    fake_llm.received.clear()
    note = {"note": "Assessment: fever.", "date_of_service": "2026-11-20"}
    response = httpx.post(f"{llm_server.url}/v1/code-note", json=note, timeout=30)
    assert response.status_code == 200
    coded = response.json()
    assert coded["mode"] == "extractive"  # (this index has no Alphabetic Index: no codes)
    [warning] = coded["warnings"]
    assert warning.startswith("the language model failed (")
    assert "Assessment: fever." in json.dumps(fake_llm.received)  # the configured endpoint only
