"""The real-question scoring: what an answer shows, counted the way the issue defines it."""

from __future__ import annotations

import json
from pathlib import Path

from assistant import evaluate_real
from assistant.answer_types import Answer
from assistant.catalog import Catalog
from assistant.chat import Assistant
from assistant.index import Index
from assistant.settings import Settings


def write(folder: Path, rows: list[dict[str, object]]) -> Path:
    path = folder / "real.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def row(
    n: int, question: str, kind: str, codes: list[str], section: str | None
) -> dict[str, object]:
    return {
        "id": f"t-{n}",
        "question": question,
        "kind": kind,
        "expected_codes": codes,
        "expected_section": section,
    }


def test_scores_count_what_answers_show(default_index: Settings, tmp_path: Path) -> None:
    rows = [
        row(1, "Is E11.9 billable?", "code", ["E11.9"], None),
        row(
            2,
            "Type 2 diabetes mellitus with hyperglycemia",
            "code",
            ["E11.65", "Z79.4"],
            None,
        ),
        row(3, "Which CPT code for a thoracentesis with imaging?", "cpt", [], None),
        row(4, "Can I code probable pneumonia for an outpatient?", "guideline", [], "IV.H"),
        row(5, "What is the code for acute appendicitis in ICD-10-CM?", "code", ["Q99.9"], None),
    ]
    cases = evaluate_real.load(write(tmp_path, rows))
    result = evaluate_real.score(Assistant(Index(default_index)), cases)
    assert result["n"] == 5 and result["code_n"] == 3 and result["honest_n"] == 1
    assert result["code_any"] == round(2 / 3, 3)  # E11.9 named, E11.65 found, Q99.9 not
    assert result["code_all"] == round(1 / 3, 3)  # Z79.4 is not in the answer
    assert result["code_any_new"] == round(1 / 3, 3)  # E11.9 was in the question itself
    assert result["honest"] == 1.0 and result["false_missing"] == 0
    assert result["section"] == 0.0  # no guidelines in this index: nothing cites IV.H
    assert result["bad_codes"] == []
    assert "t-5 code" in result["misses"]  # type: ignore[operator]


def test_a_code_shown_in_another_systems_form_is_counted(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    answer = Answer(answer="Use E11.99 and E11.9 and K35.80X.", citations=[], codes=[], mode="llm")
    assert evaluate_real.bad_codes(answer, catalog) == ["E11.99", "K35.80X"]


def test_halves_split_every_case_once(tmp_path: Path) -> None:
    rows = [row(n, f"question {n}", "code", [], None) for n in range(10)]
    cases = evaluate_real.load(write(tmp_path, rows))
    tune, check = evaluate_real.split(cases, "tune"), evaluate_real.split(cases, "check")
    assert len(tune) == len(check) == 5
    assert {c.id for c in tune} | {c.id for c in check} == {c.id for c in cases}
