"""The coding conventions applied over a note's codes once each is read: combination codes
(I.B.9), hypertension's presumed links (I.C.9.a), the most specific code (I.B.2), symptoms a
diagnosis explains (I.B.4, I.B.5) and the order of the codes."""

from __future__ import annotations

from datetime import date

from assistant.catalog import Catalog
from assistant.check.instructions import COMPANIONS
from assistant.check.notes import references
from assistant.codes import to_key
from assistant.note_coder.model import Evidence, NotCoded, Suggestion
from assistant.note_coder.phrases import Phrase
from assistant.text import stems
from assistant.validity import VALIDITY

FIRST_SECTIONS = ("assessment", "impression", "diagnos", "plan")


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
        parts += [
            NotCoded(text=e.text, start=e.start, end=e.end, assertion=part.assertion, why=why)
            for e in part.evidence
        ]
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


def assessed_symptoms(
    codes: list[Suggestion], where: dict[tuple[int, int], Phrase]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """When the assessment (impression, diagnoses) gives a diagnosis, a symptom the note names
    only elsewhere (the complaint, the history of the illness) is what the diagnosis explains:
    it is not coded (guidelines I.B.5, IV.D). A symptom the assessment itself names is."""
    assessed = {spot for spot, p in where.items() if any(s in p.section for s in FIRST_SECTIONS)}

    def in_assessment(s: Suggestion) -> bool:
        return any((e.start, e.end) in assessed for e in s.evidence)

    diagnosis = next(
        (s for s in codes if not s.code.startswith(("R", "Z")) and in_assessment(s)), None
    )
    if diagnosis is None:
        return codes, []
    kept, dropped = [], []
    for s in codes:
        if s.code.startswith("R") and not in_assessment(s):
            why = f"a symptom the assessment explains with {diagnosis.code}: not coded (I.B.5)"
            dropped += [
                NotCoded(text=e.text, start=e.start, end=e.end, assertion="present", why=why)
                for e in s.evidence
            ]
        else:
            kept.append(s)
    return kept, dropped


def order(codes: list[Suggestion], where: dict[tuple[int, int], Phrase]) -> list[Suggestion]:
    """Codes whose words sit in the assessment, impression or diagnoses come first; then in the
    note's order."""
    first_section = {spot: any(s in p.section for s in FIRST_SECTIONS) for spot, p in where.items()}

    def rank(s: Suggestion) -> tuple[int, int]:
        spots = [(e.start, e.end) for e in s.evidence]
        in_assessment = any(first_section.get(spot, False) for spot in spots)
        return (0 if in_assessment else 1, min(e.start for e in s.evidence))

    return sorted(codes, key=rank)
