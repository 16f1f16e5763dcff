from __future__ import annotations

from fastapi import APIRouter

from api import operations
from api.state import Ready
from assistant.check.model import Encounter, Report

router = APIRouter(prefix="/v1", tags=["check"])


@router.post(
    "/check",
    response_model=Report,
    responses={
        422: {"description": "a field out of its limits; the message names it and its index"}
    },
)
def check_encounter(body: Encounter, state: Ready) -> Report:
    """Check an encounter's codes on its date of service: existence and reportability,
    Excludes1, sequencing notes, Medicare Code Editor edits and MS-DRG (inpatient), CMS-HCC.
    Every finding cites the note, guideline or table row behind it."""
    return operations.check(state, body)
