"""Code a clinical note: find each condition the note names (reading.py, phrases.py), decide
whether it is there, ruled out, uncertain, past or a relative's, look its words and their
qualifiers up in the Alphabetic Index the way a coder does (index_reading.py), apply the
conventions that act across codes (rules.py), and check the result as an encounter. Every code
shows the note's own words that justify it.

Setting rules: an uncertain diagnosis is not coded in an outpatient note (guideline IV.H: its
symptoms are); in an inpatient note it is coded as if established at discharge (II.H, III.C).

With a language model (llm_mode.py) the model may add mentions the vocabulary missed and
choose among the codes the index leads each mention to; it never adds a code of its own, its
quotes must be the note's exact words, and when it fails the extractive result is returned
with a warning. The note is never logged."""

from __future__ import annotations

from itertools import islice
from typing import Any, Literal

from assistant.check import check
from assistant.check.model import Diagnosis, Encounter, Patient
from assistant.citations import Citations
from assistant.editions import edition
from assistant.index import Index
from assistant.llm import ChatModel
from assistant.note_coder import llm_mode, rules
from assistant.note_coder.index_reading import IndexReader, Picked
from assistant.note_coder.model import (
    Assertion,
    CodedNote,
    Evidence,
    NotCoded,
    NoteRequest,
    Suggestion,
)
from assistant.note_coder.phrases import Phrase, as_assessed, phrases
from assistant.note_coder.reading import reader_for
from assistant.note_coder.vocabulary import condition_terms

CHOICES = 5  # candidate codes per mention a language model chooses among
PAIN = "Pain"  # a pain is a symptom wherever the classification puts it (M54.9, M25.56-)
WHY = {
    "negated": "negated in the note",
    "historical": "a past condition, not current",
    "family": "a relative's condition (a family history code may apply)",
    "uncertain": "uncertain in an outpatient setting: code the symptoms instead (guideline IV.H)",
}
Read = tuple[Picked, Evidence]
DECLINED = "the language model found none of the index's codes fits the note"


