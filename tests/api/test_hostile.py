"""Hostile and broken input over real HTTP: every answer is a clear 4xx (or a normal 200 for
odd but valid text), never a 5xx, and the server keeps serving."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Server

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\u202e\ufeff"


def test_control_characters_are_just_text(server: Server) -> None:
    found = httpx.get(f"{server.url}/v1/search", params={"q": f"E11.9 {CONTROL}"}, timeout=30)
    assert found.status_code == 200 and found.json()["hits"][0]["code"] == "E11.9"
    body = {"messages": [{"role": "user", "content": f"diabetes{CONTROL}E11.9"}]}
    chat = httpx.post(f"{server.url}/v1/chat", json=body, timeout=30)
    assert chat.status_code == 200 and "E11.9" in chat.json()["answer"]
    assert httpx.get(f"{server.url}/v1/codes/%00E11").status_code == 404


def test_very_long_query_is_refused_by_name(server: Server) -> None:
    response = httpx.get(f"{server.url}/v1/search", params={"q": "diabetes " * 200}, timeout=30)
    assert response.status_code == 422 and response.json()["message"].startswith("query.q")


def nested(depth: int) -> bytes:
    return b'{"messages": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        (nested(30000), "application/json", 400),
        (b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}', "application/json", 400),
        (b"[]", "application/json", 422),
        (b"null", "application/json", 422),
        (b'"just a string"', "application/json", 422),
        (b'{"messages": [{"role": "user", "content": 7}]}', "application/json", 422),
        (b'{"messages": [{"role": "root", "content": "hi"}]}', "application/json", 422),
        (b"", "application/json", 422),
        (b"--x\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--x--", "multipart/form-data", 415),
        (b"<messages/>", "application/xml", 415),
        (b'{"messages": []}', "", 415),
    ],
)
def test_broken_bodies_get_a_clear_4xx(server: Server, body: bytes, kind: str, status: int) -> None:
    headers = {"content-type": kind} if kind else {}
    response = httpx.post(f"{server.url}/v1/chat", content=body, headers=headers, timeout=30)
    assert response.status_code == status, response.text
    assert response.json()["message"]
    assert httpx.get(f"{server.url}/healthz").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x", "k": "1e309"}, "query.k"),
        ({"q": "x", "k": "-1"}, "query.k"),
        ({"q": "x", "system": "icd11"}, "query.system"),
        ({"q": ""}, "query.q"),
        ({}, "query.q"),
    ],
)
def test_bad_parameters_are_named(server: Server, params: dict[str, str], field: str) -> None:
    response = httpx.get(f"{server.url}/v1/search", params=params, timeout=30)
    assert response.status_code == 422 and response.json()["message"].startswith(field)
