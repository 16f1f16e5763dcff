from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api import operations
from api.schemas import ChangesPublic, CodePublic, PassagePublic, PassageWithContext
from api.state import Ready
from assistant.changes import EDITION_PATTERN

router = APIRouter(prefix="/v1", tags=["codes"])


@router.get(
    "/codes/{code}",
    response_model=CodePublic,
    responses={404: {"description": "unknown code; the message names the closest"}},
)
def lookup(
    state: Ready,
    code: str = Path(max_length=40),
    date_of_service: Annotated[
        date | None,
        Query(
            description="YYYY-MM-DD (default: today in the server's time zone): whether the "
            "code is valid in the edition in effect then"
        ),
    ] = None,
) -> dict[str, object]:
    return operations.lookup(state, code, date_of_service)


@router.get("/changes", response_model=ChangesPublic)
def changes_between(
    state: Ready,
    system: Literal["icd10cm", "icd10pcs"] = "icd10cm",
    old: Annotated[
        str | None,
        Query(alias="from", pattern=EDITION_PATTERN, description="default: the one before 'to'"),
    ] = None,
    new: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=EDITION_PATTERN,
            description="default: in effect today, or FY2027 after it",
        ),
    ] = None,
) -> dict[str, object]:
    """Codes added and deleted between two editions (FY2016 to FY2027), a deleted code with
    the new codes that extend it, titles where loaded."""
    return operations.code_changes(state, system, old, new)


@router.get(
    "/passages/{passage_id}",
    response_model=PassageWithContext,
    responses={404: {"description": "no such passage"}},
)
def passage(state: Ready, passage_id: str = Path(max_length=200)) -> dict[str, object]:
    return operations.passage(state, passage_id)


__all__ = ["router", "PassagePublic"]
