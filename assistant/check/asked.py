"""A chat question that is a check in disguise ("can I code E10.9 with E11.9?", "which DRG for
I21.4 with J96.01?"): the codes it names become an encounter, the checker runs, and the answer
says what the findings say, citing what they cite. The question gives no age or sex, so the
edits that turn on them are left out and the answer says so."""

from __future__ import annotations

import re
from datetime import date

from assistant.catalog import Catalog
from assistant.check import any_passage, check
from assistant.check.model import Diagnosis, Encounter, Patient, Procedure, Report
from assistant.citations import Citations
from assistant.errors import InvalidField
from assistant.query import Query

TOGETHER = re.compile(
    r"\b(?:with|together|and|both|along ?side|same (?:claim|encounter|day|stay))\b", re.I
)
GROUPING = re.compile(r"\b(?:ms-?drg|drg|mcc|cc|hcc|risk adjust\w*|group\w*)\b", re.I)
ASKING = re.compile(
    r"\b(?:can|could|may|is it|allowed|ok(?:ay)?|excludes ?1?|bundl\w*|sequenc\w*|which|what|"
    r"does|do|be (?:billed|coded|reported|used))\b",
    re.I,
)
INPATIENT = re.compile(r"\b(?:inpatient|admi(?:tted|ssion)|discharg\w*|ms-?drg|drg|mcc|cc)\b", re.I)
UNSTATED = {"mce_age_conflict", "mce_sex_conflict"}  # the question gives no age or sex
SHOWN = 6  # findings in the answer, errors first


def encounter_for(question: str, query: Query, day: date) -> Encounter | None:
    """The encounter a question describes, or None when it is not asking for a check."""
    diagnoses = [ref.code for ref in query.codes if ref.system == "icd10cm"]
    procedures = [ref.code for ref in query.codes if ref.system in ("icd10pcs", "hcpcs")]
    procedures += list(query.cpt_codes)
    grouping = bool(GROUPING.search(question))
    pair = len(diagnoses) + len(procedures) >= 2 and bool(TOGETHER.search(question))
    asking = bool(ASKING.search(question)) or question.rstrip().endswith("?")
    if not diagnoses or not asking or not (pair or grouping):
        return None
    inpatient = query.setting == "inpatient" or (
        query.setting is None and bool(INPATIENT.search(question))
    )
    try:
        return Encounter(
            date_of_service=day,
            setting="inpatient" if inpatient else "outpatient",
            patient=Patient(age=50, sex="unknown"),
            diagnoses=[Diagnosis(code=c) for c in diagnoses[:25]],
            procedures=[Procedure(code=c) for c in procedures[:50]],
        )
    except (ValueError, InvalidField):  # a named code the check's forms do not take
        return None


def checked(catalog: Catalog, question: str, query: Query, day: date) -> Report | None:
    encounter = encounter_for(question, query, day)
    if encounter is None:
        return None
    report = check(catalog, encounter)
    kept = [f for f in report.findings if f.rule not in UNSTATED]
    return report.model_copy(update={"findings": kept})


def check_block(catalog: Catalog, report: Report, cites: Citations) -> str:
    """The findings and the grouping, as lines of an answer, each citing its passages."""
    codes = ", ".join(f.code for f in (report.hcc.entries if report.hcc else []))
    lines = [
        f"Checked as one {report.setting} encounter ({codes}; date of service "
        f"{report.date_of_service}, {report.editions.get('icd10cm', '')}; the patient's age "
        "and sex were not given, so the edits that turn on them were not applied):"
    ]
    serious = [f for f in report.findings if f.severity != "info"]
    for finding in serious[:SHOWN]:
        marks = "".join(
            cites.cite(p) for c in finding.citations if (p := any_passage(catalog, c.passage_id))
        )
        mark = "✖" if finding.severity == "error" else "⚠"
        lines.append(f"- {mark} {finding.message} {marks}".rstrip())
    if not serious:
        lines.append("- No error or warning: the codes may be reported together.")
    if report.drg and report.drg.drg:
        drg = report.drg
        marks = "".join(
            cites.cite(p) for c in drg.citations if (p := any_passage(catalog, c.passage_id))
        )
        drivers = "; ".join(f"{d.code}: {d.why}" for d in drg.drivers) or "no CC or MCC"
        lines.append(
            f"- MS-DRG {drg.drg} {drg.title} (grouper {drg.grouper}, with {codes.split(', ')[0]} "
            f"as principal): {drivers} {marks}".rstrip()
        )
    mapped = [e for e in report.hcc.entries if e.hcc] if report.hcc else []
    if mapped and report.hcc:
        marks = "".join(
            cites.cite(p)
            for e in mapped
            for c in e.citations
            if (p := any_passage(catalog, c.passage_id))
        )
        held = ", ".join(f"{e.code} {e.hcc} ({e.label})" for e in mapped)
        # (the model's name, "V28", would read as an ICD-10-CM category in an answer)
        lines.append(f"- CMS-HCC, payment year {report.hcc.payment_year}: {held} {marks}")
    return "\n".join(lines)
