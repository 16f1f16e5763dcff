"""The running app fuzzed from its own OpenAPI schema with schemathesis: no 5xx, and every
response matches the schema (status codes, content types, bodies). Each operation gets its own
Hypothesis run through schemathesis' strategies (its pytest plugin does not load under the
pytest 9 this project uses)."""

from __future__ import annotations

from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Server

EXAMPLES = 25
# a response of thousands of changes takes schemathesis a while to check against the schema
FEWER = {"GET /v1/changes": 10, "POST /v1/check": 10, "POST /v1/code-note": 10}


@pytest.fixture(scope="module")
def operations(server: Server) -> dict[str, Any]:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    schema.config.update(base_url=server.url)
    found = {}
    for result in schema.get_all_operations():
        operation = cast(Any, result).ok()
        found[operation.label] = operation
    return found


LABELS: list[Any] = [
    "POST /v1/chat",
    "POST /v1/chat/completions",
    "GET /v1/models",
    "GET /v1/search",
    "GET /v1/codes/{code}",
    "GET /v1/changes",
    "GET /v1/passages/{passage_id}",
    "POST /v1/check",
    pytest.param("POST /v1/code-note", marks=pytest.mark.integration),  # builds the NLP reader
    "GET /v1/sources",
    "GET /healthz",
    "GET /readyz",
]


def test_every_operation_is_fuzzed(operations: dict[str, Any]) -> None:
    labels = [x if isinstance(x, str) else x.values[0] for x in LABELS]
    assert sorted(operations) == sorted(labels)


@pytest.mark.parametrize("label", LABELS)
def test_operation_holds_its_schema(operations: dict[str, Any], label: str) -> None:
    operation = operations[label]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=FEWER.get(label, EXAMPLES),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(timeout=60)

    run()
