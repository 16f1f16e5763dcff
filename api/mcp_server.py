"""medcode as tools for AI agents: a Model Context Protocol server (the official ``mcp`` SDK),
thin over the same operations as the REST API (api/operations.py) and typed by the same
models. ``medcode mcp`` serves it over stdio; the API app mounts it at ``/mcp`` over streamable
HTTP, behind the same API keys, limits and logging rules as ``/v1``.

Every result carries its citations and editions; codes in answers are validated as chat's are.
A bad argument, an unknown code or a passage that does not exist is a tool error with the
message the REST API would give, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from api import operations
from api.schemas import ChangesPublic, CodePublic, PassageWithContext, SearchPublic
from api.state import AppState
from assistant.answer_types import Answer
from assistant.check.model import Encounter, Report
from assistant.errors import MedcodeError
from assistant.filters import Filters
from assistant.models import Kind, System
from assistant.note_coder.model import CodedNote, NoteRequest
from assistant.shelves import EDITION_FORM

P = ParamSpec("P")
R = TypeVar("R")
INSTRUCTIONS = (
    "medcode answers medical coding questions from the official code sets (ICD-10-CM, "
    "ICD-10-PCS, HCPCS Level II, the ICD-10-CM guidelines), each claim cited to a passage "
    "(open it as medcode://passages/{id}). Give a date of service: codes are judged in the "
    "edition in effect then. Never report a code a tool has not returned or validated."
)
Day = Annotated[
    date | None,
    Field(description="Date of service, YYYY-MM-DD (default: today): the edition in effect then"),
]


def as_tool_error(fn: Callable[P, R]) -> Callable[P, R]:
    """medcode's own errors (unknown code, edition not loaded, a field out of its limits) as
    a tool error carrying the same message as the REST API's."""

    @wraps(fn)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except MedcodeError as exc:
            raise ToolError(f"{exc.name}: {exc.message}") from None

    return guarded


def build(state: AppState) -> MCPServer:
    # (WARNING: the SDK logs each request at INFO; nothing of a request is logged here)
    server = MCPServer("medcode", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING")

    @server.tool(title="Look up a code")
    @as_tool_error
    def lookup_code(
        code: Annotated[str, Field(min_length=1, max_length=40, description='"E11.9", "e119"')],
        date_of_service: Day = None,
    ) -> CodePublic:
        """One code of any loaded code set: title, billable, parents, children, notes, and
        whether it is valid on the date of service (with the codes to report instead)."""
        return CodePublic.model_validate(operations.lookup(state, code, date_of_service))

    @server.tool(title="Search the sources")
    @as_tool_error
    def search(
        query: Annotated[str, Field(min_length=1, max_length=1000)],
        system: System | None = None,
        kind: Kind | None = None,
        edition: Annotated[str | None, Field(pattern=f"^({EDITION_FORM})$")] = None,
        date_of_service: Day = None,
        k: Annotated[int, Field(ge=1, le=50)] = 10,
    ) -> SearchPublic:
        """Hybrid search over the loaded sources; each hit names its source edition."""
        filters = Filters(system=system, kind=kind, edition=edition)
        return SearchPublic.model_validate(
            operations.search(state, query, filters, date_of_service, k)
        )

    @server.tool(title="Ask a coding question")
    @as_tool_error
    def ask(
        question: Annotated[str, Field(min_length=1, max_length=4000)],
        date_of_service: Day = None,
        use_llm: bool = True,
    ) -> Answer:
        """An answer grounded in the sources, citations numbered [n], every code in it checked
        against the catalog for the date of service."""
        return operations.ask(state, question, date_of_service, use_llm)

    @server.tool(title="Check an encounter's codes")
    @as_tool_error
    def check_encounter(encounter: Encounter) -> Report:
        """Existence and reportability, Excludes1, sequencing notes, Medicare Code Editor
        edits and MS-DRG (inpatient), CMS-HCC, NCCI edits where loaded; each finding cited."""
        return operations.check(state, encounter)

    @server.tool(title="Code a clinical note")
    @as_tool_error
    def code_note(request: NoteRequest) -> CodedNote:
        """Suggested ICD-10-CM codes for a note, each with the note's own words (offsets) that
        justify it, its assertion and the index line and Tabular entry it rests on; mentions
        not coded, with why; the encounter check. `mode` says whether a language model helped
        (it only chooses among the index's codes); `warnings` say when it failed."""
        return operations.code_note(state, request)

    @server.tool(title="What changed between editions")
    @as_tool_error
    def code_set_changes(
        system: Literal["icd10cm", "icd10pcs"] = "icd10cm",
        from_edition: Annotated[str | None, Field(pattern=r"^FY20\d\d$")] = None,
        to_edition: Annotated[str | None, Field(pattern=r"^FY20\d\d$")] = None,
    ) -> ChangesPublic:
        """Codes added, deleted (with the codes that replace them) and retitled between two
        fiscal-year editions (FY2016 to FY2027)."""
        found = operations.code_changes(state, system, from_edition, to_edition)
        return ChangesPublic.model_validate(found)

    @server.resource(
        "medcode://passages/{passage_id}",
        title="A cited passage",
        mime_type="application/json",
    )
    def passage(passage_id: str) -> str:
        """The full text and provenance of a passage an answer or finding cites."""
        try:
            found = PassageWithContext.model_validate(operations.passage(state, passage_id))
        except MedcodeError as exc:
            raise ValueError(exc.message) from None
        return found.model_dump_json()

    @server.resource("medcode://sources", title="Loaded sources", mime_type="application/json")
    def sources() -> str:
        """Every loaded source edition, with the edition of each code set in effect today."""
        try:
            return json.dumps(operations.sources(state), default=str)
        except MedcodeError as exc:
            raise ValueError(exc.message) from None

    @server.prompt(title="Check these codes")
    def check_codes(codes: str, date_of_service: str, setting: str = "outpatient") -> str:
        """Ask the agent to check a list of codes as one encounter and explain each finding."""
        return (
            f"Check these codes as one {setting} encounter on {date_of_service}, the first "
            f"diagnosis first: {codes}. Call check_encounter, then explain each error and "
            "warning in plain words, citing the passages it cites (read them as "
            "medcode://passages/{id}). Do not suggest a code no medcode tool returned."
        )

    @server.prompt(title="Explain a code")
    def explain_code(code: str, date_of_service: str = "") -> str:
        """Ask the agent to explain one code and its rules."""
        when = f" on {date_of_service}" if date_of_service else ""
        return (
            f"Look up {code}{when} with lookup_code, then explain what it covers, whether it is "
            "billable and valid then, and the notes that apply (Excludes1, code first, use "
            "additional code), citing medcode's passages."
        )

    return server


def serve_stdio(state: AppState) -> None:
    """Run over standard input and output (what an MCP client launches)."""
    build(state).run("stdio")


def http_routes(server: MCPServer) -> list[Any]:
    """The streamable HTTP endpoint at ``/mcp``, stateless (any worker answers any request),
    for the API app to add to its own routes. The app's guard gives it the same API keys,
    rate limit and body limit as ``/v1``; the SDK's own host check, which only knows
    localhost, is left to that guard."""
    from mcp.server.transport_security import TransportSecuritySettings

    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return list(app.routes)
