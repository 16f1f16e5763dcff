"""The answering flow: ``prepare`` (standalone question, retrieval, extractive draft) then
``answer`` or ``answer_stream`` (extractive, or a language model over the same passages).
Whatever the mode, the answer is validated against the catalog before it leaves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from assistant.answer_types import Answer, Citation
from assistant.citations import Citations
from assistant.extractive import compose
from assistant.filters import Filters
from assistant.index import Index
from assistant.llm import ChatModel, answer_messages, rewrite_messages
from assistant.query import Query
from assistant.search import Hit
from assistant.validate import MARKER, StreamValidator, validate

Role = Literal["user", "assistant", "system"]
FOLLOW_UP = re.compile(r"\b(?:it|its|that|this|those|these|they|them|same|one)\b", re.I)
MAX_LLM_PASSAGES = 8


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


@dataclass(frozen=True)
class Event:
    kind: Literal["delta", "citations", "done", "error"]
    data: object


@dataclass
class Prepared:
    question: str
    query: Query
    hits: list[Hit]
    draft: Answer
    llm_citations: list[Citation]


class Assistant:
    def __init__(self, index: Index, chat_model: ChatModel | None = None) -> None:
        self.index = index
        self.chat_model = chat_model

    def standalone(self, turns: list[Turn], warnings: list[str]) -> str:
        users = [t.content for t in turns if t.role == "user"]
        if len(users) < 2:
            return users[-1] if users else ""
        if self.chat_model is not None:
            try:
                history = [(t.role, t.content) for t in turns if t.role != "system"]
                rewritten = self.chat_model.complete(rewrite_messages(history)).strip()
                if 5 < len(rewritten) < 400:
                    return rewritten
            except Exception as exc:  # the model is optional: fall back to the heuristic
                warnings.append(f"follow-up rewriting failed ({type(exc).__name__})")
        last = users[-1]
        short = len(last.split()) < 7 or FOLLOW_UP.search(last)
        return f"{users[-2]} {last}" if short else last

    def prepare(self, turns: list[Turn]) -> Prepared:
        warnings: list[str] = []
        question = self.standalone(turns, warnings)
        searcher = self.index.searcher
        probe = searcher.probe(question)  # one embedding and one BM25 pool for both searches
        found = searcher.search(question, 10, probe=probe)
        guidelines = searcher.search(question, 3, Filters(kind="guideline"), probe=probe)
        warnings += found.warnings
        cites = Citations()
        markdown = compose(found.query, found.hits, guidelines.hits, self.index.catalog, cites)
        draft = Answer(
            answer=markdown,
            citations=cites.items,
            codes=[],
            mode="extractive",
            warnings=list(dict.fromkeys(warnings)),
            versions=cites.versions(),
        )
        extra = Citations()
        extra.items = list(cites.items)
        for hit in [*found.hits, *guidelines.hits]:
            if len(extra.items) >= MAX_LLM_PASSAGES:
                break
            extra.cite(hit.passage)
        return Prepared(question, found.query, found.hits, draft, extra.items)

    def answer(self, turns: list[Turn], use_llm: bool = True) -> Answer:
        final = None
        for event in self.answer_stream(turns, use_llm):
            if event.kind == "done":
                final = event.data
        assert isinstance(final, Answer)
        return final

    def answer_stream(self, turns: list[Turn], use_llm: bool = True) -> Iterator[Event]:
        prepared = self.prepare(turns)
        if use_llm and self.chat_model is not None:
            yield from self.llm_stream(prepared, self.chat_model)
            return
        final = validate(prepared.draft, self.index.catalog)
        yield Event("citations", final.citations)
        for line in final.answer.splitlines(keepends=True):
            yield Event("delta", line)
        yield Event("done", final)

    def llm_stream(self, prepared: Prepared, model: ChatModel) -> Iterator[Event]:
        """Tokens are checked against the catalog as they stream (see StreamValidator); if the
        model fails or cites nothing, ``done`` carries the extractive answer instead."""
        yield Event("citations", prepared.llm_citations)
        checker = StreamValidator(self.index.catalog, {c.n for c in prepared.llm_citations})
        try:
            messages = answer_messages(prepared.question, prepared.llm_citations)
            for piece in model.stream(messages):
                released = checker.feed(piece)
                if released:
                    yield Event("delta", released)
            released = checker.finish()
            if released:
                yield Event("delta", released)
        except Exception as exc:  # down, slow past the timeout, or refused
            why = f"the language model failed ({type(exc).__name__})"
            yield Event("done", self.fallback(prepared, why))
            return
        text = checker.text.strip()
        if len(text) < 20 or not MARKER.search(text):
            why = "the language model's answer cited no passage"
            yield Event("done", self.fallback(prepared, why))
            return
        cites = Citations()
        cites.items = prepared.llm_citations
        footer = cites.footer()
        yield Event("delta", footer)
        answer = Answer(
            answer=text + footer,
            citations=prepared.llm_citations,
            codes=list(checker.codes.values()),
            mode="llm",
            warnings=list(dict.fromkeys([*prepared.draft.warnings, *checker.warnings])),
            versions=cites.versions(),
        )
        yield Event("done", answer)

    def fallback(self, prepared: Prepared, why: str) -> Answer:
        draft = prepared.draft.model_copy(
            update={
                "warnings": [*prepared.draft.warnings, f"{why}; the extractive answer is shown"]
            }
        )
        return validate(draft, self.index.catalog)
