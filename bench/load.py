"""Load benchmark, loopback only: 16 concurrent clients for 60 s against /v1/search and against
/v1/chat (extractive), with the embedded vector store and with a `chroma run` server over the
same data folder. Also the server's memory (RSS) and its cold start to ready. Writes
bench/results/load.json.

    python -m bench.load [DATA_DIR] [--seconds 60] [--clients 16] [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from assistant import evaluate
from bench.loopback import Loopback

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} not ready after {seconds} s")


@contextmanager
def chroma_server(data: Path) -> Iterator[dict[str, str]]:
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(data / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/api/v2/heartbeat", process)
        yield {"MEDCODE_CHROMA_HOST": "127.0.0.1", "MEDCODE_CHROMA_PORT": str(port)}
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def api_server(
    data: Path, env: dict[str, str], workers: int = 1
) -> Iterator[tuple[str, int, float]]:
    started = time.monotonic()
    command = ["-m", "cli.main", "serve", "--workers", str(workers)]
    with served(command, data, {"MEDCODE_EMBEDDER": "minilm", **env}) as (url, pid):
        yield url, pid, time.monotonic() - started


@contextmanager
def served(
    command: list[str], data: Path, env: dict[str, str], seconds: float = 300
) -> Iterator[tuple[str, int]]:
    """A server (``python <command> --host --port``) over ``data``, ready (its /readyz
    answers), with no rate limit; its URL and process id."""
    port = free_port()
    environ = dict(os.environ, MEDCODE_DATA_DIR=str(data), **env)
    environ.update(MEDCODE_RATE_LIMIT_PER_MINUTE="100000000")
    process = subprocess.Popen(
        [sys.executable, *command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/readyz", process, seconds)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def memory_mb(pid: int) -> dict[str, float]:
    """RSS of the server, and of its worker processes when there are several."""
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    rss = peak = 0.0
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "VmRSS":
                rss += int(value.split()[0]) / 1024
            if name == "VmHWM":
                peak += int(value.split()[0]) / 1024
    return {"rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def load(
    url: str, endpoint: str, queries: list[str], clients: int, seconds: float
) -> dict[str, float]:
    spent: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(n: int, http: Loopback) -> None:
        nonlocal errors
        order = queries[n::clients] + queries[:n:clients]
        i = 0
        while time.monotonic() < stop:
            q = order[i % len(order)]
            i += 1
            ms, ok = await timed(http, endpoint, q)
            spent.append(ms)
            errors += not ok

    http = Loopback(url, connections=clients)
    began = time.monotonic()
    await asyncio.gather(*(client(n, http) for n in range(clients)))
    wall = time.monotonic() - began
    await http.close()
    return summary(spent, errors, wall)


async def paced(
    url: str, endpoint: str, queries: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Open loop: requests arrive at a fixed rate whatever the server's pace, the way many coders
    working independently do; a slow answer does not hold the next request back."""
    spent: list[float] = []
    errors = 0

    async def one(q: str, http: Loopback) -> None:
        nonlocal errors
        ms, ok = await timed(http, endpoint, q)
        spent.append(ms)
        errors += not ok

    http = Loopback(url)
    began = time.monotonic()
    tasks = []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(queries[n % len(queries)], http)))
    await asyncio.gather(*tasks)
    wall = time.monotonic() - began
    await http.close()
    return summary(spent, errors, wall) | {"rate": rate}


async def timed(http: Loopback, endpoint: str, q: str) -> tuple[float, bool]:
    """One request: its milliseconds, and whether it was answered with 200."""
    started = time.perf_counter()
    try:
        if endpoint == "search":
            status, _ = await http.get("/v1/search", {"q": q, "k": 10})
        else:
            body = {"messages": [{"role": "user", "content": q}], "use_llm": False}
            status, _ = await http.post("/v1/chat", body)
        ok = status == 200
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def summary(spent: list[float], errors: int, wall: float) -> dict[str, float]:
    return {
        "requests": len(spent),
        "rps": round(len(spent) / wall, 1),
        "p50_ms": percentile(spent, 0.50),
        "p95_ms": percentile(spent, 0.95),
        "p99_ms": percentile(spent, 0.99),
        "mean_ms": round(statistics.fmean(spent), 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", type=Path, default=ROOT / "data")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--stores", default="embedded,chroma-server")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="also run open loop: this many requests a second, arriving whatever the pace",
    )
    args = parser.parse_args()
    data = args.data.resolve()
    sets = evaluate.shared_sets(ROOT.parent / "shared" / "eval")
    queries = [case.query for s in sets for case in s.cases]
    random.Random(7).shuffle(queries)
    rows = []
    for store in args.stores.split(","):
        with store_env(store, data) as env, api_server(data, env, args.workers) as server:
            url, pid, cold = server
            row: dict[str, object] = {
                "store": store,
                "workers": args.workers,
                "cold_start_s": round(cold, 1),
            }
            for endpoint in ("search", "chat"):
                row[endpoint] = asyncio.run(
                    load(url, endpoint, queries, args.clients, args.seconds)
                )
                if args.rate:
                    row[f"{endpoint}_at_rate"] = asyncio.run(
                        paced(url, endpoint, queries, args.rate, args.seconds)
                    )
            row.update(memory_mb(pid))
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "queries": len(queries),
        "rows": rows,
    }
    (out / "load.json").write_text(json.dumps(result, indent=2))


@contextmanager
def store_env(store: str, data: Path) -> Iterator[dict[str, str]]:
    if store == "embedded":
        yield {}
    else:
        with chroma_server(data) as env:
            yield env


if __name__ == "__main__":
    main()
