"""Search and extractive-answer latency, in-process, over the eval queries, against the index
in MEDCODE_DATA_DIR (build it with every source of ../shared/corpus for the README figures).

A server answers questions it has not seen, after many others: the process is first warmed as
``medcode serve`` warms it, then by searches of other GEMs titles (another seed), and only then
timed on the eval queries. The first searches of a fresh process, and the same queries asked
again (per-question caches hit), are reported beside it, and so are the parts a search cannot
go below: the encoding of its focus, its two vector queries, and the search without them."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import evaluate, evaluate_real
from assistant.chat import Assistant, Turn
from assistant.index import Index
from assistant.retrieval.pools import vector_depths
from assistant.retrieval.registry import ALL_MODES
from assistant.retrieval.searcher import Searcher
from assistant.settings import Settings
from assistant.tuning import Weights
from ingest import gems_benchmark

ROOT = Path(__file__).resolve().parents[1]
WARM_SEED = 5  # the warm-up titles are drawn with another seed than the timed ones (13)
WARM_PER_TIER = 300
VECTOR_MODES = ("dense", "title", "index")  # the lists that need the encoding and Chroma


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Callable[[Any], object], items: Sequence[Any]) -> dict[str, float]:
    spent = []
    cpu = time.process_time()
    for item in items:
        started = time.perf_counter()
        fn(item)
        spent.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu  # every thread of the process, answer workers included
    return {
        "n": len(spent),
        "cpu_mean_ms": round(cpu * 1000 / max(len(spent), 1), 1),
        "p50_ms": round(statistics.median(spent), 1),
        "p95_ms": round(percentile(spent, 0.95), 1),
        "max_ms": round(max(spent), 1),
    }


def floors(searcher: Searcher, queries: list[str]) -> dict[str, dict[str, float]]:
    """What a search is made of, each timed alone over the same queries: the encoding of the
    focus, the two vector queries a search asks (as deep as retrieval/pools.py asks them), and the
    search without the lists that need them (BM25, the index lookup, fusion, reranking)."""
    store = searcher.vectors.get() if searcher.vectors else None
    if searcher.embedder is None or store is None:
        return {}
    focus = [searcher.analyse(q).focus for q in queries]
    vectors = [searcher.embedder.embed_query(text) for text in focus]
    wide, named = vector_depths(Weights().depth)
    without = tuple(mode for mode in ALL_MODES if mode not in VECTOR_MODES)
    return {
        "encoding": timed(searcher.embedder.embed_query, focus),
        "main_vector_query": timed(lambda v: store.query(v, wide, metadata=False), vectors),
        "title_vector_query": timed(
            lambda v: store.titles.query(v, named, metadata=False), vectors
        ),
        "search_without_vectors": timed(lambda q: searcher.search(q, 10, modes=without), queries),
    }


def main() -> None:
    index = Index(Settings())
    sets = evaluate.shared_sets(ROOT.parent / "shared" / "eval")
    sets += gems_benchmark.build(index.catalog, per_tier=100)
    queries = [case.query for s in sets for case in s.cases]
    timed_ones = set(queries)
    others = gems_benchmark.build(index.catalog, per_tier=WARM_PER_TIER, seed=WARM_SEED)
    warm_up = [c.query for s in others for c in s.cases if c.query not in timed_ones]
    bot = Assistant(index)
    bot.warm()  # as a server starts: the snapshot, the held words, the small sets
    searcher = index.searcher
    real = ROOT.parent / "shared" / "eval" / "dev_real.jsonl"
    questions = [c.question for c in evaluate_real.load(real)] if real.is_file() else []
    rows: dict[str, Any] = {
        # other titles, the first searches this process makes
        "search_first_of_process": timed(lambda q: searcher.search(q, 10), warm_up),
        "search": timed(lambda q: searcher.search(q, 10), queries),  # new to a warm process
        "search_repeated": timed(lambda q: searcher.search(q, 10), queries),
        "parts": floors(searcher, queries),
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
