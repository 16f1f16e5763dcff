from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Path

from api.schemas import CodePublic, PassagePublic, PassageWithContext
from api.state import Ready
from assistant.errors import NotFound

router = APIRouter(prefix="/v1", tags=["codes"])


@router.get(
    "/codes/{code}",
    response_model=CodePublic,
    responses={404: {"description": "unknown code; the message names the closest"}},
)
def lookup(state: Ready, code: str = Path(max_length=40)) -> dict[str, object]:
    assert state.index is not None
    return asdict(state.index.catalog.lookup(code))


@router.get(
    "/passages/{passage_id}",
    response_model=PassageWithContext,
    responses={404: {"description": "no such passage"}},
)
def passage(state: Ready, passage_id: str = Path(max_length=200)) -> dict[str, object]:
    assert state.index is not None
    found = state.index.catalog.passage(passage_id)
    if found is None:
        raise NotFound(f"no passage with id {passage_id!r}")
    before, after = state.index.catalog.neighbours(passage_id)
    return {
        **found.public(),
        "before": before and before.public(),
        "after": after and after.public(),
    }


__all__ = ["router", "PassagePublic"]
