"""Excludes1 between two codes of an encounter (guideline I.A.12.a): a note printed at a code,
or inherited from its subcategory, category, block or chapter, that names the other code. Such
a pair is an error; Excludes2 ("not included here") is not."""

from __future__ import annotations

from itertools import combinations

from assistant.check.context import Context
from assistant.check.model import Finding
from assistant.check.notes import notes


def check(ctx: Context) -> list[Finding]:
    lines = [x for x in ctx.diagnoses if x.system == "icd10cm"]
    held = {x.where: notes(ctx, x, "excludes1") for x in lines}
    found = []
    for a, b in combinations(lines, 2):
        if a.key == b.key:
            continue  # the same code twice is the duplicate rule's
        for first, second in ((a, b), (b, a)):
            note = next((n for n in held[first.where] if n.names(second.key)), None)
            if note is None:
                continue
            message = (
                f"{first.code} and {second.code} are not coded together: an Excludes1 note at "
                f'{note.code} names {second.code} ("{note.naming(second.key)}"). The exception: '
                "two conditions that are unrelated to each other may both be coded (guideline "
                "I.A.12.a)"
            )
            cited = [ctx.code_passage("icd10cm", note.code), ctx.guideline("I.A.12.a")]
            found.append(ctx.finding("error", "excludes1", message, [first, second], cited))
            break
    return found