class NoteCoder:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.catalog = index.catalog
        self.reader = IndexReader(index.catalog, index.searcher.derived.lookup)

    def code(self, request: NoteRequest, model: ChatModel | None = None) -> CodedNote:
        if model is not None:
            try:
                return self.with_model(request, model)
            except llm_mode.ModelFailure as failure:
                result = self.extractive(request)
                result.warnings.append(
                    f"the language model failed ({failure}): the extractive result is shown"
                )
                return result
        return self.extractive(request)

    def found(self, note: str) -> list[Phrase]:
        reader = reader_for(self.catalog, lambda: condition_terms(self.catalog))
        return as_assessed(note, phrases(note, reader.read(note)))

    def extractive(self, request: NoteRequest) -> CodedNote:
        found = self.found(request.note)
        day = request.date_of_service
        reads = {
            n: self.reader.read(request.note, p, day)
            for n, p in enumerate(found)
            if self.codable(p, request.setting)
        }
        return self.assemble(request, found, reads, "extractive", [])

    def with_model(self, request: NoteRequest, model: ChatModel) -> CodedNote:
        """The model proposes mentions, then chooses for each codable one among the codes the
        index leads it to (the first is the extractive choice)."""
        note, day = request.note, request.date_of_service
        found = self.found(note)
        proposed, warnings = llm_mode.propose(model, note)
        found = llm_mode.merged(note, found, proposed)
        options = {
            n: list(islice(self.reader.readings(note, p, day), CHOICES))
            for n, p in enumerate(found)
            if self.codable(p, request.setting)
        }
        chosen, more = llm_mode.choose(model, note, found, options)
        reads = {n: chosen.get(n, (got[0] if got else None)) for n, got in options.items()}
        declined = [
            unread(note, found[n], DECLINED)
            for n, got in options.items()
            if got and reads[n] is None
        ]
        result = self.assemble(request, found, reads, "llm", warnings + more)
        result.not_coded += declined
        return result

    def assemble(
        self,
        request: NoteRequest,
        found: list[Phrase],
        reads: dict[int, Read | None],
        mode: Literal["extractive", "llm"],
        warnings: list[str],
    ) -> CodedNote:
        note, day = request.note, request.date_of_service
        codes: dict[str, Suggestion] = {}
        words: dict[str, frozenset[str]] = {}  # the index words that led to each code
        paths: dict[str, str] = {}  # and the index line
        where: dict[tuple[int, int], Phrase] = {}  # the phrase behind each piece of evidence
        not_coded: list[NotCoded] = []
        cites = Citations()
        for n, phrase in enumerate(found):
            coded_as = self.codable(phrase, request.setting)
            read = reads.get(n) if coded_as else self.reader.history(note, phrase, day)
            if read is None:
                if coded_as is None:
                    not_coded.append(unread(note, phrase, WHY[phrase.assertion]))
                continue
            picked, evidence = read
            where.setdefault((evidence.start, evidence.end), phrase)
            if picked.code not in codes:
                assertion = coded_as or phrase.assertion
                codes[picked.code] = self.suggestion(picked, evidence, assertion, day, cites)
                words[picked.code] = picked.words
                paths[picked.code] = picked.path
            elif evidence not in codes[picked.code].evidence:  # two words of one phrase
                codes[picked.code].evidence.append(evidence)
        whole, parts = rules.combinations(self.catalog, note, list(codes.values()), words, where)
        combined = rules.hypertension(self.catalog, whole, day)
        specific, vaguer = rules.most_specific(combined, where)
        fullest, barer = rules.most_specific_reading(specific, paths)
        symptoms = {c for c, path in paths.items() if c.startswith("R") or path.startswith(PAIN)}
        assessed, outside = rules.assessed_symptoms(fullest, where, symptoms)
        kept, explained = rules.integral(assessed, symptoms, where)
        ordered = rules.order(kept, where)
        return CodedNote(
            codes=ordered,
            not_coded=not_coded + parts + vaguer + barer + outside + explained,
            findings=self.checked(request, ordered),
            mode=mode,
            warnings=warnings,
            editions={"icd10cm": edition(day)},
        )

    def suggestion(
        self, picked: Picked, evidence: Evidence, assertion: Assertion, day: Any, cites: Citations
    ) -> Suggestion:
        # the code's Tabular List entry, and the index line that led to it
        ids = [
            self.catalog.own_passage_id("icd10cm", picked.code, None),
            self.catalog.index_passage_id(picked.path, picked.index_code) if picked.path else None,
        ]
        cited = []
        for passage_id in ids:
            passage = self.catalog.passage(passage_id) if passage_id else None
            if passage is not None:
                n = int(cites.cite(passage).strip("[]"))
                cited.append(cites.items[n - 1])
        return Suggestion(
            code=picked.code,
            title=picked.title,
            edition=edition(day),
            evidence=[evidence],
            assertion=assertion,
            reason=picked.reason,
            citations=cited,
            confidence=0.8 if picked.whole else 0.5,
        )

    @staticmethod
    def codable(phrase: Phrase, setting: str) -> Assertion | None:
        """The assertion a coded phrase carries, or None when it is not coded."""
        if phrase.assertion == "present":
            return "present"
        if phrase.assertion == "uncertain" and setting == "inpatient":
            return "uncertain"
        return None

    def checked(self, request: NoteRequest, codes: list[Suggestion]) -> list[Any]:
        if not codes:
            return []
        encounter = Encounter(
            date_of_service=request.date_of_service,
            setting=request.setting,
            patient=request.patient or Patient(age=50),
            diagnoses=[Diagnosis(code=s.code) for s in codes[:25]],
        )
        findings = check(self.catalog, encounter).findings
        unstated = {"mce_age_conflict", "mce_sex_conflict"} if request.patient is None else set()
        return [f for f in findings if f.rule not in unstated]


def unread(note: str, phrase: Phrase, why: str) -> NotCoded:
    """A phrase of the note left uncoded, and why."""
    return NotCoded(
        text=note[phrase.start : phrase.end],
        start=phrase.start,
        end=phrase.end,
        assertion=phrase.assertion,
        why=why,
    )


def code_note(index: Index, request: NoteRequest, model: ChatModel | None = None) -> CodedNote:
    return NoteCoder(index).code(request, model)
