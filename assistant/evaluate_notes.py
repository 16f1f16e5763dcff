"""Note coding measured on a development set of notes (bench/notes_dev.jsonl): each note with
the codes a careful coder must assign, those that may be assigned, and tempting codes that must
not be (negated, ruled out, a relative's condition, a symptom of a coded diagnosis)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.index import Index
from assistant.note_coder import code_note
from assistant.note_coder.model import CodedNote, NoteRequest

UNDATED = "2026-09-30"  # a note without a date of service: the shared notes are coded in FY2026


@dataclass(frozen=True)
class NoteCase:
    id: str
    setting: str
    day: date
    note: str
    must: frozenset[str]
    may: frozenset[str]
    must_not: frozenset[str]


def load(path: Path) -> list[NoteCase]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                NoteCase(
                    row["id"],
                    row["setting"],
                    date.fromisoformat(row.get("date_of_service") or UNDATED),
                    row["note"],
                    frozenset(row["must"]),
                    frozenset(row["may"]),
                    frozenset(row["must_not"]),
                )  # fmt: skip
            )
    return cases


def split(cases: list[NoteCase], part: str) -> list[NoteCase]:
    """The tuning half (odd-numbered notes), the checking half (even) or all: a change is
    chosen on one half and checked on the other."""
    if part == "all":
        return cases
    odd = part == "tune"
    return [c for c in cases if (int(c.id.rsplit("-", 1)[-1]) % 2 == 1) == odd]


def score(cases: list[NoteCase], coded: list[CodedNote], seconds: list[float]) -> dict[str, Any]:
    """Micro recall of the must codes, precision (suggested codes that are must or may),
    the share of must-not codes suggested, and the share of evidence spans that quote the
    note exactly."""
    found = must = hit = suggested = allowed = forbidden = bad = spans = exact = 0
    misses = []
    for case, result in zip(cases, coded, strict=True):
        codes = {s.code for s in result.codes}
        suggested += len(codes)
        allowed += len(codes & (case.must | case.may))
        must += len(case.must)
        hit += len(codes & case.must)
        forbidden += len(case.must_not)
        bad += len(codes & case.must_not)
        found += 1
        for s in result.codes:
            for e in s.evidence:
                spans += 1
                exact += case.note[e.start : e.end] == e.text
        missing = sorted(case.must - codes)
        extra = sorted(codes - case.must - case.may)
        if missing or extra:
            misses.append(f"{case.id}: missing {missing}, not expected {extra}")
    ordered = sorted(seconds)
    return {
        "n": found,
        "recall_must": round(hit / must, 3) if must else 0.0,
        "precision": round(allowed / suggested, 3) if suggested else 0.0,
        "must_not_rate": round(bad / forbidden, 3) if forbidden else 0.0,
        "span_validity": round(exact / spans, 3) if spans else 1.0,
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "misses": misses,
    }


def run(index: Index, cases: list[NoteCase]) -> dict[str, Any]:
    # the first note builds the reader and the index lookup (seconds, once): not timed
    code_note(index, NoteRequest(note="Fever.", date_of_service=date(2026, 11, 20)))
    coded, seconds = [], []
    for case in cases:
        request = NoteRequest(note=case.note, setting=case.setting, date_of_service=case.day)
        started = time.perf_counter()
        coded.append(code_note(index, request))
        seconds.append(time.perf_counter() - started)
    return score(cases, coded, seconds)
