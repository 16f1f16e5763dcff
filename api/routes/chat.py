from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.schemas import ChatRequest, MessageIn
from api.state import AppState, Ready
from assistant.answer_types import Answer, Citation
from assistant.chat import Event, Turn
from assistant.errors import InvalidField, MedcodeError

router = APIRouter(prefix="/v1", tags=["chat"])


def turns(state: AppState, messages: list[MessageIn]) -> list[Turn]:
    settings = state.settings
    if len(messages) > settings.max_messages:
        raise InvalidField("messages", f"at most {settings.max_messages} messages")
    for n, message in enumerate(messages):
        if len(message.content) > settings.max_message_chars:
            raise InvalidField(
                f"messages.{n}.content", f"longer than {settings.max_message_chars} characters"
            )
    if not any(m.role == "user" for m in messages):
        raise InvalidField("messages", "needs at least one message with role 'user'")
    return [Turn(m.role, m.content) for m in messages]


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def event_json(event: Event) -> object:
    if isinstance(event.data, Answer):
        return event.data.model_dump()
    if isinstance(event.data, list):
        return [c.model_dump() for c in event.data if isinstance(c, Citation)]
    return {"text": event.data}


def stream_events(events: Iterator[Event]) -> Iterator[str]:
    try:
        for event in events:
            yield sse(event.kind, event_json(event))
    except MedcodeError as exc:
        yield sse("error", {"error": exc.name, "message": exc.message})
    except Exception as exc:  # the stream has started: report in-band, never a broken stream
        yield sse("error", {"error": "internal_error", "message": type(exc).__name__})


@router.post(
    "/chat",
    response_model=Answer,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "the Answer, or with stream=true server-sent "
            "events: citations, delta, done, error",
        }
    },
)
def chat(body: ChatRequest, state: Ready) -> object:
    assert state.assistant is not None
    conversation = turns(state, body.messages)
    if body.stream:
        events = state.assistant.answer_stream(conversation, body.use_llm)
        return StreamingResponse(
            stream_events(events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    return state.assistant.answer(conversation, body.use_llm)
