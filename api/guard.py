"""Guarding the door, as plain ASGI middleware: API keys, a per-client rate limit, a body-size
limit and JSON-only bodies. Request bodies are never logged unless debugging is on."""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict, deque
from typing import Any

from assistant.settings import Settings

Scope = dict[str, Any]
log = logging.getLogger("medcode.api")
OPEN_PATHS = ("/healthz", "/readyz")
GUARDED = ("/v1/", "/mcp")  # the REST API and the MCP endpoint


class TooLarge(Exception):
    pass


class Guard:
    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.hits: dict[str, deque[float]] = defaultdict(deque)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(GUARDED):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":  # CORS preflight carries no key
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        refusal = self.refuse(scope, headers)
        if refusal:
            await reply(send, *refusal)
            return
        await self.app(scope, self.limited(receive, scope, send), send)

    def refuse(self, scope: Scope, headers: dict[str, str]) -> tuple[Any, ...] | None:
        key = api_key(headers)
        if self.settings.api_keys and key not in self.settings.api_keys:
            return 401, "unauthorized", "a valid API key is required (Authorization: Bearer KEY)"
        wait = self.rate_limited(key or client(scope))
        if wait:
            return 429, "rate_limited", f"too many requests; retry in {wait} s", wait
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_body_bytes:
            return 413, "too_large", f"request body over {self.settings.max_body_bytes} bytes"
        if scope["method"] == "POST":
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                return 415, "unsupported_media_type", "send the body as application/json"
        return None

    def rate_limited(self, who: str) -> int:
        now, window = time.monotonic(), self.hits[who]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.settings.rate_limit_per_minute:
            return max(1, math.ceil(60 - (now - window[0])))
        window.append(now)
        return 0

    def limited(self, receive: Any, scope: Scope, send: Any) -> Any:
        seen = 0
        limit = self.settings.max_body_bytes
        debug = self.settings.debug

        async def wrapped() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
            if debug and message.get("body"):
                log.debug("%s %s body: %r", scope["method"], scope["path"], message["body"][:2000])
            return message

        return wrapped


class CatchTooLarge:
    """Turns a body that outgrew the limit while streaming in into a 413."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except TooLarge:
            await reply(send, 413, "too_large", "request body too large")


def api_key(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-api-key", "").strip()


def client(scope: Scope) -> str:
    peer = scope.get("client")
    return str(peer[0]) if peer else "unknown"


async def reply(send: Any, status: int, name: str, message: str, retry: int | None = None) -> None:
    body = json.dumps({"error": name, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry:
        headers.append((b"retry-after", str(retry).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
