from __future__ import annotations

from fastapi import APIRouter, Query

from api.schemas import SearchPublic
from api.state import Ready
from assistant.filters import Filters
from assistant.models import Kind, System

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search", response_model=SearchPublic)
def search(
    state: Ready,
    q: str = Query(min_length=1, max_length=1000, description="the question or code"),
    system: System | None = None,
    kind: Kind | None = None,
    source: str | None = Query(None, max_length=100),
    version: str | None = Query(None, max_length=100),
    k: int = Query(10, ge=1, le=100),
) -> dict[str, object]:
    assert state.index is not None
    result = state.index.searcher.search(q, k, Filters(system, kind, source, version))
    hits = [{**h.passage.public(), "score": h.score} for h in result.hits]
    return {"query": q, "hits": hits, "warnings": result.warnings}
