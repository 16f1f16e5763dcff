"""A note's conditions as phrases, and the words around each that may qualify it: what the
note coder looks up in the Alphabetic Index, and the span of the note it quotes as evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.note_coder.model import Assertion, Evidence
from assistant.note_coder.reading import HEADER, Mention
from assistant.text import stems

JOINED = re.compile(r"^[\s-]*(?:\d{1,2}[a-z]?)?[\s-]*$")  # "type 2 diabetes", "non-ST"
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/-]*|[,;:.()]")
PUNCTUATION = set(",;:.()")
# words that end a condition's qualifiers: the next condition, a verb, a treatment
STOP = {
    "and", "or", "for", "at", "from", "by", "was", "is", "are", "were", "treated", "continue",
    "who", "that", "which", "but", "as", "after", "since", "has", "have", "had", "presents",
    "presented", "seen", "also", "no",
}  # fmt: skip
LEFT_WORDS = 6
RIGHT_WORDS = 8
AFTER_COMMA = 4  # words: a part this short after a comma qualifies the condition before it
# how long, which says nothing of what ("for three days" is not "Three-day fever")
DURATION = re.compile(
    r"\b(?:for\s+)?(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few)"
    r"[\s-]+(?:hour|day|week|month|year)s?(?:\s+ago)?\b",
    re.I,
)


@dataclass
class Phrase:
    start: int
    end: int
    assertion: Assertion
    section: str
    sentence: tuple[int, int]


# the sections that say what the visit is coded for
FIRST_SECTIONS = ("assessment", "impression", "diagnos", "plan")
PROVISIONAL = re.compile(r"admi|differential|pre-?op|working", re.I)
# sections that list substances, not the patient's conditions
NOT_CONDITIONS = re.compile(r"allerg|medication|\bmeds\b|prescription", re.I)
# nouns a condition's name can modify without the note saying the patient has it: "allergy
# medicine", "pain medication", "depression screening", "diabetes educator"
MODIFIED = re.compile(
    r"\s+(?:medicines?|medications?|meds|drugs?|pills?|tablets?|clinic|specialist|screening|"
    r"screen|tests?|testing|panel|workup|work-up|education|educator|service|program|protocol|"
    r"regimen|prophylaxis|vaccines?|vaccination|immunization)\b",
    re.I,
)


def phrases(note: str, mentions: list[Mention]) -> list[Phrase]:
    """Mentions next to each other read as one phrase ("chronic obstructive pulmonary
    disease"). Not conditions: mentions inside a heading ("DISCHARGE SUMMARY:"), in a list of
    allergies or medications, or naming what another noun is for ("allergy medicine")."""
    headings = [(m.start(), m.end()) for m in HEADER.finditer(note)]
    out: list[Phrase] = []
    for m in mentions:
        if any(a <= m.start < b for a, b in headings) or NOT_CONDITIONS.search(m.section):
            continue
        if note[m.start - 1 : m.start] == "-" or note[m.end : m.end + 1] == "-":
            continue  # a part of a compound word ("62-year-old", "community-acquired")
        last = out[-1] if out else None
        if last and last.sentence == m.sentence and JOINED.match(note[last.end : m.start]):
            last.end, last.assertion = m.end, m.assertion
        else:
            out.append(Phrase(m.start, m.end, m.assertion, m.section, m.sentence))
    return [p for p in out if not MODIFIED.match(note, p.end)]


def in_assessment(phrase: Phrase) -> bool:
    """Under the assessment, impression or final diagnoses: not the admitting, differential or
    pre-operative diagnoses, which the stay or the operation may overturn."""
    return any(s in phrase.section for s in FIRST_SECTIONS) and not PROVISIONAL.search(
        phrase.section
    )


def as_assessed(note: str, found: list[Phrase]) -> list[Phrase]:
    """A condition the assessment rules out is ruled out wherever the note names it: the
    history that suspected it is not coded."""
    said: dict[frozenset[str], Assertion] = {}
    for p in found:
        if in_assessment(p) and p.assertion == "negated":
            said.setdefault(frozenset(stems(note[p.start : p.end])), p.assertion)
    return [
        replace(p, assertion=said.get(frozenset(stems(note[p.start : p.end])), p.assertion))
        if not in_assessment(p) else p
        for p in found
    ]  # fmt: skip


def windows(note: str, phrase: Phrase) -> list[tuple[str, list[re.Match[str]]]]:
    """The words to look up, widest first, each with the qualifiers it adds: the phrase with
    the qualifiers on both sides, with those before it only, with those after it only, and
    alone."""
    left, right = qualifiers(note, phrase)
    named = note[phrase.start : phrase.end]
    out: dict[str, list[re.Match[str]]] = {}
    for before, after in ((left, right), (left, []), ([], right), ([], [])):
        text = " ".join([*(m.group(0) for m in before), named, *(m.group(0) for m in after)])
        out.setdefault(DURATION.sub(" ", text).strip(), [*before, *after])
    return list(out.items())


def evidence_for(
    note: str, phrase: Phrase, used: list[re.Match[str]], words: frozenset[str]
) -> Evidence:
    """The note's words that justify a code: the condition and the qualifiers around it that
    the index entry holds ("type 2 diabetes mellitus with stage 3a chronic kidney disease")."""
    spots = [(phrase.start, phrase.end)]
    spots += [(m.start(), m.end()) for m in used if stems(m.group(0)) & words]
    start, end = min(a for a, _ in spots), max(b for _, b in spots)
    return Evidence(start=start, end=end, text=note[start:end])


def qualifiers(note: str, phrase: Phrase) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """The words around a phrase in its sentence that may qualify it: up to four before it and,
    after it, what follows up to a stop ("due to E. coli", "of the right knee" and a short part
    after a comma, "atrial fibrillation, paroxysmal", go on)."""
    begin, end = phrase.sentence
    left: list[re.Match[str]] = []
    for match in reversed(list(WORD.finditer(note, begin, phrase.start))):
        word = match.group(0)
        if word in PUNCTUATION or word.lower() in STOP or len(left) == LEFT_WORDS:
            break
        left.insert(0, match)
    right: list[re.Match[str]] = []
    tokens = list(WORD.finditer(note, phrase.end, end))
    for n, match in enumerate(tokens):
        word = match.group(0)
        if word == ",":
            part = next(
                (i for i in range(n + 1, len(tokens)) if tokens[i].group(0) in PUNCTUATION),
                len(tokens),
            )
            if not 0 < part - n - 1 <= AFTER_COMMA:
                break
            continue
        if word in PUNCTUATION or word.lower() in STOP or len(right) == RIGHT_WORDS:
            break
        right.append(match)
    return left, right
