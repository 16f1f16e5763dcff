from __future__ import annotations

from fastapi import APIRouter

from api.schemas import SourcePublic
from api.state import Ready, State

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: Ready) -> dict[str, object]:
    assert state.index is not None
    return {"status": "ready", "sources": len(state.index.catalog.sources())}


@router.get("/v1/sources", response_model=list[SourcePublic])
def sources(state: Ready) -> list[dict[str, object]]:
    assert state.index is not None
    return state.index.catalog.sources()


__all__ = ["router", "State"]
