"""Score factors applied to the best fused candidates, once their passages are read: a guideline
of the other setting or of the question's chapter, a heading nobody asked for, a code title
that contradicts the question on a qualifier axis."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.models import Passage
from assistant.qualifiers import Reading, contradictions, read
from assistant.tuning import Weights

INPATIENT_SECTIONS = ("II", "III")
MEASURE = re.compile(r"(?:G[89]|M1)\d{3}$")
# a question about quality reporting asks for the measure codes
MEASURES_ASKED = re.compile(r"\b(?:quality|mips|measures?|pqrs|hedis|performance)\b", re.I)


def rerank(
    scores: dict[str, float],
    via: dict[str, list[str]],
    passages: dict[str, Passage],
    weights: Weights,
    is_heading: Callable[[Passage], bool],
    asked: Reading | None = None,
    setting: str | None = None,
    chapters: tuple[str, ...] = (),
    measures: bool = False,
) -> list[str]:
    """The ids of ``passages``, best first, their ``scores`` changed in place. ``measures``:
    the question is about quality reporting, whose HCPCS codes are then not held back."""
    for pid, passage in passages.items():
        if setting and passage.kind == "guideline":
            scores[pid] *= weights.setting if elsewhere(passage, setting) else 1.0
        if chapters and passage.kind == "guideline" and within(passage, chapters):
            scores[pid] *= weights.chapter
        if "exact" in via[pid] or passage.kind != "code":
            continue
        if is_heading(passage):
            scores[pid] *= weights.heading  # coders report codes, not categories
        if not measures and is_measure(passage):
            scores[pid] *= weights.measure
        if asked:
            clashes = contradictions(asked, read(passage.title))
            scores[pid] *= weights.contradiction**clashes
    return sorted(passages, key=lambda pid: -scores[pid])


def is_measure(passage: Passage) -> bool:
    """A HCPCS quality-measure code (G8000-G9999, M1000-M1999): it reports that a measure was
    met, not the service ("G8864 Pneumococcal vaccine administered or previously received"
    against "G0009 Administration of pneumococcal vaccine")."""
    return passage.system == "hcpcs" and bool(MEASURE.match(passage.code or ""))


def within(passage: Passage, sections: tuple[str, ...]) -> bool:
    section = passage.section or ""
    return any(section == s or section.startswith(s + ".") for s in sections)


def elsewhere(passage: Passage, setting: str) -> bool:
    """A guideline passage of the setting the question is not about."""
    top = (passage.section or "").split(".")[0]
    if setting == "outpatient":
        return top in INPATIENT_SECTIONS
    return top == "IV"
