from __future__ import annotations

from fastapi import APIRouter

from api import operations
from api.schemas import SourcePublic
from api.state import Ready, State
from assistant.currency import currency, today

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: Ready) -> dict[str, object]:
    """Ready, with the edition of each code set in effect today and whether it is loaded."""
    assert state.index is not None
    catalog = state.index.catalog
    found = [c.public() for c in currency(catalog, today(state.settings))]
    return {"status": "ready", "sources": len(catalog.sources()), "currency": found}


@router.get("/v1/sources", response_model=list[SourcePublic])
def sources(state: Ready) -> list[dict[str, object]]:
    """The loaded sources (without the server's file paths), each code set with the edition
    in effect today."""
    return operations.sources(state)


__all__ = ["router", "State"]
