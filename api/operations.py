"""What the REST routes and the MCP tools both do, once: each takes the app's state and the
request's values and returns the public shape (see api/schemas.py)."""

from __future__ import annotations

from datetime import date

from api.state import AppState
from assistant.answer_types import Answer
from assistant.changes import changes, latest, previous
from assistant.chat import Turn
from assistant.check import any_passage
from assistant.check.model import Encounter, Report
from assistant.codes import to_key
from assistant.currency import annotated, today
from assistant.editions import FISCAL_SYSTEMS, edition
from assistant.errors import NotFound, NotReady
from assistant.filters import Filters
from assistant.index import Index
from assistant.note_coder.model import CodedNote, NoteRequest
from assistant.retrieval import Hit
from assistant.shelves import dated
from assistant.validity import VALIDITY, dated_lookup, lookup_record


def ready(state: AppState) -> Index:
    if state.index is None or state.assistant is None:
        raise NotReady(state.problem)
    return state.index


def lookup(state: AppState, code: str, day: date | None) -> dict[str, object]:
    catalog = ready(state).catalog
    return lookup_record(*dated_lookup(catalog, VALIDITY, code, day or today(state.settings)))


def search(
    state: AppState, q: str, filters: Filters, day: date | None, k: int
) -> dict[str, object]:
    index = ready(state)
    day = day or today(state.settings)
    filters, notes = dated(index.catalog, filters, day)
    result = index.searcher.search(q, k, filters)
    return {
        "query": q,
        "date_of_service": day.isoformat(),
        "editions": list(result.editions),
        "hits": [
            {**h.passage.public(), "score": h.score, "reportable_on_date": reportable(h, day)}
            for h in result.hits
        ],
        "warnings": [*notes, *result.warnings],
    }


def reportable(hit: Hit, day: date) -> bool | None:
    """Whether a code passage's code may be reported on ``day`` (ICD-10-CM/PCS)."""
    found = hit.passage
    if found.kind != "code" or not found.code or found.system not in FISCAL_SYSTEMS:
        return None
    return VALIDITY.valid(found.system, to_key(found.code), day)


def code_changes(
    state: AppState, system: str, old: str | None, new: str | None
) -> dict[str, object]:
    catalog = ready(state).catalog
    new = new or latest(edition(today(state.settings)))
    return changes(catalog, system, old or previous(new), new).public()


def passage(state: AppState, passage_id: str) -> dict[str, object]:
    """A passage with the ones around it; also the change records and the table rows that
    findings cite."""
    catalog = ready(state).catalog
    found = any_passage(catalog, passage_id)
    if found is None:
        raise NotFound(f"no passage with id {passage_id!r}")
    before, after = catalog.neighbours(passage_id)
    return {
        **found.public(),
        "before": before and before.public(),
        "after": after and after.public(),
    }


def sources(state: AppState) -> list[dict[str, object]]:
    return annotated(ready(state).catalog, today(state.settings), paths=False)


def check(state: AppState, encounter: Encounter) -> Report:
    ready(state)
    assert state.assistant is not None
    return state.assistant.check(encounter)


def ask(state: AppState, question: str, day: date | None, use_llm: bool) -> Answer:
    ready(state)
    assert state.assistant is not None
    turns = [Turn("user", question)]
    return state.assistant.answer(turns, use_llm, day or today(state.settings))


def code_note(state: AppState, request: NoteRequest) -> CodedNote:
    ready(state)
    assert state.assistant is not None
    return state.assistant.code_note(request)
