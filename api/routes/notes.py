from __future__ import annotations

from fastapi import APIRouter

from api import operations
from api.state import Ready
from assistant.note_coder.model import MAX_NOTE_CHARS, CodedNote, NoteRequest

router = APIRouter(prefix="/v1", tags=["notes"])


@router.post(
    "/code-note",
    response_model=CodedNote,
    responses={
        422: {"description": f"an empty or binary note, or one over {MAX_NOTE_CHARS} characters"}
    },
)
def code_a_note(body: NoteRequest, state: Ready) -> CodedNote:
    """Suggested ICD-10-CM codes for a clinical note, principal or first-listed first, each with
    the note's words that justify it (character offsets), its assertion and the index path
    that leads to it; the mentions deliberately not coded, with why; and the encounter check
    run over the codes. With an LLM endpoint configured (and MEDCODE_NOTE_LLM not false) the
    model may add mentions and choose among the index's codes (`mode` "llm"); when it fails the
    extractive result comes back with a warning. The note is never logged."""
    return operations.code_note(state, body)
