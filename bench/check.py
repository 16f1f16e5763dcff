"""Encounter check latency: a 25-diagnosis, 10-procedure inpatient stay of random real codes
(valid on the date of service), checked in process and over HTTP (a uvicorn this script starts
on 127.0.0.1), against the index in MEDCODE_DATA_DIR. Prints the figures and writes them to
bench/results/check.json."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from assistant.catalog import Catalog
from assistant.check import check
from assistant.check.model import read_encounter
from assistant.code_lists import CODE_LISTS
from assistant.settings import Settings
from bench.search import percentile

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 20)
RUNS = 100


def encounters(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    dx = sorted(CODE_LISTS.valid_on("icd10cm", DAY))
    px = sorted(CODE_LISTS.valid_on("icd10pcs", DAY))
    return [
        {
            "date_of_service": DAY.isoformat(),
            "setting": "inpatient",
            "patient": {"age": rng.randint(18, 95), "sex": rng.choice(["female", "male"])},
            "diagnoses": [{"code": c, "poa": "Y"} for c in rng.sample(dx, 25)],
            "procedures": [{"code": c} for c in rng.sample(px, 10)],
        }
        for _ in range(n)
    ]


def figures(spent: list[float]) -> dict[str, float]:
    return {
        "n": len(spent),
        "p50_ms": round(sorted(spent)[len(spent) // 2], 1),
        "p95_ms": round(percentile(spent, 0.95), 1),
        "max_ms": round(max(spent), 1),
    }


def in_process(catalog: Catalog, bodies: list[dict[str, Any]]) -> dict[str, float]:
    check(catalog, read_encounter(bodies[0]))  # warm: valid-code sets, grouper, tables
    spent = []
    for body in bodies:
        started = time.perf_counter()
        check(catalog, read_encounter(body))
        spent.append((time.perf_counter() - started) * 1000)
    return figures(spent)


def over_http(settings: Settings, bodies: list[dict[str, Any]]) -> dict[str, float]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, MEDCODE_DATA_DIR=str(settings.data_dir))
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--port",
        str(port),
        "--no-access-log",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(600):
                try:
                    if client.get(f"{url}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            client.post(f"{url}/v1/check", json=bodies[0]).raise_for_status()
            spent = []
            for body in bodies:
                started = time.perf_counter()
                client.post(f"{url}/v1/check", json=body).raise_for_status()
                spent.append((time.perf_counter() - started) * 1000)
        return figures(spent)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    settings = Settings()
    bodies = encounters(RUNS)
    rows = {
        "encounter": "inpatient, 25 diagnoses, 10 procedures, random real FY2027 codes",
        "in_process": in_process(Catalog(settings.catalog_path), bodies),
        "http": over_http(settings, bodies),
    }
    print(json.dumps(rows, indent=2))
    out = ROOT / "bench" / "results" / "check.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
