"""Note coding latency, in process: notes of about 3,000 characters made of the development
notes (bench/notes_dev.jsonl), each coded whole, against the index in MEDCODE_DATA_DIR. Prints
the figures and writes them to bench/results/notes.json."""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

from assistant import evaluate_notes
from assistant.index import Index
from assistant.note_coder import code_note
from assistant.note_coder.model import NoteRequest
from assistant.settings import Settings
from bench.search import percentile

ROOT = Path(__file__).resolve().parents[1]
SIZE = 3000
RUNS = 20


def long_notes(n: int, seed: int = 5) -> list[str]:
    texts = [c.note for c in evaluate_notes.load(ROOT / "bench" / "notes_dev.jsonl")]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < SIZE:
            parts.append(rng.choice(texts))
        out.append("\n\n".join(parts)[:SIZE])
    return out


def main() -> None:
    index = Index(Settings())
    day = date(2026, 11, 20)
    notes = long_notes(RUNS)
    code_note(index, NoteRequest(note=notes[0], date_of_service=day))  # builds the reader
    spent = []
    for note in notes:
        started = time.perf_counter()
        code_note(index, NoteRequest(note=note, setting="inpatient", date_of_service=day))
        spent.append((time.perf_counter() - started) * 1000)
    rows = {
        "note_chars": SIZE,
        "n": len(spent),
        "p50_ms": round(sorted(spent)[len(spent) // 2], 1),
        "p95_ms": round(percentile(spent, 0.95), 1),
        "max_ms": round(max(spent), 1),
    }
    print(json.dumps(rows, indent=2))
    (ROOT / "bench" / "results" / "notes.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
