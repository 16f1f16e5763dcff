"""The encounter check over HTTP (a real uvicorn on 127.0.0.1) and on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from tests.api.conftest import Server
from tests.conftest import ROOT, cli_env

pytestmark = pytest.mark.integration  # the surfaces again: the core is tested in the fast tier

STAY: dict[str, Any] = {
    "date_of_service": "2026-11-20",
    "setting": "inpatient",
    "patient": {"age": 67, "sex": "female"},
    "discharge_status": "01",
    "diagnoses": [{"code": "I21.4", "poa": "Y"}, {"code": "J96.01", "poa": "Y"}],
    "procedures": [{"code": "G0008", "units": 1, "modifiers": ["25"]}],
}


def test_check_groups_and_cites(server: Server) -> None:
    reply = httpx.post(f"{server.url}/v1/check", json=STAY, timeout=60)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["drg"]["drg"] == "280" and body["drg"]["grouper"] == "v44"
    assert body["drg"]["drivers"][0] == {
        "code": "J96.01", "severity": "MCC", "acted": True,
        "why": "an MCC that set the DRG's severity level",
    }  # fmt: skip
    assert body["editions"]["icd10cm"].startswith("FY2027") and body["editions"]["ms-drg"] == "v44"
    hcc = {e["code"]: e for e in body["hcc"]["entries"]}
    cited = hcc["J96.01"]["citations"][0]["passage_id"]
    opened = httpx.get(f"{server.url}/v1/passages/{cited}").json()
    assert "J96.01" in opened["text"] and opened["source"] == "cms-hcc"


def test_excludes1_over_http_cites_a_passage_that_opens(server: Server) -> None:
    body = STAY | {"diagnoses": [{"code": "E10.9"}, {"code": "E11.9"}], "procedures": []}
    report = httpx.post(f"{server.url}/v1/check", json=body, timeout=60).json()
    [finding] = [f for f in report["findings"] if f["rule"] == "excludes1"]
    passage = finding["citations"][0]["passage_id"]
    opened = httpx.get(f"{server.url}/v1/passages/{passage}")
    assert opened.status_code == 200 and "E11.-" in opened.json()["text"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"diagnoses": [{"code": c} for c in ("I10", "E11.9", "J18.9", "0DTJ4ZZ")]},
            "diagnoses[3].code",
        ),
        ({"diagnoses": []}, "diagnoses"),
        ({"diagnoses": [{"code": "I10"}] * 1000}, "diagnoses"),
        ({"patient": {"age": -3}}, "patient.age"),
        ({"procedures": [{"code": "G0008", "units": 1.5}]}, "procedures[0].units"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_encounters_are_422_naming_the_field(
    server: Server, change: dict[str, Any], field: str
) -> None:
    reply = httpx.post(f"{server.url}/v1/check", json=STAY | change, timeout=60)
    assert reply.status_code == 422
    assert reply.json()["message"].startswith(f"{field}:"), reply.json()


def test_cli_check_reads_a_file_and_standard_input(default_index: Settings, tmp_path: Any) -> None:
    path = tmp_path / "stay.json"
    path.write_text(json.dumps(STAY | {"diagnoses": [{"code": "E10.9"}, {"code": "E11.9"}]}))
    command = [sys.executable, "-m", "cli.main", "check"]
    run: dict[str, Any] = {"env": cli_env(default_index), "cwd": ROOT, "capture_output": True}
    shown = subprocess.run([*command, str(path)], text=True, timeout=120, **run)
    assert shown.returncode == 1, shown.stderr  # an error finding
    assert (
        "✖ error excludes1: E10.9 and E11.9" in shown.stdout
        and "MS-DRG 639 Diabetes" in shown.stdout
    )
    piped = subprocess.run(
        [*command, "-", "--json"], input=json.dumps(STAY), text=True, timeout=120, **run
    )
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["drg"]["drg"] == "280"
    broken = subprocess.run([*command, "-"], input='{"setting": ', text=True, timeout=120, **run)
    assert broken.returncode == 1 and "-:1: not valid JSON" in broken.stderr


@pytest.mark.parametrize(
    ("note", "problem"),
    [("", "note"), ("   ", "the note is empty"), ("a\x00b", "binary"), ("x" * 20_001, "at most")],
)
def test_code_note_refuses_bad_notes(server: Server, note: str, problem: str) -> None:
    reply = httpx.post(
        f"{server.url}/v1/code-note", json={"note": note, "date_of_service": "2026-11-20"}
    )
    assert reply.status_code == 422 and problem in reply.json()["message"]


def test_code_note_answers_in_its_shape(server: Server) -> None:
    body = {"note": "Denies fever.", "setting": "outpatient", "date_of_service": "2026-11-20"}
    reply = httpx.post(f"{server.url}/v1/code-note", json=body, timeout=120)
    assert reply.status_code == 200, reply.text
    assert {"codes", "not_coded", "findings", "mode", "editions"} <= set(reply.json())


def test_code_note_refuses_bytes_that_are_not_utf8(server: Server) -> None:
    body = b'{"note": "fever \xff\xfe", "date_of_service": "2026-11-20"}'
    reply = httpx.post(
        f"{server.url}/v1/code-note", content=body, headers={"Content-Type": "application/json"}
    )
    assert 400 <= reply.status_code < 500 and reply.json()["message"]
