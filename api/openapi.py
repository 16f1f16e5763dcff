"""The OpenAPI document tells the whole truth: the limits set in the settings, the rule that a
conversation needs a user message, and the error answers the guard gives on every /v1 route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from assistant.settings import Settings

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
GUARD_ANSWERS = {
    "400": "malformed JSON",
    "401": "a valid API key is required",
    "413": "request body too large",
    "415": "the body must be application/json",
    "422": "a field is invalid; the message names it",
    "429": "rate limited; see Retry-After",
    "503": "the index is not ready",
}
NEEDS_USER = {"contains": {"type": "object", "properties": {"role": {"const": "user"}}}}


def install(app: FastAPI, settings: Settings) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI, settings: Settings) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = doc["components"]["schemas"]
    schemas["Error"] = ERROR_SCHEMA
    for name in ("ChatRequest", "CompletionRequest"):
        messages = schemas[name]["properties"]["messages"]
        messages.update(maxItems=settings.max_messages, **NEEDS_USER)
    schemas["MessageIn"]["properties"]["content"]["maxLength"] = settings.max_message_chars
    for path, operations in doc["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            answers = operation.setdefault("responses", {})
            answers.pop("422", None)  # FastAPI's own shape is not what the app sends
            for status, why in GUARD_ANSWERS.items():
                answers[status] = {
                    "description": why,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
    return doc
