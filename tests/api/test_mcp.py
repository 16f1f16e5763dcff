"""medcode's MCP server driven by the SDK's own client: over stdio (``medcode mcp`` as a real
subprocess) and over streamable HTTP (a real uvicorn on 127.0.0.1, behind API keys)."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from assistant.settings import Settings
from tests.api.conftest import Server, start_server
from tests.conftest import ROOT, cli_env

pytestmark = pytest.mark.integration  # servers in subprocesses

TOOLS = {"lookup_code", "search", "ask", "check_encounter", "code_set_changes", "code_note"}
STAY = {
    "date_of_service": "2026-11-20",
    "setting": "inpatient",
    "patient": {"age": 67, "sex": "female"},
    "diagnoses": [{"code": "I21.4"}, {"code": "J96.01"}],
}
KEY = "mcp-test-key"


def over_stdio(settings: Settings) -> Client:
    command = StdioServerParameters(
        command=sys.executable, args=["-m", "cli.main", "mcp"], cwd=ROOT, env=cli_env(settings)
    )
    return Client(command, read_timeout_seconds=120)


def run(client: Client, steps: Callable[[Client], Awaitable[None]]) -> None:
    async def session() -> None:
        async with client:
            await steps(client)

    anyio.run(session)


def read_json(result: Any) -> Any:
    """The JSON of a resource read (medcode's resources are text)."""
    return json.loads(result.contents[0].text)


def text(result: Any) -> str:
    return "".join(getattr(part, "text", "") for part in result.content)


@pytest.fixture(scope="module")
def keyed(default_index: Settings) -> Iterator[Server]:
    yield from start_server(default_index, MEDCODE_API_KEYS=json.dumps([KEY]))


def test_every_tool_over_stdio(default_index: Settings) -> None:
    async def steps(client: Client) -> None:
        listed = await client.list_tools()
        assert {t.name for t in listed.tools} == TOOLS
        schemas = {t.name: t for t in listed.tools}
        assert "diagnoses" in json.dumps(schemas["check_encounter"].input_schema)
        assert schemas["lookup_code"].output_schema is not None  # typed results

        found = await client.call_tool("lookup_code", {"code": "e119"})
        assert not found.is_error and found.structured_content["code"] == "E11.9"

        hits = await client.call_tool(
            "search", {"query": "I42.0 dilated cardiomyopathy", "date_of_service": "2026-11-20"}
        )
        shown = {h["code"]: h for h in hits.structured_content["hits"] if h["kind"] == "code"}
        assert shown and all(h["edition"] == "FY2026" for h in shown.values())
        # every code shown says whether it may be reported then: I42.0 was deleted in FY2027
        assert all(h["reportable_on_date"] is not None for h in shown.values())
        assert shown["I42.0"]["reportable_on_date"] is False

        changed = await client.call_tool(
            "code_set_changes", {"from_edition": "FY2026", "to_edition": "FY2027"}
        )
        deleted = {c["code"] for c in changed.structured_content["deleted"]}
        assert "I42.0" in deleted

        report = await client.call_tool("check_encounter", {"encounter": STAY})
        assert report.structured_content["drg"]["drg"] == "280"

        answer = await client.call_tool(
            "ask",
            {"question": "Is I42.0 the code for dilated cardiomyopathy?",
             "date_of_service": "2026-11-20", "use_llm": False},
        )  # fmt: skip
        said = answer.structured_content
        # the same guarantee as chat: a code not valid on the date is marked, never passed
        assert "I42.0 ⚠ not valid on the date of service" in said["answer"]
        assert {c["code"]: c["valid"] for c in said["codes"]}["I42.0"] is False
        cited = said["citations"][0]["passage_id"]
        opened = await client.read_resource(f"medcode://passages/{cited}")
        assert read_json(opened)["passage_id"] == cited

        loaded = await client.read_resource("medcode://sources")
        assert "icd10cm-tabular" in {s["name"] for s in read_json(loaded)}

        prompts = await client.list_prompts()
        assert {p.name for p in prompts.prompts} == {"check_codes", "explain_code"}

    run(over_stdio(default_index), steps)


def test_bad_arguments_and_unknown_codes_are_tool_errors(default_index: Settings) -> None:
    async def steps(client: Client) -> None:
        unknown = await client.call_tool("lookup_code", {"code": "ZZZ.99"})
        assert unknown.is_error and "unknown_code" in text(unknown) and "Z99" in text(unknown)
        empty = await client.call_tool("lookup_code", {"code": ""})
        assert empty.is_error and "code" in text(empty)
        no_dx = await client.call_tool("check_encounter", {"encounter": STAY | {"diagnoses": []}})
        assert no_dx.is_error and "diagnoses" in text(no_dx)
        wrong = STAY | {"diagnoses": [{"code": "I10"}, {"code": "0DTJ4ZZ"}]}
        misplaced = await client.call_tool("check_encounter", {"encounter": wrong})
        assert misplaced.is_error and "ICD-10-PCS" in text(misplaced)
        edition = await client.call_tool("search", {"query": "x", "edition": "FY2031"})
        assert edition.is_error and "edition_not_loaded" in text(edition)
        blank = await client.call_tool(
            "code_note", {"request": {"note": " ", "date_of_service": "2026-11-20"}}
        )
        assert blank.is_error and "empty" in text(blank)
        still = await client.call_tool("lookup_code", {"code": "E11.9"})  # the server lives on
        assert not still.is_error

    run(over_stdio(default_index), steps)


def test_over_http_with_the_api_key(keyed: Server) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    transport = streamable_http_client(
        f"{keyed.url}/mcp", http_client=httpx2.AsyncClient(headers=headers, timeout=60)
    )

    async def steps(client: Client) -> None:
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        calls: dict[str, dict[str, Any]] = {
            "lookup_code": {"code": "E11.9"},
            "search": {"query": "hives", "k": 2},
            "ask": {"question": "E11.9", "use_llm": False},
            "code_set_changes": {"from_edition": "FY2026", "to_edition": "FY2027"},
            "code_note": {"request": {"note": "Fever.", "date_of_service": "2026-11-20"}},
        }
        for name, arguments in calls.items():
            result = await client.call_tool(name, arguments)
            assert not result.is_error and result.structured_content, name
        report = await client.call_tool("check_encounter", {"encounter": STAY})
        findings = report.structured_content
        hcc = {e["code"]: e for e in findings["hcc"]["entries"]}
        cited = hcc["J96.01"]["citations"][0]["passage_id"]
        opened = await client.read_resource(f"medcode://passages/{cited}")
        assert "J96.01" in read_json(opened)["text"]

    run(Client(transport, read_timeout_seconds=60), steps)


def test_http_without_a_key_is_refused(keyed: Server) -> None:
    import httpx

    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    refused = httpx.post(f"{keyed.url}/mcp", json=body, timeout=30)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"

    async def steps(client: Client) -> None:
        await client.list_tools()

    transport = streamable_http_client(f"{keyed.url}/mcp")
    with pytest.raises(Exception) as raised:  # the SDK client fails on the 401
        run(Client(transport, read_timeout_seconds=30), steps)
    assert "Server returned an error response" in repr(raised.value)
