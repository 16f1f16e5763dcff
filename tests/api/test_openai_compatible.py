"""The official ``openai`` client talks to medcode's /v1/chat/completions."""

from __future__ import annotations

import openai
from openai.types.chat import ChatCompletionMessageParam

from tests.api.conftest import Server


def client(server: Server) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", timeout=60)


def test_non_streamed(server: Server) -> None:
    reply = client(server).chat.completions.create(
        model="medcode", messages=[{"role": "user", "content": "E11.65"}]
    )
    content = reply.choices[0].message.content or ""
    assert content.startswith("**E11.65** Type 2 diabetes mellitus with hyperglycemia")
    assert "\n\nSources:\n[1] icd10cm-tabular FY2026" in content
    extra = reply.model_extra or {}
    assert extra["medcode"]["citations"][0]["code"] == "E11.65"
    assert reply.model == "medcode"


def test_streamed(server: Server) -> None:
    stream = client(server).chat.completions.create(
        model="medcode",
        stream=True,
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "E11"}],
    )
    pieces, finish = [], None
    for chunk in stream:
        pieces.append(chunk.choices[0].delta.content or "")
        finish = chunk.choices[0].finish_reason or finish
    text = "".join(pieces)
    assert len([p for p in pieces if p]) > 2 and finish == "stop"
    assert text.startswith("**E11** Type 2 diabetes mellitus") and "Sources:" in text


def test_a_date_of_service_rides_in_the_extra_body(server: Server) -> None:
    question: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "Is I42.0 the code for dilated cardiomyopathy?"}
    ]
    november = client(server).chat.completions.create(
        model="medcode", messages=question, extra_body={"date_of_service": "2026-11-15"}
    )
    assert "I42.0 ⚠ not valid on the date of service" in (november.choices[0].message.content or "")
    extra = november.model_extra or {}
    assert extra["medcode"]["date_of_service"] == "2026-11-15"
    september = client(server).chat.completions.create(
        model="medcode", messages=question, extra_body={"date_of_service": "2026-09-15"}
    )
    assert "⚠" not in (september.choices[0].message.content or "")


def test_models_list(server: Server) -> None:
    assert [m.id for m in client(server).models.list()] == ["medcode"]
