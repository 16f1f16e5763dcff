"""Request and response models of the REST API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class MessageIn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(min_length=1)


class ChatRequest(BaseModel):
    messages: list[MessageIn] = Field(min_length=1)
    stream: bool = False
    use_llm: bool = True
    date_of_service: date | None = Field(
        None,
        description="YYYY-MM-DD (default: today in the server's time zone): codes are checked "
        "against the edition in effect then.",
    )


class CompletionMessage(BaseModel):
    role: Literal["user", "assistant", "system", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None


class CompletionRequest(BaseModel):
    model: str = "medcode"
    messages: list[CompletionMessage] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None
    date_of_service: date | None = Field(
        None,
        description="medcode's own field (extra_body with the openai client): YYYY-MM-DD, "
        "default today in the server's time zone; codes are checked in that edition.",
    )


class Standing(BaseModel):
    """A code on a date of service."""

    code: str
    system: str
    date_of_service: str
    edition: str = Field(description="The edition in effect on that date, e.g. FY2027.")
    valid: bool | None = Field(
        description="null: not checked (another code set, or a date outside FY2016-FY2027)"
    )
    titles: str | None = Field(description="The edition of the title loaded, if any.")
    message: str
    replacements: list[str] = Field(description="Valid codes to report instead, if not valid.")


class ChangePublic(BaseModel):
    code: str
    title: str | None = Field(description="null: not in the loaded titles")
    under: list[str] = Field(description="The nearest loaded ancestor: [code, title].")
    replaced_by: list[str] = Field(description="For a deleted code: new codes extending it.")


class ChangesPublic(BaseModel):
    system: str
    from_edition: str
    to_edition: str
    added: list[ChangePublic]
    deleted: list[ChangePublic]
    source: str
    note: str


class CodePublic(BaseModel):
    system: str
    code: str
    title: str = Field(description="Empty when the code's edition has no titles loaded.")
    billable: bool
    level: str
    version: str
    parents: list[list[str]]  # [code, title]; plain lists document better than tuples
    children: list[list[str]]
    notes: list[list[str]]  # [code the note belongs to, kind, text]
    mappings: list[list[str]]  # [system, code, flags]
    on_date: Standing | None = Field(
        None, description="With date_of_service: the code's standing on that date."
    )


class PassagePublic(BaseModel):
    passage_id: str
    source: str
    system: str
    kind: str
    code: str | None
    codes: list[str]
    title: str
    section: str | None
    page: int | None
    trail: str | None
    version: str
    edition: str = Field(description='The source edition: "FY2026", "2025-10"; "" if only one.')
    text: str


class PassageWithContext(PassagePublic):
    before: PassagePublic | None
    after: PassagePublic | None


class HitPublic(PassagePublic):
    score: float
    reportable_on_date: bool | None = Field(
        None,
        description="For an ICD-10-CM or ICD-10-PCS code passage: whether its code may be "
        "reported on the date of service (false for a category header or a deleted code); "
        "null for other passages and code sets.",
    )


class SearchPublic(BaseModel):
    query: str
    date_of_service: str = Field(description="The date whose editions were searched.")
    editions: list[str] = Field(description='The source editions searched: "source@edition".')
    hits: list[HitPublic]
    warnings: list[str]


class SourcePublic(BaseModel):
    name: str
    edition: str = Field(description='"FY2026", "2025-10"; "" for a source with one edition.')
    shelf: str = Field(description='The source edition as searched: "icd10pcs-tables@FY2025".')
    in_use: bool = Field(
        description="Read by default (the newest loaded edition of its source); false: an "
        "older edition kept beside it, read for its dates of service"
    )
    version: str
    checksum: str
    loader: str
    records: int
    passages: int
    loaded_at: str
    in_effect: str | None = Field(
        None, description="For a code set: the edition in effect today (server time zone)."
    )
    current: bool | None = Field(None, description="Whether the loaded edition is that one.")
    currency: str | None = Field(None, description="What to load when it is not.")
