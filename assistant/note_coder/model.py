"""What coding a note takes and gives, one set of models for the core, the CLI and the API."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.answer_types import Citation
from assistant.check.model import Finding, Patient

MAX_NOTE_CHARS = 20_000  # a long discharge summary; past it, split the note
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # bytes no text holds (tabs and line ends do)
# what a note may be, published in the schema: text with one visible character at least
NOTE_FORM = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"
Assertion = Literal["present", "negated", "uncertain", "historical", "family"]


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        min_length=1,
        max_length=MAX_NOTE_CHARS,
        description="The clinical note.",
        json_schema_extra={"pattern": NOTE_FORM},
    )
    setting: Literal["inpatient", "outpatient"] = "outpatient"
    date_of_service: date = Field(description="YYYY-MM-DD; for a stay, the discharge date.")
    patient: Patient | None = None

    @field_validator("note")
    @classmethod
    def readable(cls, value: str) -> str:
        if re.search(f"[{CONTROL}]", value):
            raise ValueError("the note holds binary data, not text")
        if not value.strip():
            raise ValueError("the note is empty")
        return value


class Evidence(BaseModel):
    start: int = Field(description="Character offset into the note where the words begin.")
    end: int = Field(description="Character offset just past them.")
    text: str = Field(description="The note's own words, exactly note[start:end].")


class Suggestion(BaseModel):
    code: str
    title: str
    edition: str = Field(description="The code-set edition it was checked in.")
    evidence: list[Evidence]
    assertion: Assertion
    reason: str = Field(description="How the words lead to the code: the index path or note.")
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)


class NotCoded(BaseModel):
    text: str
    start: int
    end: int
    assertion: Assertion
    why: str


class CodedNote(BaseModel):
    codes: list[Suggestion] = Field(description="Principal or first-listed first.")
    not_coded: list[NotCoded]
    findings: list[Finding] = Field(description="The encounter check run over the codes.")
    mode: Literal["extractive", "llm"] = "extractive"
    warnings: list[str] = Field(default_factory=list)
    editions: dict[str, str] = Field(default_factory=dict)
