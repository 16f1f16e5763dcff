"""A streamed answer as typed events: the passages cited, pieces of text, the final answer, or
a failure once the stream has begun. ``kind`` is the event's name on the wire (server-sent
events of /v1/chat)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from assistant.answer_types import Answer, Citation
from assistant.errors import MedcodeError


@dataclass(frozen=True)
class Cited:
    """The passages the answer may cite, numbered as its markers [n] are; sent first."""

    citations: list[Citation]
    kind: ClassVar[str] = "citations"

    def payload(self) -> object:
        return [c.model_dump() for c in self.citations]


@dataclass(frozen=True)
class Delta:
    """A piece of the answer's text, already checked against the catalog."""

    text: str
    kind: ClassVar[str] = "delta"

    def payload(self) -> object:
        return {"text": self.text}


@dataclass(frozen=True)
class Done:
    """The whole answer, validated; its text may differ from the deltas (a fallback)."""

    answer: Answer
    kind: ClassVar[str] = "done"

    def payload(self) -> object:
        return self.answer.model_dump()


@dataclass(frozen=True)
class Failed:
    """The stream broke after it had begun: ``error`` is a stable name."""

    error: str
    message: str
    kind: ClassVar[str] = "error"

    def payload(self) -> object:
        return {"error": self.error, "message": self.message}


Event = Cited | Delta | Done | Failed


def guarded(events: Iterator[Event]) -> Iterator[Event]:
    """The events, and a failure raised while they stream as a last ``Failed`` event: once a
    stream has begun it cannot become an HTTP error any more."""
    try:
        yield from events
    except MedcodeError as exc:
        yield Failed(exc.name, exc.message)
    except Exception as exc:  # never a broken stream; the type names it, never its content
        yield Failed("internal_error", type(exc).__name__)
