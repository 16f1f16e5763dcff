from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import operations
from api.schemas import SourcePublic
from api.state import Ready, State, not_ready_because
from assistant.build_status import unfinished
from assistant.currency import currency, today

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(state: State) -> dict[str, object] | JSONResponse:
    """Ready, with the edition of each code set in effect today and whether it is loaded, and
    while the index is being built, how far it is (``build``). 503 until search can answer."""
    found = unfinished(state.settings.data_dir)
    progress = found.public() if found is not None else None
    if state.index is None or state.assistant is None:
        body = {"error": "not_ready", "message": not_ready_because(state), "build": progress}
        return JSONResponse(body, status_code=503)
    catalog = state.index.catalog
    current = [c.public() for c in currency(catalog, today(state.settings))]
    return {
        "status": "ready",
        "sources": len(catalog.sources()),
        "currency": current,
        "semantic_search": "complete"
        if found is None
        else "building"
        if found.running
        else "incomplete",
        "build": progress,
    }


@router.get("/v1/sources", response_model=list[SourcePublic])
def sources(state: Ready) -> list[dict[str, object]]:
    """The loaded sources (without the server's file paths), each code set with the edition
    in effect today."""
    return operations.sources(state)


__all__ = ["router", "State"]
