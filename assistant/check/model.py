"""What an encounter check takes and gives: one set of typed models for the core, the CLI's
JSON, the REST API and (later) the MCP tools."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from assistant.answer_types import Citation
from assistant.codes import systems_for
from assistant.errors import InvalidField, field_path

Setting = Literal["inpatient", "outpatient", "professional"]
Severity = Literal["error", "warning", "info"]
MAX_DIAGNOSES = 25  # the UB-04 holds a principal and 24 other diagnoses
MAX_PROCEDURES = 50  # and an 837 claim a few dozen lines; more is not one encounter
# the forms each list takes, published in the schema and checked with a message that says
# which code set a misplaced code looks like
DIAGNOSIS_FORM = r"^ *[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})? *$"
PROCEDURE_FORM = r"^ *([0-9A-HJ-NP-Za-hj-np-z]{7}|[A-Va-v][0-9]{4}|[0-9]{4}[0-9FTUftu]) *$"
OTHER_SETS = {"icd10pcs": "an ICD-10-PCS", "hcpcs": "an HCPCS", "cpt": "a CPT"}


def diagnosis_form(value: str) -> str:
    if re.fullmatch(DIAGNOSIS_FORM, value):
        return value
    other = next((s for s in systems_for(value) if s in OTHER_SETS), None)
    kind = f"looks like {OTHER_SETS[other]} code" if other else "is not an ICD-10-CM code"
    raise ValueError(f"{value!r} {kind}; diagnoses take ICD-10-CM codes")


def procedure_form(value: str) -> str:
    if re.fullmatch(PROCEDURE_FORM, value):
        return value
    kind = "looks like an ICD-10-CM code" if "icd10cm" in systems_for(value) else "is not a code"
    raise ValueError(f"{value!r} {kind}; procedures take ICD-10-PCS, HCPCS or CPT codes")


def not_text(value: object) -> object:
    """A number as JSON writes it (7 or 7.0), never a string or a boolean."""
    if isinstance(value, str | bool):
        raise ValueError("Input should be a whole number, not text or true/false")
    return value


WholeNumber = Annotated[int, BeforeValidator(not_text)]
DiagnosisCode = Annotated[
    str,
    Field(max_length=12, json_schema_extra={"pattern": DIAGNOSIS_FORM}),
    AfterValidator(diagnosis_form),
]
ProcedureCode = Annotated[
    str,
    Field(max_length=12, json_schema_extra={"pattern": PROCEDURE_FORM}),
    AfterValidator(procedure_form),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored


class Patient(Strict):
    age: WholeNumber = Field(ge=0, le=124, description="Age in years on the date of service.")
    sex: Literal["female", "male", "unknown"] = "unknown"


class Diagnosis(Strict):
    code: DiagnosisCode = Field(description='ICD-10-CM, as written ("I21.4").')
    poa: Literal["Y", "N", "U", "W", "1"] | None = Field(
        None, description="Present on admission (inpatient)."
    )


class Procedure(Strict):
    code: ProcedureCode = Field(description="ICD-10-PCS, HCPCS or CPT.")
    units: WholeNumber = Field(1, ge=1, le=9999)
    modifiers: list[Annotated[str, Field(pattern=r"^[0-9A-Za-z]{2}$")]] = Field(
        default_factory=list, max_length=4
    )


class Encounter(Strict):
    date_of_service: date = Field(description="YYYY-MM-DD; for a stay, the discharge date.")
    setting: Setting
    patient: Patient
    discharge_status: str = Field("01", pattern=r"^\d\d$", description="UB-04 patient status.")
    diagnoses: list[Diagnosis] = Field(
        min_length=1,
        max_length=MAX_DIAGNOSES,
        description="The principal (inpatient) or first-listed diagnosis first.",
    )
    procedures: list[Procedure] = Field(default_factory=list, max_length=MAX_PROCEDURES)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date_of_service": "2026-11-20",
                    "setting": "inpatient",
                    "patient": {"age": 67, "sex": "female"},
                    "discharge_status": "01",
                    "diagnoses": [{"code": "I21.4", "poa": "Y"}, {"code": "J96.01", "poa": "Y"}],
                    "procedures": [{"code": "02703ZZ"}],
                }
            ]
        },
    )


def read_encounter(data: object) -> Encounter:
    """An encounter from parsed JSON, or an error naming the first field that is wrong."""
    try:
        return Encounter.model_validate(data)
    except ValidationError as exc:
        problems = [
            (field_path(tuple(e["loc"])) or "encounter", e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]
        field, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidField(field, message + more) from None


class Finding(BaseModel):
    severity: Severity
    rule: str = Field(description='A stable name ("excludes1", "mce_age_conflict").')
    message: str
    codes: list[str] = Field(description="The codes involved, as written on the encounter.")
    fields: list[str] = Field(
        default_factory=list, description='Where they are ("diagnoses[1].code").'
    )
    citations: list[Citation] = Field(default_factory=list)


class Driver(BaseModel):
    """A secondary diagnosis and what it does to the DRG."""

    code: str
    severity: Literal["CC", "MCC", "NONE"]
    acted: bool = Field(description="Whether it counted (not excluded, not only the principal).")
    why: str


class Drg(BaseModel):
    grouper: str = Field(description='The MS-DRG version used ("v44").')
    drg: str | None
    title: str | None
    mdc: str | None
    mdc_title: str | None
    severity: str
    weight: float | None = Field(None, description="Relative weight, from table 5 when loaded.")
    weight_source: str | None = None
    drivers: list[Driver] = Field(default_factory=list)
    return_code: str
    citations: list[Citation] = Field(default_factory=list)


class HccEntry(BaseModel):
    code: str
    hcc: str | None = Field(description='The CMS-HCC category ("HCC38"), None when unmapped.')
    label: str | None = None
    citations: list[Citation] = Field(default_factory=list)


class Hcc(BaseModel):
    model: str
    payment_year: int
    entries: list[HccEntry]
    dropped: list[str] = Field(
        default_factory=list, description="Categories a higher one in the hierarchy overrides."
    )


class Report(BaseModel):
    date_of_service: str
    setting: Setting
    findings: list[Finding]
    drg: Drg | None = None
    hcc: Hcc | None = None
    editions: dict[str, str] = Field(
        description='What each check used: {"icd10cm": "FY2027 (titles FY2026)", ...}.'
    )
    citations: list[Citation] = Field(default_factory=list, description="Every finding's.")

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
