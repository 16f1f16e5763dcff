"""Reading a question the way a coder means it, before any search: which codes it names (and in
which system), what it asks (a code, billability, sequencing, a rule, a 7th character, a
modifier, edits, a crosswalk), the clinical concepts it is about, and the words that carry no
coding meaning. Every retrieval signal works from the result, not from the raw text.

Coders write "ICD-10-CM", "CPT®", ages, doses and weeks in their questions: none of those is a
code. A string that fits several systems is read in the one its form and the question point to
("M1001" is HCPCS, "M10.01" ICD-10-CM, "99213" CPT)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import codes as codeforms
from assistant.catalog import Catalog
from assistant.lay_terms import expanded
from assistant.tuning import MAX_CONCEPTS, MIN_CONCEPT_WEIGHT, SHORT
from assistant.vocabulary import Vocabulary
from assistant.wordlists import (
    ASKING,
    CODING_TERMS,
    DURATION,
    KEEP,
    NARRATIVE,
    NOT_MODIFIERS,
    SETTING,
)

TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,3}(?:\.[A-Za-z0-9]{1,4}|[A-Za-z0-9]{0,4})(?![\w/])")
CODE_SETS = re.compile(
    r"\b(?:ICD[- ]?10[- ]?(?:CM|PCS)|ICD[- ]?9[- ]?(?:CM)?|ICD[- ]?1[01]|ICD|CPT|HCPCS"
    r"(?:\s+Level\s+(?:II|2))?|MS[- ]?DRGs?|DRG|NCCI|MUEs?)(?:®|\(R\))?",
    re.I,
)
HINTS = [
    (re.compile(r"\b(?:icd[- ]?9(?:[- ]?cm)?)\b", re.I), "icd9cm"),
    (re.compile(r"\b(?:pcs|icd[- ]?10[- ]?pcs|procedure codes?)\b", re.I), "icd10pcs"),
    (re.compile(r"\bhcpcs\b", re.I), "hcpcs"),
    (re.compile(r"\bcpt\b", re.I), "cpt"),
    (re.compile(r"\b(?:icd[- ]?10(?:[- ]?cm)?(?![- ]?pcs)|diagnosis codes?)\b", re.I), "icd10cm"),
]
GUIDELINE = re.compile(
    r"\b(?:guidelines?|can i|may i|should i|should we|can we|do (?:i|we|you)|would (?:i|we|you)|"
    r"when (?:is|do|may|can|should|would)|how (?:do|should)|why|sequenc\w*|principal|"
    r"first[- ]listed|primary diagnosis|rule|allowed|outpatient|inpatient|instructed|"
    r"7th|seventh|initial encounter|subsequent encounter|convention\w*)\b",
    re.I,
)
INTENTS = {
    "sequencing": r"sequenc\w*|principal|first[- ]listed|primary (?:dx|diagnosis)|listed first",
    "seventh": r"7th|seventh|initial encounter|subsequent encounter|sequela",
    "billable": r"billable|valid code|header",
    "modifier": r"modifiers?\b",
    "edits": r"ncci|bundl\w*|mue|separately|inclusive|included in",
    "crosswalk": r"icd[- ]?9|crosswalk|gems?\b|replaced",
    "rule": r"guidelines?|rule|allowed|can (?:i|we|you)|should (?:i|we)|convention",
    "code": r"what (?:is|are) the (?:correct )?codes?|which codes?|code(?:s)? (?:for|to use)|"
    r"correct codes?|report code|how (?:do|would|should) (?:i|we|you) code|code the following",
}
INTENT_PATTERNS = {name: re.compile(rf"\b(?:{p})", re.I) for name, p in INTENTS.items()}
# a number is a quantity, not a code, next to one of these
UNIT_AFTER = re.compile(
    r"^\s*(?:%|percent|mg|mcg|g|kg|lbs?|pounds?|oz|ml|cc|cm|mm|inch\w*|weeks?|wks?|days?|"
    r"months?|years?|yrs?|y/?o|hours?|hrs?|minutes?|mins?|units?|times|doses?|points?|"
    r"am|pm|st|nd|rd|th)\b|^-(?:year|month|week|day|hour|[0-9])",
    re.I,
)
NUMBER_BEFORE = re.compile(
    r"(?:\b(?:stage|grade|type|age|aged|class|level|gravida|para|score(?: of)?|dose|day|week|"
    r"weeks|at|over|under|of|about|than|ICD[- ]?1?[09]?)|[$#/:-])\s*$",
    re.I,
)
MODIFIER_CONTEXT = re.compile(r"\bmod(?:ifier)?s?\s*$|^\s*mod(?:ifier)?s?\b", re.I)
OPTIONS = re.compile(r"\(\s*options?:[^)]*\)|\boptions?:.*$", re.I | re.S)
CLAUSE_BREAK = re.compile(
    r"[;:?!()\n]+|\.(?=\s|$)|,|\s+(?:but|or|also|then|plus|while|whereas|because|after|"
    r"before|since|so|though|although|however)\s+|"
    # "and" joins two conditions, but not two sides or sites of one ("left and right thighs")
    r"(?<!left)(?<!right)(?<!upper)(?<!lower)(?<!first)(?<!second)(?<!third)\s+and\s+",
    re.I,
)
WORDS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'/.-]*[A-Za-z0-9])?")
OUTPATIENT = re.compile(
    r"\b(?:ED|ER)\b|\b(?i:outpatient|office|clinic|emergency (?:department|room)|ambulatory|"
    r"urgent care|same[- ]day|observation)\b"
)
INPATIENT = re.compile(
    r"\b(?:inpatient|admitted|admission|admit|hospitali[sz]ed|discharged?|hospital stay|"
    r"acute care)\b",
    re.I,
)
NOT_CONCEPTS = SETTING | CODING_TERMS | DURATION  # dropped from concepts, kept in the focus


@dataclass(frozen=True)
class CodeRef:
    system: str
    code: str


@dataclass(frozen=True)
class Query:
    text: str
    codes: tuple[CodeRef, ...]
    system_hint: str | None
    asks_guideline: bool
    focus: str = ""  # the question without code-set names, codes, options and narrative
    prose: str = ""  # the same with its narrative and punctuation kept (qualifiers read it)
    concepts: tuple[str, ...] = ()  # the clinical phrases, each worth its own search
    intents: frozenset[str] = frozenset()
    cpt_codes: tuple[str, ...] = ()  # CPT codes named: CPT is never loaded
    modifiers: tuple[str, ...] = ()  # modifiers named ("25", "JW")
    options: tuple[CodeRef, ...] = ()  # codes offered as the choices of a question
    setting: str | None = None  # "outpatient" or "inpatient" when the question says which
    only: str | None = None  # the one code set the question names, if it names one

    @property
    def is_code_lookup(self) -> bool:
        """The whole question is one or more codes, nothing else."""
        rest = self.text
        for ref in self.codes:
            rest = rest.replace(ref.code, " ")
        leftover = re.sub(r"[\s,;.?]+|\b(?:code|what is|is|and|billable)\b", " ", rest, flags=re.I)
        return bool(self.codes) and not leftover.strip()

    @property
    def is_question(self) -> bool:
        """Written as a question or a narrative, not as a title: its narrative words are
        dropped and each of its concepts is searched."""
        return bool(self.concepts) or self.focus != " ".join(self.prose.split())


def hint_of(text: str) -> str | None:
    return next((system for pattern, system in HINTS if pattern.search(text)), None)


def only_system(text: str) -> str | None:
    """The one code set a question names, when it names one (a question naming ICD-9 wants its
    ICD-10-CM targets too, so it restricts nothing)."""
    named = {system for pattern, system in HINTS if pattern.search(text)}
    if len(named) == 1 and named <= {"icd10cm", "icd10pcs", "hcpcs"}:
        return next(iter(named))
    return None


def is_quantity(text: str, start: int, end: int) -> bool:
    """A number next to a unit, an ordinal or words like "stage", "age", "score of"."""
    raw = text[start:end]
    if not raw.isdigit() and not re.fullmatch(r"[0-9]+\.[0-9]+", raw):
        return False
    return bool(UNIT_AFTER.search(text[end:])) or bool(NUMBER_BEFORE.search(text[:start]))


def find_codes(
    text: str, catalog: Catalog, hint: str | None
) -> tuple[list[CodeRef], list[str], list[str], list[tuple[int, int]]]:
    """(codes found in the catalog, CPT codes, modifiers, the spans of every code-shaped
    string) named in ``text``, whose code-set names are blanked out already."""
    found: list[CodeRef] = []
    cpt: list[str] = []
    modifiers: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in TOKEN.finditer(text):
        raw, start, end = match.group(0), match.start(), match.end()
        if is_modifier(text, raw, start, end):
            modifiers.append(raw.upper())
            continue
        if len(raw) < 3 or not any(ch.isdigit() for ch in raw):
            continue
        if is_quantity(text, start, end) or not codeforms.looks_like_code(raw):
            continue
        if raw.isdigit() and len(raw) == 5 and hint != "icd9cm":
            cpt.append(raw)  # five digits, no dot: CPT, unless the question says ICD-9
            spans.append((start, end))
            continue
        if raw.isdigit() and hint != "icd9cm":
            continue  # a bare number in prose is a quantity unless the question says ICD-9
        spans.append((start, end))  # code-shaped: not a word of the condition, found or not
        ref = resolve(catalog, raw, hint)
        if ref and ref not in found:
            found.append(ref)
    return found, cpt, modifiers, spans


def is_modifier(text: str, raw: str, start: int, end: int) -> bool:
    """Two characters, written in capitals or digits, next to the word "modifier"."""
    if len(raw) != 2 or raw != raw.upper() or raw in NOT_MODIFIERS:
        return False
    before, after = text[max(0, start - 12) : start], text[end : end + 12]
    return bool(MODIFIER_CONTEXT.search(before) or MODIFIER_CONTEXT.search(after))


def resolve(catalog: Catalog, raw: str, hint: str | None) -> CodeRef | None:
    """The code ``raw`` names: the question's code set if it names one, else the one its form
    names (``M1001`` is HCPCS Level II where HCPCS holds it, ``M10.01`` ICD-10-CM)."""
    rows = catalog.find(raw, written=True)
    if hint:
        rows = sorted(rows, key=lambda r: r["system"] != hint)
    return CodeRef(rows[0]["system"], rows[0]["code"]) if rows else None


def intents_of(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in INTENT_PATTERNS.items() if pattern.search(text))


def plain_words(text: str) -> list[str]:
    """Words of a clause, narrative words dropped (a few that qualify a condition kept)."""
    words = [w.rstrip(".") for w in WORDS.findall(text)]
    return [w for w in words if w.lower() in KEEP or w.lower() not in NARRATIVE]


def without_lead_in(prose: str) -> str:
    """ "Code the following condition according to the guidelines: senile dementia" is about
    senile dementia: an instruction before a colon is not part of what is asked about."""
    lead, colon, rest = prose.partition(":")
    said = set(re.findall(r"[a-z]+", lead.lower()))
    instruction = bool(said & ASKING) and not plain_words(lead)  # narrative words only
    return rest.strip() if colon and rest.strip() and instruction else prose


def is_asking(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in ASKING for w in words) >= 2 or "?" in text


def concepts_of(text: str, vocabulary: Vocabulary | None) -> tuple[str, ...]:
    """Clinical phrases: clauses split at punctuation and conjunctions, narrative dropped,
    and (with a vocabulary) words the code sets never use dropped too; the four that say the
    most about a code, in the question's order."""
    scored: dict[str, float] = {}
    for clause in CLAUSE_BREAK.split(text):
        words = [w for w in plain_words(clause or "") if w.lower() not in NOT_CONCEPTS]
        if vocabulary is not None:
            words = [
                w for w in words if w.lower() in KEEP or not w.isalpha() or vocabulary.known(w)
            ]
        while words and words[0].lower() in KEEP - {"no", "not", "without"}:
            words = words[1:]
        weight = sum(vocabulary.weight(w) for w in words) if vocabulary else float(len(words))
        phrase = " ".join(words)
        leads = vocabulary is None or any(vocabulary.leads_to(w) for w in words if w.isalpha())
        if phrase and leads and weight >= (MIN_CONCEPT_WEIGHT if vocabulary else 1):
            scored.setdefault(phrase, weight)
    best = set(sorted(scored, key=lambda p: -scored[p])[:MAX_CONCEPTS])
    return tuple(p for p in scored if p in best)


