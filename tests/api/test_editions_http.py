"""Editions over HTTP: search names the editions it read and takes an edition or a date of
service; what is not loaded is said, with what is."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Server

pytestmark = pytest.mark.integration  # the surfaces again, over HTTP: the full run has them


def test_search_names_the_editions_it_read(server: Server) -> None:
    found = httpx.get(f"{server.url}/v1/search", params={"q": "E11.65", "k": 2}).json()
    assert "icd10cm-tabular@FY2026" in found["editions"]
    assert found["hits"][0]["edition"] == "FY2026"
    one: dict[str, str | int] = {"q": "E11.65", "k": 2, "edition": "FY2026"}
    only = httpx.get(f"{server.url}/v1/search", params=one).json()
    assert only["editions"] == ["icd10cm-tabular@FY2026"]
    assert all(h["edition"] == "FY2026" for h in only["hits"])


def test_an_edition_not_loaded_names_those_that_are(server: Server) -> None:
    missing = httpx.get(f"{server.url}/v1/search", params={"q": "x", "edition": "FY2031"})
    body = missing.json()
    assert missing.status_code == 404 and body["error"] == "edition_not_loaded"
    assert (
        body["message"].startswith("edition: 'FY2031'")
        and "icd10cm-tabular FY2026" in body["message"]
    )
    malformed = httpx.get(f"{server.url}/v1/search", params={"q": "x", "edition": "2026"})
    assert malformed.status_code == 422 and "edition" in malformed.json()["message"]
    bad_day = httpx.get(f"{server.url}/v1/search", params={"q": "x", "date_of_service": "1/2/26"})
    assert bad_day.status_code == 422 and "date_of_service" in bad_day.json()["message"]


def test_a_date_before_every_loaded_edition_says_which_are(server: Server) -> None:
    params: dict[str, str | int] = {"q": "E11.65", "k": 1, "date_of_service": "2019-03-01"}
    found = httpx.get(f"{server.url}/v1/search", params=params).json()
    assert found["date_of_service"] == "2019-03-01"
    said = " ".join(found["warnings"])
    assert "before every icd10cm-tabular edition loaded here (editions loaded: FY2026)" in said
    assert found["hits"][0]["code"] == "E11.65"  # the nearest edition still answers
    code = httpx.get(f"{server.url}/v1/codes/E11.65", params={"date_of_service": "2019-03-01"})
    on_date = code.json()["on_date"]
    assert on_date["edition"] == "FY2019" and on_date["valid"] is True
    assert "editions loaded: FY2026" in on_date["message"]
    chat = {"messages": [{"role": "user", "content": "E11.65"}], "date_of_service": "2019-03-01"}
    answer = httpx.post(f"{server.url}/v1/chat", json=chat, timeout=60).json()
    assert any("editions loaded: FY2026" in w for w in answer["warnings"])


def test_a_change_record_opens_over_http(server: Server) -> None:
    found = httpx.get(f"{server.url}/v1/passages/changes:icd10cm:FY2027:I420").json()
    assert found["kind"] == "change" and found["edition"] == "FY2027"
    assert found["before"] is None and "I42.09" in found["codes"]
    unchanged = httpx.get(f"{server.url}/v1/passages/changes:icd10cm:FY2027:E119")
    assert unchanged.status_code == 404
