"""An OpenAI-compatible endpoint on 127.0.0.1 that misbehaves on demand, for fault tests. It is
a real HTTP server, so the API under test goes through its real ``openai`` client. Every
request body it receives is kept, to check what entered a prompt."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLM:
    """``mode``: "ok" (a cited answer), "nonsense" (an answer citing nothing, naming an invented
    code), "garbage" (a body that is not JSON), "error" (HTTP 500), "slow" (sleeps past any
    sane timeout), "hangup" (closes the connection without a word)."""

    def __init__(self, reply: str = "Code E11.9 applies [1].") -> None:
        self.mode = "ok"
        self.reply = reply
        self.received: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(body)
                fake.respond(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        if self.mode == "slow":
            time.sleep(30)
        if self.mode == "hangup":
            handler.close_connection = True
            handler.connection.close()
            return
        if self.mode == "error":
            send(handler, 500, "application/json", b'{"error": {"message": "boom"}}')
            return
        if self.mode == "garbage":
            send(handler, 200, "application/json", b"<html>not json at all")
            return
        text = self.reply if self.mode == "ok" else "Sure! Use ZZ99.999 for everything."
        if body.get("stream"):
            chunks = [text[i : i + 5] for i in range(0, len(text), 5)]
            events = b"".join(f"data: {json.dumps(chunk_event(c))}\n\n".encode() for c in chunks)
            send(handler, 200, "text/event-stream", events + b"data: [DONE]\n\n")
            return
        send(handler, 200, "application/json", json.dumps(completion(text)).encode())


def send(handler: BaseHTTPRequestHandler, status: int, kind: str, data: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def chunk_event(text: str) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def completion(text: str) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
