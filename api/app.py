"""The FastAPI app factory. The index, models and clients load once, in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response

from api import build, errors, mcp_server, openapi
from api.guard import CatchTooLarge, Guard
from api.routes import chat, check, codes, completions, health, notes, search
from api.state import AppState
from assistant.chat import Assistant
from assistant.errors import MedcodeError
from assistant.index import Index
from assistant.llm import OpenAIChat
from assistant.settings import Settings

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("medcode.api")


def load(state: AppState) -> None:
    settings = state.settings
    try:
        index = Index(settings)
        model = OpenAIChat(settings) if settings.llm_base_url else None
        assistant = Assistant(index, model)
        assistant.warm()  # the first question does not wait for the store and the tables
    except MedcodeError as exc:
        state.problem = exc.message
        return
    state.index, state.assistant = index, assistant


def create_app(settings: Settings | None = None) -> FastAPI:
    state = AppState(settings or Settings())

    agents = mcp_server.build(state)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not build.start(state, load):  # nothing to build: load now
            load(state)
        async with agents.session_manager.run():
            yield

    app = FastAPI(
        title="medcode",
        version="0.1.0",
        lifespan=lifespan,
        description="Medical coding answers grounded in the official code sets.",
    )
    app.state.medcode = state
    errors.install(app)
    openapi.install(app, state.settings)
    for module in (chat, completions, search, codes, check, notes, health):
        app.include_router(module.router)
    app.router.routes.extend(mcp_server.http_routes(agents))  # POST /mcp
    add_static(app)
    app.add_middleware(Guard, settings=state.settings)
    if state.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=state.settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    app.add_middleware(CatchTooLarge)
    return app


def add_static(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> Response:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")
