"""Code a clinical note, extractively: find each condition the note names (reading.py), decide
whether it is there, ruled out, uncertain, past or a relative's, look its words and their
qualifiers up in the Alphabetic Index the way a coder does (the phrase with the words around
it, so that "type 2 diabetes mellitus with diabetic chronic kidney disease" reaches the
combination code), confirm the code is reportable on the date of service, and check the result
as an encounter. Every code shows the note's own words that justify it.

Setting rules: an uncertain diagnosis is not coded in an outpatient note (guideline IV.H: its
symptoms are); in an inpatient note it is coded as if established at discharge (II.H, III.C).
The note is never logged."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from assistant.check import check
from assistant.check.instructions import COMPANIONS
from assistant.check.model import Diagnosis, Encounter, Patient
from assistant.check.notes import references
from assistant.citations import Citations
from assistant.codes import to_key
from assistant.editions import edition
from assistant.index import Index
from assistant.lookup import Entry
from assistant.note_coder.model import (
    Assertion,
    CodedNote,
    Evidence,
    NotCoded,
    NoteRequest,
    Suggestion,
)
from assistant.note_coder.reading import HEADER, Mention, reader_for
from assistant.note_coder.vocabulary import condition_terms, main_term, names
from assistant.text import stems
from assistant.validity import VALIDITY

JOINED = re.compile(r"^[\s-]*(?:\d{1,2}[a-z]?)?[\s-]*$")  # "type 2 diabetes", "non-ST"
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/-]*|[,;:.()]")
PUNCTUATION = set(",;:.()")
# words that end a condition's qualifiers: the next condition, a verb, a treatment
STOP = {
    "and", "or", "for", "at", "from", "by", "was", "is", "are", "were", "treated", "continue",
    "who", "that", "which", "but", "as", "after", "since", "has", "have", "had", "presents",
    "presented", "seen", "also", "no",
}  # fmt: skip
LEFT_WORDS = 6
RIGHT_WORDS = 8
AFTER_COMMA = 4  # words: a short part after a comma that names no condition qualifies one
# how long, which says nothing of what ("for three days" is not "Three-day fever")
DURATION = re.compile(
    r"\b(?:for\s+)?(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few)"
    r"[\s-]+(?:hour|day|week|month|year)s?(?:\s+ago)?\b",
    re.I,
)
FORM = 7  # letters: stems sharing this many are forms of one word
UNSAID = frozenset({"nec", "nos"})  # an index path's notation, not a word the note must say
FIRST_SECTIONS = ("assessment", "impression", "diagnos", "plan")
WHY = {
    "negated": "negated in the note",
    "historical": "a past condition, not current",
    "family": "a relative's condition (a family history code may apply)",
    "uncertain": "uncertain in an outpatient setting: code the symptoms instead (guideline IV.H)",
}


HISTORY = stems("history")


class Picked(NamedTuple):
    code: str
    title: str
    reason: str  # the index path to it
    whole: bool  # whether the entry holds every word of the condition
    words: frozenset[str]  # the entry's words (stems)


@dataclass
class Phrase:
    start: int
    end: int
    assertion: Assertion
    section: str
    sentence: tuple[int, int]


def phrases(note: str, mentions: list[Mention]) -> list[Phrase]:
    """Mentions next to each other read as one phrase ("chronic obstructive pulmonary
    disease"); mentions inside a heading ("DISCHARGE SUMMARY:") are not conditions."""
    headings = [(m.start(), m.end()) for m in HEADER.finditer(note)]
    out: list[Phrase] = []
    for m in mentions:
        if any(a <= m.start < b for a, b in headings):
            continue
        if note[m.start - 1 : m.start] == "-" or note[m.end : m.end + 1] == "-":
            continue  # a part of a compound word ("62-year-old", "community-acquired")
        last = out[-1] if out else None
        if last and last.sentence == m.sentence and JOINED.match(note[last.end : m.start]):
            last.end, last.assertion = m.end, m.assertion
        else:
            out.append(Phrase(m.start, m.end, m.assertion, m.section, m.sentence))
    return out


def windows(note: str, phrase: Phrase) -> list[tuple[str, list[re.Match[str]]]]:
    """The words to look up, widest first, each with the qualifiers it adds: the phrase with
    the qualifiers on both sides, with those before it only, with those after it only, and
    alone."""
    left, right = qualifiers(note, phrase)
    named = note[phrase.start : phrase.end]
    out: dict[str, list[re.Match[str]]] = {}
    for before, after in ((left, right), (left, []), ([], right), ([], [])):
        text = " ".join([*(m.group(0) for m in before), named, *(m.group(0) for m in after)])
        out.setdefault(DURATION.sub(" ", text).strip(), [*before, *after])
    return list(out.items())


def evidence_for(
    note: str, phrase: Phrase, used: list[re.Match[str]], words: frozenset[str]
) -> Evidence:
    """The note's words that justify a code: the condition and the qualifiers around it that
    the index entry holds ("type 2 diabetes mellitus with stage 3a chronic kidney disease")."""
    spots = [(phrase.start, phrase.end)]
    spots += [(m.start(), m.end()) for m in used if stems(m.group(0)) & words]
    start, end = min(a for a, _ in spots), max(b for _, b in spots)
    return Evidence(start=start, end=end, text=note[start:end])


def qualifiers(note: str, phrase: Phrase) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """The words around a phrase in its sentence that may qualify it: up to four before it and,
    after it, what follows up to a stop ("due to E. coli", "of the right knee" and a short part
    after a comma, "atrial fibrillation, paroxysmal", go on)."""
    begin, end = phrase.sentence
    left: list[re.Match[str]] = []
    for match in reversed(list(WORD.finditer(note, begin, phrase.start))):
        word = match.group(0)
        if word in PUNCTUATION or word.lower() in STOP or len(left) == LEFT_WORDS:
            break
        left.insert(0, match)
    right: list[re.Match[str]] = []
    tokens = list(WORD.finditer(note, phrase.end, end))
    for n, match in enumerate(tokens):
        word = match.group(0)
        if word == ",":
            part = next(
                (i for i in range(n + 1, len(tokens)) if tokens[i].group(0) in PUNCTUATION),
                len(tokens),
            )
            if not 0 < part - n - 1 <= AFTER_COMMA:
                break
            continue
        if word in PUNCTUATION or word.lower() in STOP or len(right) == RIGHT_WORDS:
            break
        right.append(match)
    return left, right


class NoteCoder:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.catalog = index.catalog
        self.lookup = index.searcher.derived.lookup

    def code(self, request: NoteRequest) -> CodedNote:
        note, day = request.note, request.date_of_service
        reader = reader_for(self.catalog, lambda: condition_terms(self.catalog))
        found = phrases(note, reader.read(note))
        codes: dict[str, Suggestion] = {}
        words: dict[str, frozenset[str]] = {}  # the index words that led to each code
        not_coded: list[NotCoded] = []
        cites = Citations()
        where: dict[tuple[int, int], Phrase] = {}  # the phrase behind each piece of evidence
        for phrase in found:
            named = note[phrase.start : phrase.end]
            coded_as = self.codable(phrase, request.setting)
            read = self.read(note, phrase, day) if coded_as else self.history(note, phrase, day)
            if read is not None:
                picked, evidence = read
                where.setdefault((evidence.start, evidence.end), phrase)
                if picked.code in codes:
                    if evidence not in codes[picked.code].evidence:  # two words of one phrase
                        codes[picked.code].evidence.append(evidence)
                else:
                    assertion = coded_as or phrase.assertion
                    codes[picked.code] = self.suggestion(picked, evidence, assertion, day, cites)
                    words[picked.code] = picked.words
                continue
            if coded_as is None:
                why = WHY[phrase.assertion]
                not_coded.append(
                    NotCoded(text=named, start=phrase.start, end=phrase.end,
                             assertion=phrase.assertion, why=why)
                )  # fmt: skip
        whole, parts = self.combinations(note, list(codes.values()), words, where)
        not_coded += parts
        combined = self.hypertension(whole, day)
        specific, vaguer = most_specific(combined)
        assessed, outside = assessed_symptoms(specific, where)
        kept, symptoms = integral(assessed)
        symptoms = outside + symptoms
        ordered = order(kept, where)
        return CodedNote(
            codes=ordered,
            not_coded=not_coded + vaguer + symptoms,
            findings=self.checked(request, ordered),
            editions={"icd10cm": edition(day)},
        )

    def combinations(
        self,
        note: str,
        codes: list[Suggestion],
        words: dict[str, frozenset[str]],
        where: dict[tuple[int, int], Phrase],
    ) -> tuple[list[Suggestion], list[NotCoded]]:
        """A condition the index already names in another code of the same sentence is part
        of that combination code and is not coded again ("iron deficiency anemia secondary to
        chronic blood loss" is D50.0 alone, "type 1 diabetes with hyperglycemia" E10.65 alone:
        guideline I.B.9), unless the combination code's "use additional code" or "code also"
        note asks for it (E11.22 asks for the stage of the kidney disease, N18.-)."""

        def phrase(e: Evidence) -> Phrase:
            return where[(e.start, e.end)]

        dropped: set[str] = set()
        parts: list[NotCoded] = []
        for part in codes:
            spots = [phrase(e) for e in part.evidence]
            whole = next(
                (c for c in codes
                 if c is not part and c.code not in dropped and c.code in words
                 and all(stems(note[p.start : p.end]) <= words[c.code]
                         and any(p.sentence == phrase(x).sentence for x in c.evidence)
                         for p in spots)
                 and not self.asks_for(c.code, part.code)),
                None,
            )  # fmt: skip
            if whole is None:
                continue
            dropped.add(part.code)
            whole.evidence.extend(part.evidence)
            why = f"part of the combination code {whole.code} {whole.title} (guideline I.B.9)"
            parts += [
                NotCoded(text=e.text, start=e.start, end=e.end, assertion=part.assertion, why=why)
                for e in part.evidence
            ]
        return [c for c in codes if c.code not in dropped], parts

    def asks_for(self, code: str, other: str) -> bool:
        """Whether a code's "use additional code" or "code also" notes, its own or inherited,
        name the other code's category: E11.22 asks for the stage (N18.1-N18.6), and N18.9
        is what says it is not documented."""
        key = to_key(code)
        keys = [key, *(str(r["key"]) for r in self.catalog.ancestors("icd10cm", key))]
        notes = self.catalog.notes_at("icd10cm", keys)
        refs = [r for _, kind, text in notes if kind in COMPANIONS for r in references(text)]
        category = to_key(other)[:3]
        return any(r.low[:3] <= category <= r.high[:3] for r in refs)

    def read(
        self, note: str, phrase: Phrase, day: date, main: set[str] | None = None, prefix: str = ""
    ) -> tuple[Picked, Evidence] | None:
        """The code a phrase leads to and the words that justify it: the words with their
        qualifiers first; the condition's own words when those lead nowhere the note's
        condition names."""
        named = note[phrase.start : phrase.end]
        for words, used in windows(note, phrase):
            picked = self.pick(prefix + words, named, day, main)
            if picked is not None:
                return picked, evidence_for(note, phrase, used, picked.words)
        return None

    def history(self, note: str, phrase: Phrase, day: date) -> tuple[Picked, Evidence] | None:
        """A past condition's personal history code, a relative's condition's family history
        code, where the index has one ("History > personal (of) > stroke without residual
        deficits")."""
        if phrase.assertion not in ("historical", "family"):
            return None
        whose = "personal" if phrase.assertion == "historical" else "family"
        return self.read(note, phrase, day, HISTORY, f"history {whose} ")

    def suggestion(
        self,
        picked: Picked,
        evidence: Evidence,
        assertion: Assertion,
        day: date,
        cites: Citations,
    ) -> Suggestion:
        code, title, reason, whole, _ = picked
        passage_id = self.catalog.own_passage_id("icd10cm", code, None)
        passage = self.catalog.passage(passage_id) if passage_id else None
        cited = []
        if passage is not None:
            n = int(cites.cite(passage).strip("[]"))
            cited = [cites.items[n - 1]]
        return Suggestion(
            code=code,
            title=title,
            edition=edition(day),
            evidence=[evidence],
            assertion=assertion,
            reason=reason,
            citations=cited,
            confidence=0.8 if whole else 0.5,
        )

    def hypertension(self, codes: list[Suggestion], day: date) -> list[Suggestion]:
        """Hypertension with chronic kidney disease or heart failure is coded as the
        combination the classification presumes (guideline I.C.9.a): I12, I11 or I13 in place
        of I10, with the CKD stage and the heart failure still coded beside it."""
        plain = next((s for s in codes if s.code == "I10"), None)
        kidney = [s for s in codes if s.code.startswith("N18")]
        heart = [s for s in codes if s.code.startswith("I50")]
        if plain is None or not (kidney or heart):
            return codes
        end_stage = any(s.code in ("N18.5", "N18.6") for s in kidney)
        if kidney and heart:
            code = "I13.2" if end_stage else "I13.0"
        elif kidney:
            code = "I12.0" if end_stage else "I12.9"
        else:
            code = "I11.0"
        row = self.catalog.code_row("icd10cm", to_key(code))
        if row is None or not VALIDITY.valid("icd10cm", to_key(code), day):
            return codes
        linked = ", ".join(s.code for s in [*kidney, *heart])
        combined = plain.model_copy(
            update={
                "code": code,
                "title": str(row["title"]),
                "reason": f"hypertension with {linked}: the classification presumes the link "
                f"(guideline I.C.9.a); {plain.reason}",
                "citations": [],
            }
        )
        return [combined if s is plain else s for s in codes]

    @staticmethod
    def codable(phrase: Phrase, setting: str) -> Assertion | None:
        """The assertion a coded phrase carries, or None when it is not coded."""
        if phrase.assertion == "present":
            return "present"
        if phrase.assertion == "uncertain" and setting == "inpatient":
            return "uncertain"
        return None

    def pick(
        self, words: str, named: str, day: date, main: set[str] | None = None
    ) -> Picked | None:
        """The first reportable code the Alphabetic Index leads the words to the way a coder
        reads it: from a main term the note names (or ``main``: "History" for a past
        condition), down sub-terms whose every word the note says, to a code completed in the
        Tabular List with the note's own qualifiers when the index gives a category. With its
        title, that index path and whether the entry holds every word of the condition."""
        said = stems(words) | UNSAID
        said |= {w[:FORM] for w in said if len(w) >= FORM}
        absent = denied(words)
        condition = stems(named)
        heads = main or condition
        for entry in self.lookup.under(words, heads, "icd10cm"):
            if not says(said, entry.said) or not says(said, main_term(entry.head)[1]):
                continue
            if not (names(named, entry.head) if main is None else set(entry.main) <= main):
                continue
            if (absent & set(entry.every)) - set(entry.denies):
                continue  # "with hematuria" for "without hematuria"
            if not (condition <= set(entry.every) if main else condition & set(entry.every)):
                continue  # a history code names the whole condition
            completed = self.completed(entry.code, said, day)
            if completed is None:
                continue
            code, title, how = completed
            path = self.path_to(entry)
            whole = condition <= set(entry.every)
            reason = f"Alphabetic Index: {path} -> {entry.code}{how}"
            return Picked(code, title, reason, whole, frozenset(entry.every))
        return None

    def completed(self, code: str, said: set[str], day: date) -> tuple[str, str, str] | None:
        """A reportable code: the index's own, or when that is a category, the code below it
        whose title holds most of the note's words (the unspecified one when none does)."""
        key = to_key(code)
        if VALIDITY.valid("icd10cm", key, day):
            row = self.catalog.code_row("icd10cm", key)
            return code, str(row["title"]) if row is not None else "", ""
        below = [
            (c, t) for c, t in self.catalog.billable_below("icd10cm", key)
            if VALIDITY.valid("icd10cm", to_key(c), day)
        ]  # fmt: skip
        if not below:
            return None
        best = max(below, key=lambda ct: (len(stems(ct[1]) & said), "unspecified" in ct[1].lower()))
        return best[0], best[1], f", completed in the Tabular List as {best[0]}"

    def path_to(self, entry: Entry) -> str:
        """The index path an entry was read from (a "see" reference's path for one grafted)."""
        paths = self.catalog.index_paths(entry.code) or self.catalog.index_paths(entry.code + "-")
        words = set(entry.essential)
        fitting = [p for p in paths if stems(re.sub(r"\([^)]*\)", " ", p)) <= words]
        return (fitting or paths or [entry.code])[0]

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


# the body systems whose diagnoses a block of symptom codes belongs to (chapter 18's own
# grouping): a symptom in a block is routine for a diagnosis of those systems
SYMPTOM_SYSTEMS = [
    ("R00", "R09", "IJ"), ("R10", "R19", "K"), ("R20", "R23", "L"), ("R25", "R29", "GM"),
    ("R30", "R39", "N"), ("R40", "R46", "FG"), ("R47", "R49", "FGI"), ("R50", "R69", "ABJ"),
]  # fmt: skip


def integral(codes: list[Suggestion]) -> tuple[list[Suggestion], list[NotCoded]]:
    """Symptoms routinely part of a coded diagnosis of the same body system are not coded
    with it (guidelines I.B.4, I.B.5); others are."""
    definitive = [s for s in codes if not s.code.startswith(("R", "Z"))]
    kept, dropped = [], []
    for s in codes:
        systems = next((sys for low, high, sys in SYMPTOM_SYSTEMS if low <= s.code[:3] <= high), "")
        cause = next((d for d in definitive if d.code[:1] in systems), None)
        if s.code.startswith("R") and cause is not None:
            for e in s.evidence:
                why = f"a symptom of {cause.code} {cause.title}: not coded with it (I.B.5)"
                dropped.append(
                    NotCoded(text=e.text, start=e.start, end=e.end, assertion="present", why=why)
                )
        else:
            kept.append(s)
    return kept, dropped


VAGUE = ("without complications", "unspecified")


def most_specific(codes: list[Suggestion]) -> tuple[list[Suggestion], list[NotCoded]]:
    """An unspecified or "without complications" code is left out when the note gives a more
    specific code of the same category (E11.9 beside E11.22: guideline I.B.2)."""
    kept, dropped = [], []
    for s in codes:
        better = next(
            (o for o in codes if o is not s and o.code[:3] == s.code[:3]
             and not any(v in o.title.lower() for v in VAGUE)),
            None,
        )  # fmt: skip
        if better is not None and any(v in s.title.lower() for v in VAGUE):
            why = f"{better.code} says more of the same condition (guideline I.B.2)"
            dropped += [
                NotCoded(text=e.text, start=e.start, end=e.end, assertion=s.assertion, why=why)
                for e in s.evidence
            ]
            better.evidence.extend(s.evidence)
        else:
            kept.append(s)
    return kept, dropped


WITHOUT = re.compile(r"\bwithout\s+((?:[a-z0-9-]+\s*){1,2})", re.I)
NOT_DENIED = re.compile(r"\b(?:with|not|and|or)\b.*", re.I)


def says(said: set[str], words: Iterable[str]) -> bool:
    """Whether the note says each word, in any of its forms: stems agreeing in their first
    seven letters are one word ("myocardium" and "myocardial")."""
    return all(w in said or (len(w) >= FORM and w[:FORM] in said) for w in words)


def denied(words: str) -> set[str]:
    """The words a "without" says are absent ("cystitis without hematuria"): up to two after
    it, up to the next "with", "not", "and" or "or"."""
    return {w for m in WITHOUT.finditer(words) for w in stems(NOT_DENIED.sub("", m.group(1)))}


def assessed_symptoms(
    codes: list[Suggestion], where: dict[tuple[int, int], Phrase]
) -> tuple[list[Suggestion], list[NotCoded]]:
    """When the assessment (impression, diagnoses) gives a diagnosis, a symptom the note names
    only elsewhere (the complaint, the history of the illness) is what the diagnosis explains:
    it is not coded (guidelines I.B.5, IV.D). A symptom the assessment itself names is."""
    assessed = {spot for spot, p in where.items() if any(s in p.section for s in FIRST_SECTIONS)}

    def in_assessment(s: Suggestion) -> bool:
        return any((e.start, e.end) in assessed for e in s.evidence)

    diagnosis = next(
        (s for s in codes if not s.code.startswith(("R", "Z")) and in_assessment(s)), None
    )
    if diagnosis is None:
        return codes, []
    kept, dropped = [], []
    for s in codes:
        if s.code.startswith("R") and not in_assessment(s):
            why = f"a symptom the assessment explains with {diagnosis.code}: not coded (I.B.5)"
            dropped += [
                NotCoded(text=e.text, start=e.start, end=e.end, assertion="present", why=why)
                for e in s.evidence
            ]
        else:
            kept.append(s)
    return kept, dropped


def order(codes: list[Suggestion], where: dict[tuple[int, int], Phrase]) -> list[Suggestion]:
    """Codes whose words sit in the assessment, impression or diagnoses come first; then in the
    note's order."""
    first_section = {spot: any(s in p.section for s in FIRST_SECTIONS) for spot, p in where.items()}

    def rank(s: Suggestion) -> tuple[int, int]:
        spots = [(e.start, e.end) for e in s.evidence]
        in_assessment = any(first_section.get(spot, False) for spot in spots)
        return (0 if in_assessment else 1, min(e.start for e in s.evidence))

    return sorted(codes, key=rank)


def code_note(index: Index, request: NoteRequest) -> CodedNote:
    return NoteCoder(index).code(request)
