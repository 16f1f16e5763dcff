"""What the app loads once at start-up and shares between requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from assistant.build_status import read_status
from assistant.chat import Assistant
from assistant.errors import NotReady
from assistant.index import Index
from assistant.settings import Settings


@dataclass
class AppState:
    settings: Settings
    index: Index | None = None
    assistant: Assistant | None = None
    problem: str = "the index is loading"


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.medcode
    return state


def ready_state(request: Request) -> AppState:
    state = get_state(request)
    if state.index is None or state.assistant is None:
        raise NotReady(not_ready_because(state))
    return state


def not_ready_because(state: AppState) -> str:
    status = read_status(state.settings.data_dir)
    return status.message() if status is not None and status.running else state.problem


State = Annotated[AppState, Depends(get_state)]
Ready = Annotated[AppState, Depends(ready_state)]
