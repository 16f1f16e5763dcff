"""Code a clinical note, extractively: find each condition the note names (reading.py), decide
whether it is there, ruled out, uncertain, past or a relative's, look its words and their
qualifiers up in the Alphabetic Index the way a coder does (the phrase with the words around
it, so that "type 2 diabetes mellitus with diabetic chronic kidney disease" reaches the
combination code), confirm the code is reportable on the date of service, and check the result
as an encounter. Every code shows the note's own words that justify it.

Setting rules: an uncertain diagnosis is not coded in an outpatient note (guideline IV.H: its
symptoms are); in an inpatient note it is coded as if established at discharge (II.H, III.C).
The note is never logged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.check import check
from assistant.check.model import Diagnosis, Encounter, Patient
from assistant.citations import Citations
from assistant.codes import to_key
from assistant.editions import edition
from assistant.index import Index
from assistant.note_coder.model import (
    Assertion,
    CodedNote,
    Evidence,
    NotCoded,
    NoteRequest,
    Suggestion,
)
from assistant.note_coder.reading import HEADER, Mention, reader_for
from assistant.note_coder.vocabulary import condition_terms, variants
from assistant.validity import VALIDITY

JOINED = re.compile(r"^[\s-]*(?:\d{1,2}[a-z]?)?[\s-]*$")  # "type 2 diabetes", "non-ST"
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/-]*|[,;:.()]")
STOP = {
    "and", "or", "on", "for", "to", "due", "secondary", "in", "at", "from", "by", "was", "is",
    "are", "were", "treated", "continue", "who", "that", "which", "but", "as", "after",
    "since", "has", "have", "had", "presents", "presented", "seen", "also", "not", "no",
}  # fmt: skip
LEFT_WORDS = 3
RIGHT_WORDS = 8
FIRST_SECTIONS = ("assessment", "impression", "diagnos", "plan")
WHY = {
    "negated": "negated in the note",
    "historical": "a past condition, not current",
    "family": "a relative's condition (a family history code may apply)",
    "uncertain": "uncertain in an outpatient setting: code the symptoms instead (guideline IV.H)",
}


@dataclass
class Phrase:
    start: int
    end: int
    assertion: Assertion
    section: str
    sentence: tuple[int, int]


def phrases(note: str, mentions: list[Mention]) -> list[Phrase]:
    """Mentions next to each other read as one phrase ("chronic obstructive pulmonary
    disease"); mentions inside a heading ("DISCHARGE SUMMARY:") are not conditions."""
    headings = [(m.start(), m.end()) for m in HEADER.finditer(note)]
    out: list[Phrase] = []
    for m in mentions:
        if any(a <= m.start < b for a, b in headings):
            continue
        if note[m.start - 1 : m.start] == "-" or note[m.end : m.end + 1] == "-":
            continue  # a part of a compound word ("62-year-old", "community-acquired")
        last = out[-1] if out else None
        if last and last.sentence == m.sentence and JOINED.match(note[last.end : m.start]):
            last.end, last.assertion = m.end, m.assertion
        else:
            out.append(Phrase(m.start, m.end, m.assertion, m.section, m.sentence))
    return out


def windows(note: str, phrase: Phrase) -> list[str]:
    """The words to look up, widest first: the phrase with the qualifiers on both sides, with
    those before it only, with those after it only, and alone."""
    both = window(note, phrase)
    named = note[phrase.start : phrase.end]
    left, _, right = both.partition(named)
    return [both, f"{left}{named}".strip(), f"{named}{right}".strip(), named]


def window(note: str, phrase: Phrase) -> str:
    """The phrase with the qualifiers around it in its sentence: up to three words before it
    and, after it, what follows up to a stop ("with ..." and "of the right knee" go on)."""
    begin, end = phrase.sentence
    before = [w for w in WORD.findall(note[begin : phrase.start])]
    left: list[str] = []
    for word in reversed(before):
        if word in ",;:.()" or word.lower() in STOP or len(left) == LEFT_WORDS:
            break
        left.insert(0, word)
    right: list[str] = []
    for word in WORD.findall(note[phrase.end : end]):
        if word in ",;:.()" or word.lower() in STOP or len(right) == RIGHT_WORDS:
            break
        right.append(word)
    return " ".join([*left, note[phrase.start : phrase.end], *right])


class NoteCoder:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.catalog = index.catalog

    def code(self, request: NoteRequest) -> CodedNote:
        note, day = request.note, request.date_of_service
        reader = reader_for(self.catalog, lambda: condition_terms(self.catalog))
        found = phrases(note, reader.read(note))
        codes: dict[str, Suggestion] = {}
        not_coded: list[NotCoded] = []
        cites = Citations()
        for phrase in found:
            named = note[phrase.start : phrase.end]
            coded_as = self.codable(phrase, request.setting)
            if coded_as is None:
                why = WHY[phrase.assertion]
                not_coded.append(
                    NotCoded(text=named, start=phrase.start, end=phrase.end,
                             assertion=phrase.assertion, why=why)
                )  # fmt: skip
                continue
            # the words with their qualifiers first; the condition's own words when those lead
            # nowhere the note's condition names
            tries = dict.fromkeys(windows(note, phrase))
            picked = next((got for w in tries if (got := self.pick(w, named, day))), None)
            if picked is None:
                continue
            evidence = Evidence(start=phrase.start, end=phrase.end, text=named)
            if picked[0] in codes:
                codes[picked[0]].evidence.append(evidence)
            else:
                codes[picked[0]] = self.suggestion(picked, evidence, coded_as, day, cites)
        combined = self.hypertension(list(codes.values()), day)
        specific, vaguer = most_specific(combined)
        kept, symptoms = integral(specific)
        ordered = order(kept, found)
        return CodedNote(
            codes=ordered,
            not_coded=not_coded + vaguer + symptoms,
            findings=self.checked(request, ordered),
            editions={"icd10cm": edition(day)},
        )

    def suggestion(
        self,
        picked: tuple[str, str, str, bool],
        evidence: Evidence,
        assertion: Assertion,
        day: date,
        cites: Citations,
    ) -> Suggestion:
        code, title, reason, whole = picked
        passage_id = self.catalog.own_passage_id("icd10cm", code, None)
        passage = self.catalog.passage(passage_id) if passage_id else None
        cited = []
        if passage is not None:
            n = int(cites.cite(passage).strip("[]"))
            cited = [cites.items[n - 1]]
        return Suggestion(
            code=code,
            title=title,
            edition=edition(day),
            evidence=[evidence],
            assertion=assertion,
            reason=reason,
            citations=cited,
            confidence=0.8 if whole else 0.5,
        )

    def hypertension(self, codes: list[Suggestion], day: date) -> list[Suggestion]:
        """Hypertension with chronic kidney disease or heart failure is coded as the
        combination the classification presumes (guideline I.C.9.a): I12, I11 or I13 in place
        of I10, with the CKD stage and the heart failure still coded beside it."""
        plain = next((s for s in codes if s.code == "I10"), None)
        kidney = [s for s in codes if s.code.startswith("N18")]
        heart = [s for s in codes if s.code.startswith("I50")]
        if plain is None or not (kidney or heart):
            return codes
        end_stage = any(s.code in ("N18.5", "N18.6") for s in kidney)
        if kidney and heart:
            code = "I13.2" if end_stage else "I13.0"
        elif kidney:
            code = "I12.0" if end_stage else "I12.9"
        else:
            code = "I11.0"
        row = self.catalog.code_row("icd10cm", to_key(code))
        if row is None or not VALIDITY.valid("icd10cm", to_key(code), day):
            return codes
        linked = ", ".join(s.code for s in [*kidney, *heart])
        combined = plain.model_copy(
            update={
                "code": code,
                "title": str(row["title"]),
                "reason": f"hypertension with {linked}: the classification presumes the link "
                f"(guideline I.C.9.a); {plain.reason}",
                "citations": [],
            }
        )
        return [combined if s is plain else s for s in codes]

    @staticmethod
    def codable(phrase: Phrase, setting: str) -> Assertion | None:
        """The assertion a coded phrase carries, or None when it is not coded."""
        if phrase.assertion == "present":
            return "present"
        if phrase.assertion == "uncertain" and setting == "inpatient":
            return "uncertain"
        return None

    def pick(self, words: str, named: str, day: date) -> tuple[str, str, str, bool] | None:
        """The first reportable code the Alphabetic Index leads the words to through a main
        term the note itself names (a coder starts from the condition, not from a word around
        it), with its title, that index path and whether the entry holds every word."""
        found, whole = self.index.searcher.derived.lookup.search(words, "icd10cm", 12)
        heads = {w.lower() for w in WORD.findall(named)}
        for system, code in found:
            key = to_key(code)
            if not VALIDITY.valid(system, key, day):
                continue
            path = next((p for p in self.catalog.index_paths(code) if starts_with(p, heads)), None)
            if path is None:
                continue
            row = self.catalog.code_row(system, key)
            title = str(row["title"]) if row is not None else ""
            return code, title, f"Alphabetic Index: {path} -> {code}", whole
        return None

    def checked(self, request: NoteRequest, codes: list[Suggestion]) -> list[Any]:
        if not codes:
            return []
        encounter = Encounter(
            date_of_service=request.date_of_service,
            setting=request.setting,
            patient=request.patient or Patient(age=50),
            diagnoses=[Diagnosis(code=s.code) for s in codes[:25]],
        )
        findings = check(self.catalog, encounter).findings
        unstated = {"mce_age_conflict", "mce_sex_conflict"} if request.patient is None else set()
        return [f for f in findings if f.rule not in unstated]


# the body systems whose diagnoses a block of symptom codes belongs to (chapter 18's own
# grouping): a symptom in a block is routine for a diagnosis of those systems
SYMPTOM_SYSTEMS = [
    ("R00", "R09", "IJ"), ("R10", "R19", "K"), ("R20", "R23", "L"), ("R25", "R29", "GM"),
    ("R30", "R39", "N"), ("R40", "R46", "FG"), ("R47", "R49", "FGI"), ("R50", "R69", "ABJ"),
]  # fmt: skip


def integral(codes: list[Suggestion]) -> tuple[list[Suggestion], list[NotCoded]]:
    """Symptoms routinely part of a coded diagnosis of the same body system are not coded
    with it (guidelines I.B.4, I.B.5); others are."""
    definitive = [s for s in codes if not s.code.startswith(("R", "Z"))]
    kept, dropped = [], []
    for s in codes:
        systems = next((sys for low, high, sys in SYMPTOM_SYSTEMS if low <= s.code[:3] <= high), "")
        cause = next((d for d in definitive if d.code[:1] in systems), None)
        if s.code.startswith("R") and cause is not None:
            for e in s.evidence:
                why = f"a symptom of {cause.code} {cause.title}: not coded with it (I.B.5)"
                dropped.append(
                    NotCoded(text=e.text, start=e.start, end=e.end, assertion="present", why=why)
                )
        else:
            kept.append(s)
    return kept, dropped


VAGUE = ("without complications", "unspecified")


def most_specific(codes: list[Suggestion]) -> tuple[list[Suggestion], list[NotCoded]]:
    """An unspecified or "without complications" code is left out when the note gives a more
    specific code of the same category (E11.9 beside E11.22: guideline I.B.2)."""
    kept, dropped = [], []
    for s in codes:
        better = next(
            (o for o in codes if o is not s and o.code[:3] == s.code[:3]
             and not any(v in o.title.lower() for v in VAGUE)),
            None,
        )  # fmt: skip
        if better is not None and any(v in s.title.lower() for v in VAGUE):
            why = f"{better.code} says more of the same condition (guideline I.B.2)"
            dropped += [
                NotCoded(text=e.text, start=e.start, end=e.end, assertion=s.assertion, why=why)
                for e in s.evidence
            ]
            better.evidence.extend(s.evidence)
        else:
            kept.append(s)
    return kept, dropped


def starts_with(path: str, heads: set[str]) -> bool:
    """Whether an index path's main term is one of the words the note used."""
    return bool(heads & set(variants(path.split(" > ")[0])))


def order(codes: list[Suggestion], found: list[Phrase]) -> list[Suggestion]:
    """Codes whose words sit in the assessment, impression or diagnoses come first; then in the
    note's order."""
    first_section = {(p.start, p.end): any(s in p.section for s in FIRST_SECTIONS) for p in found}

    def rank(s: Suggestion) -> tuple[int, int]:
        spots = [(e.start, e.end) for e in s.evidence]
        in_assessment = any(first_section.get(spot, False) for spot in spots)
        return (0 if in_assessment else 1, min(e.start for e in s.evidence))

    return sorted(codes, key=rank)


def code_note(index: Index, request: NoteRequest) -> CodedNote:
    return NoteCoder(index).code(request)
