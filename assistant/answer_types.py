"""The answer shape every surface returns: CLI, REST API and widget."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    n: int
    passage_id: str
    source: str
    title: str
    section: str | None = None
    page: int | None = None
    code: str | None = None
    version: str
    edition: str = Field("", description='The source edition quoted ("FY2026", "2025-10").')
    text: str


class CodeCheck(BaseModel):
    code: str
    system: str | None
    title: str | None
    billable: bool
    valid: bool
    version: str | None = Field(description="The edition it was checked in.")
    note: str | None = Field(
        None, description="With a date of service: its standing in the edition in effect then."
    )


class Missing(BaseModel):
    """A source a question needs that is not loaded."""

    name: str
    needs: str = Field(description="The file or data set that would answer it.")
    offered_at: str = Field(description="Where its publisher offers it.")


class Answer(BaseModel):
    answer: str = Field(description="Markdown; citation markers [n] refer to `citations`.")
    citations: list[Citation]
    codes: list[CodeCheck]
    mode: Literal["extractive", "llm"]
    warnings: list[str] = []
    versions: list[str] = Field(default_factory=list, description="Code-set versions used.")
    missing: list[Missing] = Field(
        default_factory=list, description="Sources the question needs that are not loaded."
    )
    date_of_service: str | None = Field(
        None, description="The date codes were checked for (the edition in effect then)."
    )
