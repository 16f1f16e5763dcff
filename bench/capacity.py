"""Capacity, open loop, loopback only: requests arrive at a fixed rate (bench.load.paced), a step
at a time, until the p95 passes 150 ms or a request fails; the highest rate that held, and the
server's CPU milliseconds per request at each step (its own process, from /proc) and the load
generator's (its share of the same two cores). medcode's
search and extractive chat, and side by side the naive dense reference (bench/naive.py) over
the same data folder. The load generator runs on the same machine. Writes
bench/results/capacity.json.

    python -m bench.capacity [DATA_DIR] [--seconds 20] [--rates 10,20,30,40,50,60,80]
                             [--servers medcode,naive] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from contextlib import AbstractContextManager
from pathlib import Path

from assistant import evaluate
from bench.load import paced, served

ROOT = Path(__file__).resolve().parents[1]
P95_LIMIT_MS = 150.0
SERVERS = {
    "medcode": (["-m", "cli.main", "serve"], ("search", "chat")),
    "naive": (["-m", "uvicorn", "bench.naive:app"], ("search",)),
}


def cpu_seconds(pid: int) -> float:
    """User and system CPU so far of a process and its children (the workers of a server
    started with several), their threads included."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0.0
    for one in [pid, *map(int, children)]:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def server(name: str, data: Path, workers: int = 1) -> AbstractContextManager[tuple[str, int]]:
    args, _ = SERVERS[name]
    if name == "medcode" and workers > 1:
        args = [*args, "--workers", str(workers)]
    return served(args, data, {}, seconds=600)


def held(row: dict[str, float]) -> bool:
    return row["p95_ms"] <= P95_LIMIT_MS and not row["errors"]


def steps(
    url: str, pid: int, endpoint: str, queries: list[str], rates: list[float], seconds: float
) -> dict[str, object]:
    rows = []
    for rate in rates:
        before, ours = cpu_seconds(pid), time.process_time()
        row = asyncio.run(paced(url, endpoint, queries, rate, seconds))
        row["cpu_ms_per_request"] = round((cpu_seconds(pid) - before) * 1000 / row["requests"], 1)
        # the load generator shares the two cores: what it spends is not the server's to use
        spent = time.process_time() - ours
        row["client_cpu_ms_per_request"] = round(spent * 1000 / row["requests"], 1)
        rows.append(row)
        print(json.dumps({"endpoint": endpoint, **row}), flush=True)
        if not held(row):
            break
    passed = [row["rate"] for row in rows if held(row)]
    return {"capacity_rps": max(passed) if passed else 0, "steps": rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", type=Path, default=ROOT / "data")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rates", default="10,20,30,40,50,60,80")
    parser.add_argument("--servers", default="medcode,naive")
    parser.add_argument("--workers", type=int, default=1, help="medcode's worker processes")
    args = parser.parse_args()
    data = args.data.resolve()
    rates = [float(r) for r in args.rates.split(",")]
    sets = evaluate.shared_sets(ROOT.parent / "shared" / "eval")
    queries = [case.query for s in sets for case in s.cases]
    random.Random(7).shuffle(queries)
    result: dict[str, object] = {
        "seconds": args.seconds,
        "p95_limit_ms": P95_LIMIT_MS,
        "medcode_workers": args.workers,
    }
    for name in args.servers.split(","):
        started = time.monotonic()
        with server(name, data, args.workers) as (url, pid):
            row: dict[str, object] = {"start_s": round(time.monotonic() - started, 1)}
            for endpoint in SERVERS[name][1]:
                asyncio.run(paced(url, endpoint, queries, 5, 2))  # connections and caches warm
                row[endpoint] = steps(url, pid, endpoint, queries, rates, args.seconds)
            result[name] = row
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "capacity.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