def kept(word: str, vocabulary: Vocabulary) -> bool:
    return word.lower() in KEEP or not word.isalpha() or vocabulary.known(word)


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans turned to spaces of the same length: offsets stay valid."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def analyse(text: str, catalog: Catalog, vocabulary: Vocabulary | None = None) -> Query:
    hint = hint_of(text)
    blanked = CODE_SETS.sub(lambda m: " " * len(m.group(0)), text)
    codes, cpt, modifiers, spans = find_codes(blanked, catalog, hint)
    options_match = OPTIONS.search(blanked)
    options: list[CodeRef] = []
    body = blank(blanked, spans)  # codes are not words of the condition
    if options_match:
        options, _, _, _ = find_codes(options_match.group(0), catalog, hint)
        body = body[: options_match.start()] + " " + body[options_match.end() :]
    whole = " ".join(body.split())
    # abbreviations and lay words gain the code sets' words ("HTN" hypertension)
    prose = expanded(without_lead_in(whole))
    # a short question reads best whole, like a title (dev_guidelines: dropping "codes" from
    # "Can Z codes be used as a principal diagnosis?" lost its answer)
    asking = is_asking(text) and len(whole.split()) > SHORT
    # a title or a phrase keeps every word, as searches always had it
    focus = " ".join(plain_words(prose)) if asking else prose
    concepts = concepts_of(prose, vocabulary) if asking else ()
    return Query(
        text=text,
        codes=tuple(codes),
        system_hint=hint,
        asks_guideline=bool(GUIDELINE.search(text)),
        focus=focus or " ".join(text.split()),
        prose=prose or " ".join(text.split()),
        concepts=concepts if len(concepts) > 1 else (),
        intents=intents_of(text),
        cpt_codes=tuple(dict.fromkeys(cpt)),
        modifiers=tuple(dict.fromkeys(modifiers)),
        options=tuple(options),
        setting=setting_of(text),
        only=only_system(text),
    )


def setting_of(text: str) -> str | None:
    """Where the patient was seen, when the question says one place: the guidelines for
    outpatient services (Section IV) differ from the inpatient ones (II and III)."""
    outpatient, inpatient = bool(OUTPATIENT.search(text)), bool(INPATIENT.search(text))
    if outpatient != inpatient:
        return "outpatient" if outpatient else "inpatient"
    return None
