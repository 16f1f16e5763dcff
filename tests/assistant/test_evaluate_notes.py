"""How note coding is scored: the counts behind each figure, on results made by hand."""

from __future__ import annotations

from datetime import date

from assistant.evaluate_notes import NoteCase, score, split
from assistant.note_coder.model import CodedNote, Evidence, Suggestion

NOTE = "Essential hypertension. Denies chest pain."


def case(
    n: int, must: set[str], may: frozenset[str] = frozenset(), never: frozenset[str] = frozenset()
) -> NoteCase:
    day = date(2026, 11, 20)
    return NoteCase(f"dn-{n:03d}", "outpatient", day, NOTE, frozenset(must), may, never)


def coded(*codes: str, start: int = 10, text: str = "hypertension") -> CodedNote:
    evidence = [Evidence(start=start, end=start + len(text), text=text)]
    suggestions = [
        Suggestion(code=c, title="", edition="FY2027", evidence=evidence, assertion="present",
                   reason="", confidence=0.8)
        for c in codes
    ]  # fmt: skip
    return CodedNote(codes=suggestions, not_coded=[], findings=[])


def test_scores_count_must_may_and_must_not() -> None:
    cases = [
        case(1, {"I10"}, frozenset({"Z00.00"}), frozenset({"R07.9"})),
        case(2, {"E11.9", "I10"}, never=frozenset({"E11.8"})),
    ]
    results = [coded("I10", "R07.9"), coded("I10", "E78.5")]
    found = score(cases, results, [0.1, 0.2])
    assert found["recall_must"] == round(2 / 3, 3)  # I10 twice of I10, E11.9, I10
    assert found["precision"] == 0.5  # I10, I10 of four suggested
    assert found["must_not_rate"] == 0.5  # R07.9 of R07.9, E11.8
    assert found["span_validity"] == 1.0
    assert found["misses"][1] == "dn-002: missing ['E11.9'], not expected ['E78.5']"


def test_a_span_that_does_not_quote_the_note_counts_against_validity() -> None:
    found = score([case(1, {"I10"})], [coded("I10", start=0)], [0.1])
    assert found["span_validity"] == 0.0  # note[0:12] is "Essential hy", not the words given


def test_the_halves_split_by_number() -> None:
    cases = [case(n, {"I10"}) for n in range(1, 7)]
    assert [c.id for c in split(cases, "tune")] == ["dn-001", "dn-003", "dn-005"]
    assert [c.id for c in split(cases, "check")] == ["dn-002", "dn-004", "dn-006"]
    assert split(cases, "all") == cases
