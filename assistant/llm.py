"""The chat model: LangChain's ChatOpenAI against any OpenAI-compatible endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answer_types import Citation
from assistant.prompts import prompt
from assistant.settings import Settings


class ChatModel:
    """One required method, ``stream``; ``complete`` builds on it."""

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        raise NotImplementedError

    def complete(self, messages: list[tuple[str, str]]) -> str:
        return "".join(self.stream(messages))


class OpenAIChat(ChatModel):
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        self.model: Any = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout,
            max_tokens=settings.llm_max_tokens,
            max_retries=0,
            temperature=0,
        )

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        for chunk in self.model.stream(messages):
            if isinstance(chunk.content, str) and chunk.content:
                yield chunk.content


class ScriptedChat(ChatModel):
    """A deterministic chat model for tests: replies with the given text, in small pieces."""

    def __init__(self, reply: str, fail: Exception | None = None) -> None:
        self.reply = reply
        self.fail = fail
        self.seen: list[list[tuple[str, str]]] = []

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        self.seen.append(messages)
        if self.fail:
            raise self.fail
        for start in range(0, len(self.reply), 7):
            yield self.reply[start : start + 7]


DELIMITERS = re.compile(r"<<<|>>>|</?\s*passages\s*>", re.I)


def as_data(text: str) -> str:
    """A passage's text with anything that looks like our delimiters defused, so that a
    document cannot close its own block and speak as the user or the system."""
    return DELIMITERS.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def passages_block(citations: list[Citation]) -> str:
    parts = []
    for c in citations:
        where = ", ".join(
            x
            for x in [
                c.source,
                c.version,
                c.section and f"section {c.section}",
                c.page and f"page {c.page}",
            ]
            if x
        )
        parts.append(f"[{c.n}] ({where})\n<<<\n{as_data(c.text)}\n>>>")
    return "<passages>\n" + "\n\n".join(parts) + "\n</passages>"


def answer_messages(
    question: str,
    citations: list[Citation],
    concepts: Sequence[str] = (),
    missing: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """The passages, then what the question was read as: the conditions to cover one by one
    and the sources it needs that are not loaded (the model says so first)."""
    notes = []
    if concepts:
        notes.append("Conditions to cover, each with its code: " + "; ".join(concepts))
    if missing:
        notes.append("Not loaded (the user is told; leave that part): " + "; ".join(missing))
    read = "".join(f"\n{note}" for note in notes)
    user = f"{passages_block(citations)}\n\nQuestion: {question}{read}"
    return [("system", prompt("answer")), ("human", user)]


def rewrite_messages(history: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    convo = "\n".join(f"{role}: {text}" for role, text in history)
    return [("system", prompt("rewrite")), ("human", convo)]
