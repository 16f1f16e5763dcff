"""A lean HTTP/1.1 client for the load generators: keep-alive connections on asyncio streams,
each carrying one request at a time and reused. The generator shares the two cores with the
server it measures; httpx's client spent about 2 ms of CPU a request at 50 requests a second
and 10-15 ms once requests queued (its pool grows with the connections in flight), cores the
server then lost. This one reads the status, the headers and the body, and nothing more."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode, urlsplit

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
IDLE_SECONDS = 2.0  # a kept connection idle this long is not used again


class Loopback:
    def __init__(self, url: str, timeout: float = 120, connections: int = 256) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.open = asyncio.Semaphore(connections)  # requests past this wait their turn

    async def get(self, path: str, params: dict[str, object] | None = None) -> tuple[int, bytes]:
        query = f"?{urlencode(params)}" if params else ""
        return await self.request("GET", path + query)

    async def post(self, path: str, body: object) -> tuple[int, bytes]:
        return await self.request("POST", path, json.dumps(body).encode())

    async def request(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
        """The status and body of one request; an error (refused, cut, timed out) raises
        OSError or asyncio.TimeoutError, and the connection is dropped."""
        async with self.open:
            return await asyncio.wait_for(self.exchange(method, target, body), self.timeout)

    async def exchange(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = head.encode() + b"\r\n" + body
        while True:
            reused = self.fresh_idle()
            reader, writer = reused or await self.connect()
            try:
                writer.write(message)
                status, keep, payload = await read_response(reader)
                break
            except asyncio.IncompleteReadError as exc:
                writer.close()
                # the server closed a kept connection as the request went out: once more, anew
                if reused is None or exc.partial:
                    raise
            except BaseException:
                writer.close()
                raise
        if keep:
            self.idle.append((reader, writer, time.monotonic()))
        else:
            writer.close()
        return status, payload

    def fresh_idle(self) -> Connection | None:
        """The last kept connection, unless the server may be closing it: those idle longer
        are closed here (uvicorn closes a connection idle for 5 s)."""
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < IDLE_SECONDS:
                return reader, writer
            writer.close()
        return None

    async def connect(self) -> Connection:
        return await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Status, whether the connection stays open, and the body (by Content-Length or
    chunked)."""
    status_line = await reader.readuntil(b"\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise OSError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return int(parts[1]), keep, await read_chunks(reader)
    if "content-length" in headers:
        return int(parts[1]), keep, await reader.readexactly(int(headers["content-length"]))
    return int(parts[1]), False, await reader.read()  # the body runs to the connection's end


async def read_chunks(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
        pass
    return bytes(body)
