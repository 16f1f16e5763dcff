"""Search and extractive-answer latency, in-process, over the eval queries, against the index
in MEDCODE_DATA_DIR (build it with every source of ../shared/corpus for the README figures)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from assistant import evaluate, evaluate_real
from assistant.chat import Assistant, Turn
from assistant.index import Index
from assistant.settings import Settings
from ingest import gems_benchmark

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: object, queries: list[str]) -> dict[str, float]:
    spent = []
    cpu = time.process_time()
    for text in queries:
        started = time.perf_counter()
        fn(text)  # type: ignore[operator]
        spent.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu  # every thread of the process, answer workers included
    return {
        "n": len(spent),
        "cpu_mean_ms": round(cpu * 1000 / max(len(spent), 1), 1),
        "p50_ms": round(statistics.median(spent), 1),
        "p95_ms": round(percentile(spent, 0.95), 1),
        "max_ms": round(max(spent), 1),
    }


def main() -> None:
    index = Index(Settings())
    sets = evaluate.shared_sets(ROOT.parent / "shared" / "eval")
    sets += gems_benchmark.build(index.catalog, per_tier=100)
    queries = [case.query for s in sets for case in s.cases]
    bot = Assistant(index)
    bot.warm()  # as a server starts: the snapshot, the held words, the small sets
    real = ROOT.parent / "shared" / "eval" / "dev_real.jsonl"
    questions = [c.question for c in evaluate_real.load(real)] if real.is_file() else []
    rows = {
        "search": timed(lambda q: index.searcher.search(q, 10), queries),
        "ask_extractive": timed(lambda q: bot.answer([Turn("user", q)], use_llm=False), queries),
        # real coders' questions: long, several conditions, other code sets
        "ask_real": (
            timed(lambda q: bot.answer([Turn("user", q)], use_llm=False), questions)
            if questions
            else {}
        ),
        "sources": [s["name"] for s in index.catalog.sources()],
    }
    print(json.dumps(rows, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "search.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
