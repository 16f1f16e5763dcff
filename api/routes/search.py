from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api import operations
from api.schemas import SearchPublic
from api.state import Ready
from assistant.filters import Filters
from assistant.models import Kind, System
from assistant.shelves import EDITION_FORM

router = APIRouter(prefix="/v1", tags=["search"])


@router.get(
    "/search",
    response_model=SearchPublic,
    responses={
        404: {
            "description": "the edition asked for is not loaded; the message names those that are"
        }
    },
)
def search(
    state: Ready,
    q: str = Query(min_length=1, max_length=1000, description="the question or code"),
    system: System | None = None,
    kind: Kind | None = None,
    source: str | None = Query(None, max_length=100),
    version: str | None = Query(None, max_length=100),
    edition: str | None = Query(
        None,
        pattern=f"^({EDITION_FORM})$",
        description='passages of one edition only: "FY2025", or "2025-10" for HCPCS',
    ),
    date_of_service: Annotated[
        date | None,
        Query(description="YYYY-MM-DD (default: today): search the editions in effect then"),
    ] = None,
    k: int = Query(10, ge=1, le=100),
) -> dict[str, object]:
    filters = Filters(system, kind, source, version, edition)
    return operations.search(state, q, filters, date_of_service, k)
