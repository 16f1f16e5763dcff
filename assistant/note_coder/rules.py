"""The coding conventions applied over a note's codes once each is read: combination codes
(I.B.9), hypertension's presumed links (I.C.9.a), the most specific code (I.B.2), symptoms a
diagnosis explains (I.B.4, I.B.5) and the order of the codes."""

from __future__ import annotations

import re
from datetime import date

from assistant.catalog import Catalog
from assistant.check.instructions import COMPANIONS
from assistant.check.notes import references
from assistant.codes import to_key
from assistant.note_coder.model import Assertion, Evidence, NotCoded, Suggestion
from assistant.note_coder.phrases import Phrase, in_assessment
from assistant.text import stems
from assistant.validity import VALIDITY


def combinations(
    catalog: Catalog,
    note: str,
    codes: list[Suggestion],
    words: dict[str, frozenset[str]],
    where: dict[tuple[int, int], Phrase],
) -> tuple[list[Suggestion], list[NotCoded]]:
    """A condition the index already names in another code of the same sentence is part
    of that combination code and is not coded again ("iron deficiency anemia secondary to
    chronic blood loss" is D50.0 alone, "type 1 diabetes with hyperglycemia" E10.65 alone:
    guideline I.B.9), unless the combination code's "use additional code" or "code also"
    note asks for it (E11.22 asks for the stage of the kidney disease, N18.-)."""

    def phrase(e: Evidence) -> Phrase:
        return where[(e.start, e.end)]

    dropped: set[str] = set()
    parts: list[NotCoded] = []
    for part in codes:
        spots = [phrase(e) for e in part.evidence]
        whole = next(
            (c for c in codes
             if c is not part and c.code not in dropped and c.code in words
             and all(stems(note[p.start : p.end]) <= words[c.code]
                     and any(p.sentence == phrase(x).sentence for x in c.evidence)
                     for p in spots)
             and not asks_for(catalog, c.code, part.code)),
            None,
        )  # fmt: skip
        if whole is None:
            continue
        dropped.add(part.code)
        whole.evidence.extend(part.evidence)
        why = f"part of the combination code {whole.code} {whole.title} (guideline I.B.9)"
        parts += left_out(part, why)
    return [c for c in codes if c.code not in dropped], parts


def asks_for(catalog: Catalog, code: str, other: str) -> bool:
    """Whether a code's "use additional code" or "code also" notes, its own or inherited,
    name the other code's category: E11.22 asks for the stage (N18.1-N18.6), and N18.9
    is what says it is not documented."""
    key = to_key(code)
    keys = [key, *(str(r["key"]) for r in catalog.ancestors("icd10cm", key))]
    notes = catalog.notes_at("icd10cm", keys)
    refs = [r for _, kind, text in notes if kind in COMPANIONS for r in references(text)]
    category = to_key(other)[:3]
    return any(r.low[:3] <= category <= r.high[:3] for r in refs)


def hypertension(catalog: Catalog, codes: list[Suggestion], day: date) -> list[Suggestion]:
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
    row = catalog.code_row("icd10cm", to_key(code))
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


# sections that report findings or the patient's complaint, not diagnoses
FINDINGS = re.compile(
    r"exam|objective|physical|vital|review of systems|\bros\b|lab|imaging|radiolog|x-ray|"
    r"\bct\b|mri|ultrasound|ecg|ekg|finding|complaint|reason for",
    re.I,
)
# the body systems whose diagnoses a block of symptom codes belongs to (chapter 18's own
# grouping): a symptom in a block is routine for a diagnosis of those systems
SYMPTOM_SYSTEMS = [
    ("R00", "R03", "I"), ("R04", "R06", "J"), ("R07", "R09", "IJ"), ("R10", "R19", "K"),
    ("R20", "R23", "L"), ("R25", "R29", "GM"), ("R30", "R39", "N"), ("R40", "R46", "FG"),
    ("R47", "R49", "FGI"), ("R50", "R69", "ABJ"),
]  # fmt: skip


def left_out(s: Suggestion, why: str, assertion: Assertion | None = None) -> list[NotCoded]:
    """A code's words, each reported as not coded, and why."""
    said = assertion or s.assertion
    return [
        NotCoded(text=e.text, start=e.start, end=e.end, assertion=said, why=why) for e in s.evidence
    ]


def current(s: Suggestion) -> bool:
    """A condition the patient has now: not a history or status code."""
    return s.assertion in ("present", "uncertain") and not s.code.startswith("Z")


