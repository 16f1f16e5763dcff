from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.schemas import ChatRequest, MessageIn
from api.state import AppState, Ready
from assistant.answer_types import Answer
from assistant.chat import Turn
from assistant.currency import today
from assistant.errors import InvalidField
from assistant.events import Event, guarded

router = APIRouter(prefix="/v1", tags=["chat"])


def turns(state: AppState, messages: list[MessageIn]) -> list[Turn]:
    settings = state.settings
    if len(messages) > settings.max_messages:
        raise InvalidField("messages", f"at most {settings.max_messages} messages")
    for n, message in enumerate(messages):
        if len(message.content) > settings.max_message_chars:
            raise InvalidField(
                f"messages[{n}].content", f"longer than {settings.max_message_chars} characters"
            )
    if not any(m.role == "user" for m in messages):
        raise InvalidField("messages", "needs at least one message with role 'user'")
    return [Turn(m.role, m.content) for m in messages]


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def stream_events(events: Iterator[Event]) -> Iterator[str]:
    """Each typed event as a server-sent event of its kind; a failure once the stream has
    started is reported in-band (see events.guarded), never a broken stream."""
    for event in guarded(events):
        yield sse(event.kind, event.payload())


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
    day = body.date_of_service or today(state.settings)
    if body.stream:
        events = state.assistant.answer_stream(conversation, body.use_llm, day)
        return StreamingResponse(
            stream_events(events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    return state.assistant.answer(conversation, body.use_llm, day)
