"""The load generators' lean HTTP client against a real HTTP/1.1 server on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loopback import Loopback


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: set[int] = set()

    def do_GET(self) -> None:  # noqa: N802 (the handler's own name)
        Handler.connections.add(self.client_address[1])  # its port: one a connection
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"chunked ", b"body"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path.startswith("/hangup"):  # keeps nothing open, but does not say so
            self.reply(200, b"bye")
            self.close_connection = True
            return
        if self.path.startswith("/missing"):
            self.reply(404, b'{"error": "not_found"}')
            return
        self.reply(200, json.dumps({"path": self.path}).encode())

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        kind = self.headers["Content-Type"]
        self.reply(201, json.dumps({"got": json.loads(body), "type": kind}).encode())

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.connections = set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requests_read_status_and_body_and_reuse_one_connection(url: str) -> None:
    async def run() -> list[tuple[int, bytes]]:
        http = Loopback(url)
        got = [await http.get("/v1/search", {"q": "E11.9 & CKD", "k": 10}) for _ in range(3)]
        got.append(await http.post("/v1/chat", {"messages": []}))
        got.append(await http.get("/chunked"))
        got.append(await http.get("/missing"))
        await http.close()
        return got

    got = asyncio.run(run())
    assert got[0] == (200, b'{"path": "/v1/search?q=E11.9+%26+CKD&k=10"}')
    assert json.loads(got[3][1]) == {"got": {"messages": []}, "type": "application/json"}
    assert got[3][0] == 201
    assert got[4] == (200, b"chunked body")
    assert got[5][0] == 404
    assert len(Handler.connections) == 1  # one keep-alive connection carried all six


def test_requests_in_flight_together_each_get_their_own_answer(url: str) -> None:
    async def run() -> list[tuple[int, bytes]]:
        http = Loopback(url, connections=4)
        got = await asyncio.gather(*(http.get(f"/n/{n}") for n in range(12)))
        await http.close()
        return list(got)

    got = asyncio.run(run())
    assert [json.loads(body)["path"] for _, body in got] == [f"/n/{n}" for n in range(12)]
    assert 1 < len(Handler.connections) <= 4


def test_a_refused_connection_raises() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError):
        asyncio.run(Loopback(f"http://127.0.0.1:{port}").get("/"))


def test_a_kept_connection_the_server_closed_is_replaced(url: str) -> None:
    async def run() -> list[tuple[int, bytes]]:
        http = Loopback(url)
        got = [await http.get("/hangup"), await http.get("/after")]
        await http.close()
        return got

    assert asyncio.run(run()) == [(200, b"bye"), (200, b'{"path": "/after"}')]
    assert len(Handler.connections) == 2


def test_a_connection_idle_too_long_is_not_reused(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bench.loopback.IDLE_SECONDS", 0.0)

    async def run() -> None:
        http = Loopback(url)
        for _ in range(3):
            assert (await http.get("/x"))[0] == 200
        await http.close()

    asyncio.run(run())
    assert len(Handler.connections) == 3
