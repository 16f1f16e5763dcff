"""The REST API over real HTTP (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from assistant.editions import edition
from assistant.settings import Settings
from tests.api.conftest import Server, start_server


def test_health_ready_sources(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready"
    in_effect = edition(date.today())  # the server's time zone is UTC, as here
    cm = {c["system"]: c for c in ready["currency"]}["icd10cm"]
    assert cm["in_effect"] == in_effect and cm["loaded"] == "FY2026"
    assert cm["current"] == (in_effect == "FY2026")
    sources = httpx.get(f"{server.url}/v1/sources").json()
    assert {s["name"] for s in sources} == {"icd10cm-tabular", "icd9cm-gems"}
    assert not any("path" in s for s in sources)  # the server's files are its operator's
    tabular = {s["name"]: s for s in sources}["icd10cm-tabular"]
    assert tabular["in_effect"] == in_effect and tabular["currency"] == cm["message"]


def test_chat_returns_the_answer_shape(server: Server) -> None:
    body: dict[str, object] = {"messages": [{"role": "user", "content": "E11.9"}]}
    today = httpx.post(f"{server.url}/v1/chat", json=body, timeout=60).json()
    assert today["date_of_service"] == date.today().isoformat()  # by default, today (UTC)
    body["date_of_service"] = "2026-09-15"  # FY2026, the edition loaded
    answer = httpx.post(f"{server.url}/v1/chat", json=body, timeout=60).json()
    assert set(answer) >= {"answer", "citations", "codes", "mode", "warnings", "versions"}
    assert answer["mode"] == "extractive" and answer["citations"][0]["code"] == "E11.9"
    assert answer["codes"][0] == {
        "code": "E11.9",
        "system": "icd10cm",
        "billable": True,
        "valid": True,
        "version": "FY2026",
        "title": "Type 2 diabetes mellitus without complications",
        "note": None,  # without a date of service
    }


def sse(lines: Iterator[str]) -> list[tuple[str, object]]:
    events, kind = [], ""
    for line in lines:
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            events.append((kind, json.loads(line[6:])))
    return events


def test_chat_streams_server_sent_events(server: Server) -> None:
    body = {"messages": [{"role": "user", "content": "E11"}], "stream": True}
    with httpx.stream("POST", f"{server.url}/v1/chat", json=body, timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse(response.iter_lines())
    kinds = [k for k, _ in events]
    assert kinds[0] == "citations" and kinds[-1] == "done" and kinds.count("delta") > 2
    done = events[-1][1]
    assert "".join(d["text"] for k, d in events if k == "delta") == done["answer"]  # type: ignore[index]


def test_search_code_passage_lookups(server: Server) -> None:
    found = httpx.get(f"{server.url}/v1/search", params={"q": "E11.65", "k": 3}).json()
    hit = found["hits"][0]
    assert hit["code"] == "E11.65" and hit["version"] == "FY2026" and hit["score"] > 0
    code = httpx.get(f"{server.url}/v1/codes/e1165").json()
    assert code["code"] == "E11.65" and code["billable"] is True
    passage = httpx.get(f"{server.url}/v1/passages/{hit['passage_id']}").json()
    assert passage["text"].startswith("E11.65 Type 2 diabetes mellitus with hyperglycemia")
    assert passage["before"]["code"] == "E11.649" and passage["after"]["code"] == "E11.69"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "name"),
    [
        ("GET", "/v1/codes/E11.99", {}, 404, "unknown_code"),
        ("GET", "/v1/passages/nope", {}, 404, "not_found"),
        ("GET", "/v1/search", {"params": {"q": "x", "k": 500}}, 422, "invalid_request"),
        ("GET", "/v1/search", {}, 422, "invalid_request"),
        (
            "POST",
            "/v1/chat",
            {"content": b"{bad", "headers": {"content-type": "application/json"}},
            400,
            "malformed_json",
        ),
        (
            "POST",
            "/v1/chat",
            {"content": b"hi", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
        ("POST", "/v1/chat", {"json": {"messages": []}}, 422, "invalid_request"),
        (
            "POST",
            "/v1/chat",
            {"json": {"messages": [{"role": "user", "content": "x" * 5000}]}},
            422,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/chat",
            {"json": {"messages": [{"role": "user", "content": "x" * 70000}]}},
            413,
            "too_large",
        ),
        ("GET", "/v1/nothing-here", {}, 404, "not_found"),
    ],
)
def test_errors_are_json_with_the_right_status(
    server: Server, method: str, path: str, kwargs: dict[str, object], status: int, name: str
) -> None:
    response = httpx.request(method, f"{server.url}{path}", timeout=30, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.json()["error"] == name and response.json()["message"]


def test_field_named_in_422(server: Server) -> None:
    body = {"messages": [{"role": "user", "content": "x" * 5000}]}
    message = httpx.post(f"{server.url}/v1/chat", json=body).json()["message"]
    assert message.startswith("messages[0].content: longer than 4000")


def test_cors_only_for_configured_origins(server: Server) -> None:
    allowed = httpx.get(f"{server.url}/v1/sources", headers={"Origin": "http://allowed.example"})
    assert allowed.headers.get("access-control-allow-origin") == "http://allowed.example"
    other = httpx.get(f"{server.url}/v1/sources", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.fixture(scope="module")
def guarded(default_index: Settings) -> Iterator[Server]:
    yield from start_server(
        default_index, MEDCODE_API_KEYS='["k1"]', MEDCODE_RATE_LIMIT_PER_MINUTE="5"
    )


def test_api_keys_and_rate_limit(guarded: Server) -> None:
    url = f"{guarded.url}/v1/codes/E11.9"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    statuses = [
        httpx.get(url, headers={"Authorization": "Bearer k1"}).status_code for _ in range(7)
    ]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    limited = httpx.get(url, headers={"X-API-Key": "k1"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert httpx.get(f"{guarded.url}/healthz").status_code == 200  # probes need no key


def test_not_ready_without_an_index(tmp_path: object) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    empty = Settings(data_dir=tmp_path / "none", embedder="hash", build="off")  # type: ignore[operator]
    with TestClient(create_app(empty)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"] == "not_ready"
        assert "run `medcode ingest` first" in ready.json()["message"]
        assert client.get("/v1/search", params={"q": "x"}).status_code == 503


@pytest.mark.integration  # a server of its own, which builds the note reader
def test_request_bodies_are_not_logged(default_index: Settings, tmp_path: object) -> None:
    import subprocess
    import sys

    from tests.api.conftest import free_port
    from tests.conftest import ROOT, cli_env, wait_until_up

    port = free_port()
    log = tmp_path / "server.log"  # type: ignore[operator]
    secret = "patient Jane Roe DOB 1950-01-02 with diabetes"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
            cwd=ROOT,
            env=cli_env(default_index),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/readyz", process)
            body = {"messages": [{"role": "user", "content": secret}]}
            assert httpx.post(f"{url}/v1/chat", json=body, timeout=60).status_code == 200
            httpx.get(f"{url}/v1/search", params={"q": secret})
            note = {"note": secret, "date_of_service": "2026-11-20"}
            assert httpx.post(f"{url}/v1/code-note", json=note, timeout=60).status_code == 200
            long = {"note": secret + "\x00", "date_of_service": "2026-11-20"}
            refused = httpx.post(f"{url}/v1/code-note", json=long, timeout=60)
            assert refused.status_code == 422 and "Jane" not in refused.text
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert "Jane" not in log.read_text() and "Uvicorn running" in log.read_text()


def test_a_code_on_a_date_of_service(server: Server) -> None:
    def get(code: str, day: str) -> httpx.Response:
        params = {"date_of_service": day}
        return httpx.get(f"{server.url}/v1/codes/{code}", params=params, timeout=30)

    new = get("I42.01", "2026-11-15")
    assert new.status_code == 200, new.text
    assert new.json()["title"] == "" and new.json()["version"] == "FY2027"
    assert new.json()["on_date"]["valid"] is True
    assert "title not loaded" in new.json()["on_date"]["message"]
    before = get("I42.01", "2026-09-15")
    assert before.status_code == 404 and before.json()["error"] == "not_valid_on_date"
    assert "ICD-10-CM FY2026" in before.json()["message"]
    deleted = get("I42.0", "2026-11-15").json()
    assert deleted["title"] == "Dilated cardiomyopathy" and deleted["on_date"]["valid"] is False
    assert deleted["on_date"]["replacements"] == ["I42.00", "I42.01", "I42.09"]
    assert get("I42.0", "2026-09-15").json()["on_date"]["valid"] is True
    today = httpx.get(f"{server.url}/v1/codes/I42.0", timeout=30).json()["on_date"]
    assert today["date_of_service"] == date.today().isoformat()  # by default, today (UTC)
    bad = get("I42.0", "15/11/2026")
    assert bad.status_code == 422 and "date_of_service" in bad.json()["message"]


def test_chat_checks_codes_for_the_date_of_service(server: Server) -> None:
    question = [{"role": "user", "content": "Is I42.0 the code for dilated cardiomyopathy?"}]
    body = {"messages": question, "use_llm": False, "date_of_service": "2026-11-15"}
    answer = httpx.post(f"{server.url}/v1/chat", json=body, timeout=60).json()
    assert "I42.0 ⚠ not valid on the date of service" in answer["answer"]
    assert answer["date_of_service"] == "2026-11-15"
    codes = {c["code"]: c for c in answer["codes"]}
    assert codes["I42.0"]["valid"] is False and codes["I42.0"]["version"] == "FY2027"
    bad = httpx.post(f"{server.url}/v1/chat", json={**body, "date_of_service": "11/15"}, timeout=30)
    assert bad.status_code == 422 and "date_of_service" in bad.json()["message"]


def test_changes_between_editions(server: Server) -> None:
    params = {"system": "icd10cm", "from": "FY2026", "to": "FY2027"}
    found = httpx.get(f"{server.url}/v1/changes", params=params, timeout=60).json()
    assert (len(found["added"]), len(found["deleted"])) == (190, 30)
    deleted = {c["code"]: c for c in found["deleted"]}
    assert deleted["I42.0"]["replaced_by"] == ["I42.00", "I42.01", "I42.09"]
    bad = httpx.get(f"{server.url}/v1/changes", params={"to": "FY2031"}, timeout=30)
    assert bad.status_code == 422 and "to" in bad.json()["message"]
