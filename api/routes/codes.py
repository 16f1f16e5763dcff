from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.schemas import ChangesPublic, CodePublic, PassagePublic, PassageWithContext
from api.state import Ready
from assistant import change_notes
from assistant.changes import EDITION_PATTERN, changes, latest, previous
from assistant.check import table_passage
from assistant.currency import today
from assistant.editions import edition
from assistant.errors import NotFound
from assistant.validity import VALIDITY, dated_lookup, lookup_record

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
    assert state.index is not None
    catalog = state.index.catalog
    day = date_of_service or today(state.settings)
    return lookup_record(*dated_lookup(catalog, VALIDITY, code, day))


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
    assert state.index is not None
    new = new or latest(edition(today(state.settings)))
    return changes(state.index.catalog, system, old or previous(new), new).public()


@router.get(
    "/passages/{passage_id}",
    response_model=PassageWithContext,
    responses={404: {"description": "no such passage"}},
)
def passage(state: Ready, passage_id: str = Path(max_length=200)) -> dict[str, object]:
    assert state.index is not None
    catalog = state.index.catalog
    found = (
        catalog.passage(passage_id)
        or change_notes.by_id(catalog, passage_id)
        or table_passage(catalog, passage_id)
    )
    if found is None:
        raise NotFound(f"no passage with id {passage_id!r}")
    before, after = state.index.catalog.neighbours(passage_id)
    return {
        **found.public(),
        "before": before and before.public(),
        "after": after and after.public(),
    }


__all__ = ["router", "PassagePublic"]
