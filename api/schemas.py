"""Request and response models of the REST API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class MessageIn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(min_length=1)


class ChatRequest(BaseModel):
    messages: list[MessageIn] = Field(min_length=1)
    stream: bool = False
    use_llm: bool = True


class CompletionMessage(BaseModel):
    role: Literal["user", "assistant", "system", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None


class CompletionRequest(BaseModel):
    model: str = "medcode"
    messages: list[CompletionMessage] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None


class CodePublic(BaseModel):
    system: str
    code: str
    title: str
    billable: bool
    level: str
    version: str
    parents: list[list[str]]  # [code, title]; plain lists document better than tuples
    children: list[list[str]]
    notes: list[list[str]]  # [code the note belongs to, kind, text]
    mappings: list[list[str]]  # [system, code, flags]


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
    text: str


class PassageWithContext(PassagePublic):
    before: PassagePublic | None
    after: PassagePublic | None


class HitPublic(PassagePublic):
    score: float


class SearchPublic(BaseModel):
    query: str
    hits: list[HitPublic]
    warnings: list[str]


class SourcePublic(BaseModel):
    name: str
    version: str
    path: str
    checksum: str
    loader: str
    records: int
    passages: int
    loaded_at: str