def integral(
    codes: list[Suggestion], symptoms: set[str], where: dict[tuple[int, int], Phrase]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """Symptoms routinely part of a coded diagnosis of the same body system are not coded
    with it (guidelines I.B.4, I.B.5); others are. A symptom the assessment lists as a
    diagnosis of its own (a line to itself: "3. Repeated falls.") is the physician's call and
    is coded (I.B.6)."""
    definitive = [s for s in codes if current(s) and s.code not in symptoms]

    def own_line(s: Suggestion, cause: Suggestion) -> bool:
        spots = [where[(e.start, e.end)] for e in s.evidence]
        theirs = {where[(e.start, e.end)].sentence for e in cause.evidence}
        return any(in_assessment(p) and p.sentence not in theirs for p in spots)

    kept, dropped = [], []
    for s in codes:
        systems = next((sys for low, high, sys in SYMPTOM_SYSTEMS if low <= s.code[:3] <= high), "")
        cause = next((d for d in definitive if d.code[:1] in systems), None)
        if s.code.startswith("R") and cause is not None and not own_line(s, cause):
            why = f"a symptom of {cause.code} {cause.title}: not coded with it (I.B.5)"
            dropped += left_out(s, why, "present")
        else:
            kept.append(s)
    return kept, dropped


VAGUE = ("without complications", "unspecified")


def most_specific(
    codes: list[Suggestion], where: dict[tuple[int, int], Phrase]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """Of two codes of one category, the one the assessment names wins over one read only
    elsewhere in the note (sickle-cell crisis in the impression, not the history's sickle-cell
    disease); otherwise an unspecified or "without complications" code is left out when the
    note gives a more specific one (E11.9 beside E11.22: guideline I.B.2)."""

    def assessed(s: Suggestion) -> bool:
        return any(in_assessment(where[(e.start, e.end)]) for e in s.evidence)

    def outranks(o: Suggestion, s: Suggestion) -> bool:
        if assessed(o) != assessed(s):
            return assessed(o)
        vague = [any(v in x.title.lower() for v in VAGUE) for x in (o, s)]
        return vague == [False, True]

    kept, dropped = [], []
    for s in codes:
        better = next(
            (o for o in codes if o is not s and o.code[:3] == s.code[:3] and outranks(o, s)),
            None,
        )
        if better is not None:
            why = f"{better.code} says more of the same condition (guideline I.B.2)"
            dropped += left_out(s, why)
            better.evidence.extend(s.evidence)
        else:
            kept.append(s)
    return kept, dropped


def assessed_symptoms(
    codes: list[Suggestion], where: dict[tuple[int, int], Phrase], symptoms: set[str]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """When the assessment (impression, final diagnoses) names what the visit is coded for, a
    symptom the note names only elsewhere (the complaint, the history of the illness, the
    course) is what that assessment accounts for: it is not coded (guidelines I.B.5, IV.D).
    Nor is a finding of the examination, the labs or the imaging the assessment does not take
    up (III.B). A symptom the assessment itself names is coded."""

    def named_there(s: Suggestion) -> bool:
        return any(in_assessment(where[(e.start, e.end)]) for e in s.evidence)

    def found_only(s: Suggestion) -> bool:
        return all(FINDINGS.search(where[(e.start, e.end)].section) for e in s.evidence)

    diagnosis = next((s for s in codes if current(s) and named_there(s)), None)
    if diagnosis is None:
        return codes, []
    kept, dropped = [], []
    for s in codes:
        if (s.code in symptoms or found_only(s)) and not named_there(s):
            what = "a symptom" if s.code in symptoms else "a finding or complaint"
            why = f"{what} the assessment accounts for with {diagnosis.code}: not coded (I.B.5)"
            dropped += left_out(s, why, "present")
        else:
            kept.append(s)
    return kept, dropped


def most_specific_reading(
    codes: list[Suggestion], paths: dict[str, str]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """A code read from a main term alone ("Pain" -> R52) gives way to one read further down
    the same main term ("Pain > chest" -> R07.9): the note's bare word names the condition the
    fuller words specify (guideline I.B.2)."""
    kept, dropped = [], []
    for s in codes:
        path = paths.get(s.code, "")
        fuller = next(
            (o for o in codes
             if o is not s and " > " not in path and path
             and paths.get(o.code, "").startswith(path + " > ")),
            None,
        )  # fmt: skip
        if fuller is None:
            kept.append(s)
            continue
        why = f"{fuller.code} names this {path.split(' (')[0].lower()} more fully (I.B.2)"
        dropped += left_out(s, why)
    return kept, dropped


def order(codes: list[Suggestion], where: dict[tuple[int, int], Phrase]) -> list[Suggestion]:
    """Codes whose words sit in the assessment, impression or diagnoses come first; then in the
    note's order."""
    first_section = {spot: in_assessment(p) for spot, p in where.items()}

    def rank(s: Suggestion) -> tuple[int, int]:
        spots = [(e.start, e.end) for e in s.evidence]
        assessed = any(first_section.get(spot, False) for spot in spots)
        return (0 if assessed else 1, min(e.start for e in s.evidence))

    return sorted(codes, key=rank)
