"""The answering flow: ``prepare`` (standalone question, retrieval, extractive draft) then
``answer`` or ``answer_stream`` by one of the answerers (extractive, or a language model over
the same passages; see answerers.py), which validate the answer against the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Literal

import numpy as np

from assistant.answer_types import Answer, Missing
from assistant.answerers import Answerer, Extractive, Grounded, Prepared
from assistant.change_notes import asked
from assistant.check import check as check_encounter
from assistant.check.asked import check_block, checked
from assistant.check.model import Encounter, Report
from assistant.citations import Citations
from assistant.codes import to_key
from assistant.currency import today
from assistant.editions import edition
from assistant.events import Done, Event
from assistant.extractive import Found, agreed, built_block, candidates, compose
from assistant.filters import Filters
from assistant.heap import settle
from assistant.index import Index
from assistant.llm import ChatModel, rewrite_messages
from assistant.models import Passage
from assistant.note_coder import code_note
from assistant.note_coder.model import CodedNote, NoteRequest
from assistant.pcs_builder import asks_for
from assistant.pcs_builder import build as build_pcs
from assistant.pcs_builder import warm as warm_pcs
from assistant.query import CodeRef, Query
from assistant.retrieval import Hit, Retriever
from assistant.rule_probes import probes
from assistant.scope import gaps
from assistant.shelves import on_day
from assistant.tuning import (
    CONCEPT_K,
    GUIDELINE_K,
    LEADING,
    LEADING_RULES,
    MAIN_K,
    MAX_LLM_PASSAGES,
    RULE_K,
)
from assistant.validity import currency

Role = Literal["user", "assistant", "system"]
FOLLOW_UP = re.compile(r"\b(?:it|its|that|this|those|these|they|them|same|one)\b", re.I)
CONCEPT_MODES = ("exact", "lexical", "title", "lookup", "qualifiers")
RULE_MODES = ("lexical",)
# words of a service done to a patient, not of a condition
SERVICE = re.compile(
    r"\b(?:administ\w*|injections?|infusions?|vaccines?|vaccinations?|immuniz\w*|shots?|"
    r"removal|excision|insertion|replacement|biopsy|\w+ectomy|\w+otomy|\w+plasty|\w+scopy)\b",
    re.I,
)
# a question that reads every part an answer can need: codes to check, guidelines, a setting
WARM_UP = "Can E11.9 be coded with I10 and Z79.4 for an outpatient visit?"
REMEMBERED_RULES = 64  # rule probes' guideline searches kept (a few texts, a few date editions)
WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="medcode-search")


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


def asks_pcs(query: Query, question: str) -> bool:
    return asks_for(query.system_hint, bool(query.codes), question)


def found_codes(hits: list[Hit], concepts: list[tuple[str, list[Hit]]]) -> list[CodeRef]:
    """The codes an answer leads with: the best two of the main search and the best of each
    concept, when words or the Alphabetic Index support them."""
    best = [h for h in hits if h.passage.kind == "code" and agreed(h)][:LEADING]
    for _, found in concepts:
        best += [h for h in found if agreed(h)][:1]
    return [CodeRef(h.passage.system, h.passage.code) for h in best if h.passage.code]


class Assistant:
    """Answers a conversation: the question read and searched by the index's retriever, then
    answered by one of two answerers (see answerers.py)."""

    def __init__(
        self, index: Index, chat_model: ChatModel | None = None, retriever: Retriever | None = None
    ) -> None:
        self.index = index
        self.catalog = index.catalog
        self.retriever: Retriever = retriever or index.searcher
        self.chat_model = chat_model
        self.extractive: Answerer = Extractive(index.catalog)
        self.grounded: Answerer | None = Grounded(index.catalog, chat_model) if chat_model else None
        self.rules_found = lru_cache(maxsize=REMEMBERED_RULES)(self.rule_search)

    def warm(self) -> None:
        """One answer, thrown away, before the first question: it loads the embedder, opens
        every vector collection and reads the tables a check of codes needs (the code lists
        by edition, the HCC map), which the first question would otherwise wait for (a second
        and more on the full index); and the vectors of the small code sets and the guidelines
        that filtered searches read in memory (see retrieval/small_sets.py), and the ICD-10-PCS
        codes of each root operation a procedure is built to (see pcs_builder)."""
        self.retriever.warm()
        warm_pcs(self.catalog)
        self.answer([Turn("user", WARM_UP)], use_llm=False)
        settle()  # what was read is kept for the life of the process

    def check(self, encounter: Encounter) -> Report:
        """An encounter's codes checked on its date of service (see assistant/check)."""
        return check_encounter(self.catalog, encounter)

    def code_note(self, request: NoteRequest) -> CodedNote:
        """A clinical note's codes, with the words that justify each (see note_coder); with
        the language model's help when one is configured and notes may go to it."""
        model = self.chat_model if self.index.settings.note_llm else None
        return code_note(self.index, request, model)

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

    def prepare(self, turns: list[Turn], day: date | None = None) -> Prepared:
        warnings: list[str] = []
        question = self.standalone(turns, warnings)
        searcher = self.retriever
        query = searcher.analyse(question)  # read first: every signal works from it
        vectors = searcher.embed([query.focus, *query.concepts])  # one batch for every search
        # one probe (embedding, BM25 pool) for both searches of the question
        # the editions in effect on the date of service (none given: those in use)
        chosen = on_day(self.catalog, day) if day else None
        shelves = chosen.shelves if chosen else ()
        warnings += list(chosen.notes.values()) if chosen else []
        # each concept is searched on another thread meanwhile: SQLite, ONNX Runtime and Chroma
        # work without the interpreter lock, so a long question's searches share the cores
        later = WORKERS.submit(self.by_concept, query, vectors[1:], shelves)
        probe = searcher.probe(question, query=query, vector=vectors[0], shelves=shelves)
        # a question naming its code set ("in ICD-10-CM") gets codes of that set only
        only = Filters(system=query.only, shelves=shelves)
        found = searcher.search(question, MAIN_K, only, probe=probe)
        concepts = later.result()
        # the rules are looked up as a coder does: also where the guidelines name the
        # categories of the codes just found
        coded = replace(query, codes=(*query.codes, *found_codes(found.hits, concepts)))
        rules = replace(probe, query=coded)
        rulebook = Filters(kind="guideline", shelves=shelves)
        guidelines = searcher.search(question, GUIDELINE_K, rulebook, probe=rules)
        # after the rules quoted, first of those named for the coder to open (see
        # guideline_block): they add a rule, they do not displace one
        guidelines.hits[LEADING_RULES:LEADING_RULES] = self.by_rule(
            query, found.hits + guidelines.hits, rulebook
        )
        warnings += found.warnings
        if day is not None:
            shown = [h.passage for h in found.hits] + [h for _, hits in concepts for h in hits]
            warnings += currency(day, shown)
        missing = self.missing(query)
        cites = Citations()
        changed = self.changed(question, query, found.hits, day)
        # a question about codes together ("can I code E10.9 with E11.9?") is checked
        report = checked(self.catalog, question, query, day or today(self.index.settings))
        lead = check_block(self.catalog, report, cites) if report else ""
        catalog = self.catalog.on_shelves(shelves)
        built = build_pcs(catalog, question) if asks_pcs(query, question) else []
        result = Found(query, found.hits, guidelines.hits, concepts, missing, changed, lead, built)
        markdown = compose(result, catalog, cites)
        draft = Answer(
            answer=markdown,
            citations=cites.items,
            codes=[],
            mode="extractive",
            warnings=list(dict.fromkeys(warnings)),
            versions=cites.versions(),
            missing=missing,
            date_of_service=day.isoformat() if day else None,
        )
        extra = Citations()
        extra.items = list(cites.items)
        concept_hits = [hit for _, hits in concepts for hit in hits[:2]]
        for hit in [*concept_hits, *found.hits, *guidelines.hits]:
            if len(extra.items) >= MAX_LLM_PASSAGES:
                break
            extra.cite(hit.passage)
        # a model's answer follows what was checked and built, as the extractive one does (the
        # same passages, cited already: the same numbers)
        built_lead = built_block(catalog, built, cites) if built else ""
        lead = "\n\n".join(part for part in (lead, built_lead) if part)
        return Prepared(question, query, found.hits, draft, extra.items, concepts, day, lead)

    def by_concept(
        self, query: Query, vectors: list[np.ndarray | None], shelves: tuple[str, ...] = ()
    ) -> list[tuple[str, list[Hit]]]:
        """Each clinical concept of a question naming several, searched on its own among
        the codes of the system the question is about, so that no condition is drowned. Code
        titles are what a concept is matched against: the wide passage query is left out."""
        if len(query.concepts) < 2:
            return []
        system = query.system_hint if query.system_hint in ("icd10pcs", "hcpcs") else "icd10cm"
        filters = Filters(system=system, kind="code", shelves=shelves)
        searcher = self.retriever
        out = []
        for concept, vector in zip(query.concepts, vectors, strict=True):
            # a service done ("shots administered") may be a HCPCS or PCS code as well
            wanted = replace(filters, system=None) if SERVICE.search(concept) else filters
            probe = searcher.probe(concept, CONCEPT_MODES, vector=vector, shelves=shelves)
            hits = searcher.search(concept, CONCEPT_K, wanted, CONCEPT_MODES, probe=probe).hits
            out.append((concept, hits))
        return out

    def by_rule(self, query: Query, shown: list[Hit], rulebook: Filters) -> list[Hit]:
        """The guideline each rule the question turns on names best, in the chapter of its
        codes where it has some (see rule_probes)."""
        texts = probes(query)
        if not texts:  # most questions: no chapter walk, no search
            return []
        chapters = {
            f"I.C.{name}."
            for h in shown
            if h.passage.system == "icd10cm"
            and h.passage.code
            and (name := self.catalog.chapter("icd10cm", to_key(h.passage.code)))
        }
        have = {h.passage.id for h in shown}
        out: list[Hit] = []
        for text, in_chapter in texts:
            hits = self.rule_hits(text, rulebook)
            inside = [h for h in hits if (h.passage.section or "").startswith(tuple(chapters))]
            best = next(
                (h for h in (inside if in_chapter else []) or hits if h.passage.id not in have),
                None,
            )
            if best is not None:
                out.append(best)
                have.add(best.passage.id)
        return out

    def rule_hits(self, text: str, rulebook: Filters) -> list[Hit]:
        """The guidelines a rule's own words find, by those words alone (BM25: the rule's
        words are the guideline's, where meaning also pulls the passages that share a few of
        them); the same for every question that turns on it, so kept until an ingest changes
        the catalog."""
        return self.rules_found(text, rulebook, self.catalog.stamp())

    def rule_search(self, text: str, rulebook: Filters, stamp: str) -> list[Hit]:
        """``stamp``: the catalog's state, part of what is remembered (see rule_hits)."""
        return self.retriever.search(text, RULE_K, rulebook, RULE_MODES).hits

    def changed(
        self, question: str, query: Query, hits: list[Hit], day: date | None
    ) -> list[Passage]:
        """What the edition of the date of service did to the codes the question is about."""
        named = [(ref.system, ref.code) for ref in query.codes]
        # the codes the answer offers (words or an index entry agree, not meaning alone)
        found = [(h.passage.system, str(h.passage.code)) for h in candidates(hits)[:3]]
        return asked(self.catalog, question, named, found, edition(day) if day else None)

    def missing(self, query: Query) -> list[Missing]:
        catalog = self.catalog
        sources = catalog.sources()
        # the user's own documents (payer policies, LCDs) count as loaded policy
        loaded = {str(s["name"]) for s in sources} | {str(s["loader"]) for s in sources}
        defined = {
            m for m in query.modifiers if any(r["system"] == "hcpcs" for r in catalog.find(m))
        }
        return gaps(query, loaded, defined, asks_pcs(query, query.text))

    def answer(
        self, turns: list[Turn], use_llm: bool = True, date_of_service: date | None = None
    ) -> Answer:
        """``date_of_service``: codes are checked against the edition in effect then."""
        final = None
        for event in self.answer_stream(turns, use_llm, date_of_service):
            if isinstance(event, Done):
                final = event.answer
        assert final is not None
        return final

    def answer_stream(
        self, turns: list[Turn], use_llm: bool = True, date_of_service: date | None = None
    ) -> Iterator[Event]:
        prepared = self.prepare(turns, date_of_service)
        answerer = self.grounded if use_llm and self.grounded is not None else self.extractive
        yield from answerer.stream(prepared)
