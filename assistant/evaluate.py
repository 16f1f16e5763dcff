"""Retrieval quality: recall@1/5/10 and MRR for the full system, lexical-only and dense-only.

Sets: ``dev_lay`` and ``dev_guidelines`` from the shared eval folder, and two tiers of the
ICD-9-CM paraphrase benchmark built from the CMS GEMs (``ingest.gems_benchmark``: it reads the
packaged GEMs files, which is the loaders' business, not the core's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.filters import Filters
from assistant.retrieval import ALL_MODES, Hit, Searcher

MODES = {
    "full": ALL_MODES,
    "lexical": ("lexical",),
    "dense": ("dense", "title"),
}
CODE_FILTER = Filters(system="icd10cm", kind="code")


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class EvalSet:
    name: str
    cases: list[Case]
    filters: Filters
    is_hit: Callable[[Hit, tuple[str, ...]], bool]


def code_hit(hit: Hit, expected: tuple[str, ...]) -> bool:
    return hit.passage.code in expected


def section_hit(hit: Hit, expected: tuple[str, ...]) -> bool:
    section = hit.passage.section or ""
    return any(section == e or section.startswith(e + ".") for e in expected)


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def shared_sets(folder: Path) -> list[EvalSet]:
    sets = []
    lay, guide = folder / "dev_lay.jsonl", folder / "dev_guidelines.jsonl"
    if lay.is_file():
        cases = [Case(str(r["query"]), tuple(r["expected"])) for r in jsonl(lay)]  # type: ignore[arg-type]
        sets.append(EvalSet("dev_lay", cases, CODE_FILTER, code_hit))
    if guide.is_file():
        cases = [
            Case(str(r["query"]), tuple(r["expected_sections"]))  # type: ignore[arg-type]
            for r in jsonl(guide)
        ]
        sets.append(EvalSet("dev_guidelines", cases, Filters(kind="guideline"), section_hit))
    return sets


def score(searcher: Searcher, evalset: EvalSet, mode: str) -> dict[str, float]:
    ranks = []
    for case in evalset.cases:
        hits = searcher.search(case.query, 10, evalset.filters, MODES[mode]).hits
        rank = next((n for n, h in enumerate(hits, 1) if evalset.is_hit(h, case.expected)), 0)
        ranks.append(rank)
    total = len(ranks) or 1
    return {
        "recall@1": sum(r == 1 for r in ranks) / total,
        "recall@5": sum(0 < r <= 5 for r in ranks) / total,
        "recall@10": sum(0 < r <= 10 for r in ranks) / total,
        "mrr": sum(1 / r for r in ranks if r) / total,
        "n": len(ranks),
    }


def run(searcher: Searcher, sets: list[EvalSet]) -> list[dict[str, object]]:
    return [
        {"set": s.name, "mode": mode, **score(searcher, s, mode)} for s in sets for mode in MODES
    ]
