"""The Tabular List's sequencing and companion notes (guidelines I.A.13, I.A.17, I.B.7): a
manifestation code ("in diseases classified elsewhere") is never first and follows its
etiology; a "code first" note's condition, when on the encounter, comes before the code; a
"use additional code" or "code also" note whose codes are all absent is worth a look."""

from __future__ import annotations

from assistant.check.context import Context, Line
from assistant.check.model import Finding, Severity
from assistant.check.notes import Note, is_manifestation, notes

COMPANIONS = {"use_additional": "use additional code", "code_also": "code also"}


def check(ctx: Context) -> list[Finding]:
    lines = [x for x in ctx.diagnoses if x.system == "icd10cm"]
    found: list[Finding] = []
    for place, line in enumerate(lines):
        manifestation = is_manifestation(ctx, line)
        if manifestation and place == 0:
            found.append(first_listed(ctx, line))
        for note in notes(ctx, line, "code_first"):
            found += code_first(ctx, lines, place, note, manifestation)
        for kind in COMPANIONS:
            for note in notes(ctx, line, kind):
                found += companion(ctx, lines, line, note)
    return found


def first_listed(ctx: Context, line: Line) -> Finding:
    role = "principal" if ctx.inpatient else "first-listed"
    message = (
        f'{line.code} is a manifestation code ("in diseases classified elsewhere"): it is '
        f"never the {role} diagnosis; its underlying condition is coded first (guideline I.A.13)"
    )
    cited = [ctx.code_passage("icd10cm", line.code), ctx.guideline("I.A.13")]
    return ctx.finding("error", "manifestation_first", message, [line], cited)


def code_first(
    ctx: Context, lines: list[Line], place: int, note: Note, manifestation: bool
) -> list[Finding]:
    line = lines[place]
    named = [x for x in lines if x is not line and note.names(x.key)]
    cited = [ctx.code_passage("icd10cm", note.code), ctx.guideline("I.A.13")]
    later = [x for x in named if lines.index(x) > place]
    if named and len(later) == len(named):
        message = (
            f'{line.code} carries a "code first" note at {note.code} ("{note.text}"): '
            f"sequence {', '.join(x.code for x in later)} before it"
        )
        return [ctx.finding("warning", "code_first_order", message, [line, *later], cited)]
    if not named and manifestation and note.refs:
        message = (
            f'{line.code} is a manifestation code; its "code first" note at {note.code} '
            f'("{note.text}") names none of the encounter\'s codes: code the underlying '
            "condition first"
        )
        return [ctx.finding("warning", "etiology_missing", message, [line], cited)]
    return []


def companion(ctx: Context, lines: list[Line], line: Line, note: Note) -> list[Finding]:
    if not note.refs or any(note.names(x.key) for x in lines if x is not line):
        return []
    said = COMPANIONS[note.kind]
    # "if applicable", or printed for a whole block or chapter (the tobacco-use notes): a hint
    general = "-" in note.holder or note.holder.isdigit()
    severity: Severity = "info" if note.if_applicable or general else "warning"
    message = (
        f'{line.code}: "{said}" note at {note.code} ("{note.text}"); none of the codes it '
        "names is on the encounter"
    )
    section = "I.A.17" if note.kind == "code_also" else "I.A.13"
    cited = [ctx.code_passage("icd10cm", note.code), ctx.guideline(section)]
    return [ctx.finding(severity, f"{note.kind}_absent", message, [line], cited)]
