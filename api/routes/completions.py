"""An OpenAI-compatible chat endpoint, model id ``medcode``, so existing chat front ends and
SDKs can talk to medcode. Citations come as a sources list at the end of the content and in
the extra field ``medcode``."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.routes.chat import turns
from api.schemas import CompletionRequest, MessageIn
from api.state import AppState, Ready
from assistant.answer_types import Answer
from assistant.currency import today
from assistant.events import Delta, Done, Event, Failed, guarded

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL = "medcode"


def text_of(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
    return content or ""


def sources_list(answer: Answer) -> str:
    lines = [
        f"[{c.n}] {c.source} {c.version}"
        + (f", section {c.section}" if c.section else "")
        + (f", page {c.page}" if c.page else "")
        + f": {c.title}"
        for c in answer.citations
    ]
    return "\n\nSources:\n" + "\n".join(lines) if lines else ""


def messages_in(body: CompletionRequest) -> list[MessageIn]:
    roles = {"developer": "system", "tool": "system"}
    return [
        MessageIn(role=roles.get(m.role, m.role), content=text_of(m.content) or " ")
        for m in body.messages
    ]


@router.get("/models")
def models() -> dict[str, object]:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "medcode"}]}


@router.post(
    "/chat/completions",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "a chat.completion, or with stream=true chat.completion.chunk events",
        }
    },
)
def completions(body: CompletionRequest, state: Ready) -> object:
    assert state.assistant is not None
    conversation = turns(state, messages_in(body))
    ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    day = body.date_of_service or today(state.settings)
    if body.stream:
        events = state.assistant.answer_stream(conversation, date_of_service=day)
        return StreamingResponse(chunks(ident, events), media_type="text/event-stream")
    answer = state.assistant.answer(conversation, date_of_service=day)
    return completion(ident, answer, answer.answer + sources_list(answer))


def completion(ident: str, answer: Answer, content: str) -> dict[str, object]:
    return {
        "id": ident,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "medcode": answer.model_dump(),
    }


def chunk(
    ident: str,
    delta: dict[str, str],
    finish: str | None = None,
    extra: dict[str, object] | None = None,
) -> str:
    body: dict[str, object] = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps({**body, **(extra or {})})}\n\n"


def chunks(ident: str, events: Iterator[Event]) -> Iterator[str]:
    yield chunk(ident, {"role": "assistant", "content": ""})
    streamed = ""
    for event in guarded(events):
        if isinstance(event, Failed):  # in-band, as OpenAI's streams report errors
            yield f"data: {json.dumps({'error': event.payload()})}\n\n"
        elif isinstance(event, Delta):
            streamed += event.text
            yield chunk(ident, {"content": event.text})
        elif isinstance(event, Done):
            answer = event.answer
            rest = (
                answer.answer[len(streamed) :]
                if answer.answer.startswith(streamed)
                else ("\n\n---\n" + answer.answer)
            )  # the model's text was replaced: say it anew
            yield chunk(ident, {"content": rest + sources_list(answer)})
            yield chunk(ident, {}, "stop", {"medcode": answer.model_dump()})
    yield "data: [DONE]\n\n"


__all__ = ["router", "AppState"]
