"""Fusion is a pure function of the signals' lists and the weights; reranking, of the scores
and the passages read."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.models import Passage
from assistant.retrieval import Ranking
from assistant.retrieval.fusion import fuse
from assistant.retrieval.rerank import rerank
from assistant.tuning import RRF_K, Weights

WEIGHTS = Weights()


def test_votes_add_up_by_weight_and_rank() -> None:
    scores, via = fuse({"lexical": Ranking(["a", "b"]), "dense": Ranking(["b", "c"])}, WEIGHTS)
    assert scores["a"] == pytest.approx(WEIGHTS.lexical / RRF_K)
    assert scores["b"] == pytest.approx(WEIGHTS.lexical / (RRF_K + 1) + WEIGHTS.dense / RRF_K)
    assert via == {"a": ["lexical"], "b": ["lexical", "dense"], "c": ["dense"]}


def test_a_repeated_id_votes_once_at_its_best_rank() -> None:
    scores, _ = fuse({"exact": Ranking(["a", "b", "a"])}, WEIGHTS)
    assert scores["a"] == pytest.approx(WEIGHTS.exact / RRF_K)
    assert scores["b"] == pytest.approx(WEIGHTS.exact / (RRF_K + 1))


def test_factor_and_closeness_scale_a_list() -> None:
    whole = fuse({"lookup": Ranking(["a"], factor=1.5)}, WEIGHTS)[0]["a"]
    assert whole == pytest.approx(1.5 * WEIGHTS.lookup / RRF_K)
    near = Ranking(["a", "b"], closeness={"a": 0.5, "b": -0.2})
    scores = fuse({"title": near}, WEIGHTS)[0]
    assert scores["a"] == pytest.approx(WEIGHTS.title / RRF_K * 0.5**WEIGHTS.closeness)
    assert scores["b"] == 0.0  # a title further than orthogonal earns nothing


def test_weights_name_the_lists() -> None:
    scores = fuse({"lexical": Ranking(["a"])}, replace(WEIGHTS, lexical=0.0))[0]
    assert scores == {"a": 0.0}
    with pytest.raises(AttributeError):
        fuse({"no_such_signal": Ranking(["a"])}, WEIGHTS)


def passage(pid: str, kind: str, section: str | None = None, title: str = "t") -> Passage:
    return Passage(
        id=pid, source="s", version="v", system="icd10cm", kind=kind, title=title, text=title,
        section=section, code="E11.9" if kind == "code" else None,
    )  # fmt: skip


def test_rerank_applies_each_factor_once() -> None:
    passages = {
        "rule": passage("rule", "guideline", "I.C.4.a"),
        "inpatient": passage("inpatient", "guideline", "II.B"),
        "heading": passage("heading", "code", title="Type 2 diabetes mellitus"),
        "named": passage("named", "code", title="Type 2 diabetes mellitus"),
    }
    scores = dict.fromkeys(passages, 1.0)
    via = {pid: ["lexical"] for pid in passages} | {"named": ["exact"]}
    order = rerank(
        scores,
        via,
        passages,
        WEIGHTS,
        is_heading=lambda p: p.kind == "code",
        setting="outpatient",
        chapters=("I.C.4",),
    )
    assert scores == {
        "rule": WEIGHTS.chapter,
        "inpatient": WEIGHTS.setting,
        "heading": WEIGHTS.heading,
        "named": 1.0,  # a code the question names is never marked down
    }
    assert order[0] == "rule"


def test_quality_measure_codes_are_held_back_unless_asked_for() -> None:
    measure = replace(passage("measure", "code"), system="hcpcs", code="G8864")
    service = replace(passage("service", "code"), system="hcpcs", code="G0009")
    monitor = replace(passage("monitor", "code"), system="hcpcs", code="M1001")
    icd = replace(passage("icd", "code"), code="M10.01")  # ICD-10-CM, not a measure
    passages = {p.id: p for p in (measure, service, monitor, icd)}
    via = {pid: ["lexical"] for pid in passages}
    scores = dict.fromkeys(passages, 1.0)
    order = rerank(scores, via, passages, WEIGHTS, is_heading=lambda p: False)
    assert scores == {"measure": WEIGHTS.measure, "service": 1.0, "monitor": WEIGHTS.measure,
                      "icd": 1.0}  # fmt: skip
    assert order[-2:] == ["measure", "monitor"]
    asked = dict.fromkeys(passages, 1.0)
    rerank(asked, via, passages, WEIGHTS, is_heading=lambda p: False, measures=True)
    assert set(asked.values()) == {1.0}
