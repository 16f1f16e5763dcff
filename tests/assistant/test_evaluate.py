from __future__ import annotations

import pytest

from assistant import evaluate
from assistant.index import Index
from assistant.settings import Settings
from ingest import gems_benchmark
from tests.conftest import SHARED


def test_gems_benchmark_is_built_as_described(default_index: Settings) -> None:
    catalog = Index(default_index).catalog
    tiers = {s.name: s for s in gems_benchmark.build(catalog, per_tier=50)}
    assert set(tiers) == {"gems_equivalent", "gems_approximate"}
    for evalset in tiers.values():
        assert len(evalset.cases) == 50
        assert evalset.filters.system == "icd10cm" and evalset.filters.kind == "code"
        for case in evalset.cases:
            row = catalog.find(case.expected[0])[0]
            assert row["billable"] == 1 and row["system"] == "icd10cm"
    # another seed draws another sample from the same pool; the same seed, the same one
    again = gems_benchmark.build(catalog, per_tier=50)
    other = gems_benchmark.build(catalog, per_tier=50, seed=99)
    queries = [[c.query for c in s.cases] for s in (tiers["gems_equivalent"], *again, *other)]
    assert queries[0] == queries[1] and queries[0] != queries[3]


def test_eval_scores_every_mode(real_index: Settings) -> None:
    folder = SHARED / "eval"
    if not (folder / "dev_lay.jsonl").is_file():
        pytest.skip("needs ../shared/eval")
    index = Index(real_index)
    lay = next(s for s in evaluate.shared_sets(folder) if s.name == "dev_lay")
    inside = [c for c in lay.cases if c.expected[0][0] in "EJL"]  # chapters in the mini index
    lay = evaluate.EvalSet("dev_lay", inside, lay.filters, lay.is_hit)
    rows = {r["mode"]: r for r in evaluate.run(index.searcher, [lay])}
    assert set(rows) == {"full", "lexical", "dense"}
    for row in rows.values():
        assert row["n"] == len(inside)
        assert 0 <= row["recall@1"] <= row["recall@5"] <= row["recall@10"] <= 1  # type: ignore[operator]
    assert rows["full"]["recall@10"] >= 0.6  # type: ignore[operator]
