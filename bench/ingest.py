"""Ingest benchmark: default sources, then everything in ../shared/corpus, into fresh data
folders with the real model. Prints (and writes to bench/results/ingest.json) wall time,
passages per second beside the raw encode throughput of the same model on a sample of the same
texts, re-ingest time with nothing changed, disk size and peak memory."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = 6000


def run_ingest(data: Path, corpus: Path | None) -> dict[str, float]:
    env = dict(os.environ, MEDCODE_DATA_DIR=str(data), MEDCODE_EMBEDDER="minilm")
    env.pop("MEDCODE_CORPUS_DIR", None)
    if corpus:
        env["MEDCODE_CORPUS_DIR"] = str(corpus)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "ingest", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"ingest failed: {out.decode()[-2000:]}")
    results = json.loads(out)["results"]
    return {
        "seconds": round(seconds, 1),
        "passages": sum(r["passages"] for r in results),
        "embedded": sum(r["embedded"] for r in results),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }


def disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def raw_encode_rate(data: Path) -> float:
    from assistant.catalog import Catalog
    from assistant.embedder import MiniLMEmbedder
    from assistant.vector_texts import embed_text

    passages = Catalog(data / "catalog.sqlite").every_passage()
    sample = random.Random(7).sample(passages, min(SAMPLE, len(passages)))
    texts = [embed_text(p) for p in sample]
    model = MiniLMEmbedder()
    model.embed_batch(texts[:64])
    started = time.monotonic()
    model.embed_batch(texts)
    return len(texts) / (time.monotonic() - started)


def measure(name: str, corpus: Path | None, keep: Path | None = None) -> dict[str, float | str]:
    data = keep or Path(tempfile.mkdtemp(prefix=f"medcode-bench-{name}-")) / "data"
    if keep and keep.exists():
        shutil.rmtree(keep)
    first = run_ingest(data, corpus)
    again = run_ingest(data, corpus)
    rate = first["embedded"] / first["seconds"]
    raw = raw_encode_rate(data)
    row: dict[str, float | str] = {
        "run": name,
        **first,
        "passages_per_s": round(rate, 1),
        "raw_encode_per_s": round(raw, 1),
        "ratio": round(rate / raw, 2),
        "reingest_seconds": again["seconds"],
        "disk_mb": disk_mb(data),
    }
    if not keep:
        shutil.rmtree(data.parent)
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    """``python -m bench.ingest [KEEP_DIR] [--corpus-only]``: KEEP_DIR keeps the full-corpus
    index built; --corpus-only skips the default-sources run."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    keep = Path(args[0]).resolve() if args else None
    rows = [] if "--corpus-only" in sys.argv else [measure("default", None)]
    if CORPUS.is_dir():
        rows.append(measure("all-of-shared-corpus", CORPUS, keep))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = "ingest-corpus.json" if "--corpus-only" in sys.argv else "ingest.json"
    (out / name).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
