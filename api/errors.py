"""One JSON error shape for every failure: ``{"error": <stable name>, "message": <what>}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.errors import MedcodeError, field_path

HTTP_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "not_ready",
}


def error(
    status: int, name: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": name, "message": message}, status_code=status, headers=headers)


def where(loc: tuple[int | str, ...]) -> str:
    return field_path(loc) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(MedcodeError)
    async def medcode_error(_: Request, exc: MedcodeError) -> JSONResponse:
        return error(exc.status, exc.name, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        broken = [e for e in exc.errors() if e.get("type") == "json_invalid"]
        if broken:
            at = broken[0]["loc"][-1] if broken[0].get("loc") else "?"
            return error(400, "malformed_json", f"the body is not valid JSON (at position {at})")
        problems = [
            f"{where(tuple(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()[:5]
        ]
        return error(422, "invalid_request", "; ".join(problems))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        name = HTTP_NAMES.get(exc.status_code, "http_error")
        return error(exc.status_code, name, str(exc.detail), dict(exc.headers or {}))
