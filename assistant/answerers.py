"""Two ways to answer from the same prepared passages: ``Extractive`` quotes them (the default,
no model needed); ``Grounded`` lets a language model write over them, checked against the
catalog as it streams, and falls back to the extractive answer when the model fails or cites
nothing. Whatever the way, the answer is validated before it leaves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from assistant.answer_types import Answer, Citation
from assistant.catalog import Catalog
from assistant.citations import Citations
from assistant.events import Cited, Delta, Done, Event
from assistant.llm import ChatModel, answer_messages
from assistant.query import Query
from assistant.retrieval import Hit
from assistant.scope import statement
from assistant.validate import MARKER, StreamValidator, validate


@dataclass
class Prepared:
    """What an answerer works from: the question as searched, its passages and the
    extractive draft."""

    question: str
    query: Query
    hits: list[Hit]
    draft: Answer
    llm_citations: list[Citation]
    concepts: list[tuple[str, list[Hit]]]
    day: date | None = None  # the date of service codes are checked for
    lead: str = ""  # what the answer says first whoever writes it: the check of named codes,
    # the ICD-10-PCS codes built


class Answerer(Protocol):
    mode: str

    def stream(self, prepared: Prepared) -> Iterator[Event]: ...


class Extractive:
    mode = "extractive"

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def stream(self, prepared: Prepared) -> Iterator[Event]:
        final = validate(prepared.draft, self.catalog, prepared.day)
        yield Cited(final.citations)
        for line in final.answer.splitlines(keepends=True):
            yield Delta(line)
        yield Done(final)


class Grounded:
    """A language model's answer over the passages. Tokens are checked against the catalog as
    they stream (see StreamValidator); if the model fails or cites nothing, ``Done`` carries
    the extractive answer instead."""

    mode = "llm"

    def __init__(self, catalog: Catalog, model: ChatModel) -> None:
        self.catalog = catalog
        self.model = model

    def stream(self, prepared: Prepared) -> Iterator[Event]:
        yield Cited(prepared.llm_citations)
        known = {c.n for c in prepared.llm_citations}
        checker = StreamValidator(self.catalog, known, prepared.day)
        missing = prepared.draft.missing
        preface = statement(missing) + "\n\n" if missing else ""
        preface += prepared.lead + "\n\n" if prepared.lead else ""
        if preface:
            yield Delta(preface)  # what is missing comes first, whatever the model says
        try:
            messages = answer_messages(
                prepared.question,
                prepared.llm_citations,
                [concept for concept, _ in prepared.concepts],
                [m.name for m in prepared.draft.missing],
            )
            for piece in self.model.stream(messages):
                released = checker.feed(piece)
                if released:
                    yield Delta(released)
            released = checker.finish()
            if released:
                yield Delta(released)
        except Exception as exc:  # down, slow past the timeout, or refused
            yield Done(self.fallback(prepared, f"the language model failed ({type(exc).__name__})"))
            return
        text = checker.text.strip()
        if len(text) < 20 or not MARKER.search(text):
            yield Done(self.fallback(prepared, "the language model's answer cited no passage"))
            return
        cites = Citations()
        cites.items = prepared.llm_citations
        footer = cites.footer()
        yield Delta(footer)
        yield Done(
            Answer(
                answer=preface + text + footer,
                citations=prepared.llm_citations,
                codes=list(checker.codes.values()),
                mode="llm",
                warnings=list(dict.fromkeys([*prepared.draft.warnings, *checker.warnings])),
                versions=cites.versions(),
                missing=prepared.draft.missing,
                date_of_service=prepared.draft.date_of_service,
            )
        )

    def fallback(self, prepared: Prepared, why: str) -> Answer:
        warnings = [*prepared.draft.warnings, f"{why}; the extractive answer is shown"]
        draft = prepared.draft.model_copy(update={"warnings": warnings})
        return validate(draft, self.catalog, prepared.day)
