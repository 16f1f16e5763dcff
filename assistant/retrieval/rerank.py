"""Score factors applied to the best fused candidates, once their passages are read: a guideline
of the other setting or of the question's chapter, a heading nobody asked for, a code title
that contradicts the question on a qualifier axis."""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Passage
from assistant.qualifiers import Reading, contradictions, read
from assistant.tuning import Weights

INPATIENT_SECTIONS = ("II", "III")


def rerank(
    scores: dict[str, float],
    via: dict[str, list[str]],
    passages: dict[str, Passage],
    weights: Weights,
    is_heading: Callable[[Passage], bool],
    asked: Reading | None = None,
    setting: str | None = None,
    chapters: tuple[str, ...] = (),
) -> list[str]:
    """The ids of ``passages``, best first, their ``scores`` changed in place."""
    for pid, passage in passages.items():
        if setting and passage.kind == "guideline":
            scores[pid] *= weights.setting if elsewhere(passage, setting) else 1.0
        if chapters and passage.kind == "guideline" and within(passage, chapters):
            scores[pid] *= weights.chapter
        if "exact" in via[pid] or passage.kind != "code":
            continue
        if is_heading(passage):
            scores[pid] *= weights.heading  # coders report codes, not categories
        if asked:
            clashes = contradictions(asked, read(passage.title))
            scores[pid] *= weights.contradiction**clashes
    return sorted(passages, key=lambda pid: -scores[pid])


def within(passage: Passage, sections: tuple[str, ...]) -> bool:
    section = passage.section or ""
    return any(section == s or section.startswith(s + ".") for s in sections)


def elsewhere(passage: Passage, setting: str) -> bool:
    """A guideline passage of the setting the question is not about."""
    top = (passage.section or "").split(".")[0]
    if setting == "outpatient":
        return top in INPATIENT_SECTIONS
    return top == "IV"
