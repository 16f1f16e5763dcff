"""An ICD-10-PCS code built from a described procedure, as a coder builds one: the root
operation from what was done to the body part (read against the operations' definitions), then
the body part, approach, device and qualifier from the words, the code taken whole from the
catalog of the edition searched (a code that is not there is never built).

"Removal of a spleen via laparoscopy" is Resection (all of a body part cut out), spleen,
percutaneous endoscopic: 07TP4ZZ. A search by meaning finds complications of the spleen or the
table row at best; it cannot choose the characters."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from assistant.catalog import Catalog
from assistant.lay_terms import expanded
from assistant.models import Passage
from assistant.text import stems

SECTION = "Medical and Surgical"
# what the question says was done, and the root operation it is coded to (the first that
# matches, in this order: taking out a device or a stone is not cutting out a body part)
PARTIAL = r"partial|portion|part of|biops\w*|lesion|wedge|segment\w*|mass"
OPERATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), operation)
    for pattern, operation in (
        (
            r"\b(?:ORIF|open reduction|closed reduction|reduc(?:e|ed|tion|ing)|realign\w*|"
            r"reposition\w*)\b",
            "Reposition",
        ),
        (r"\b(?:free(?:d|ing)?|lysis|adhesiolysis|releas(?:e|ed|ing))\b", "Release"),
        (
            r"\b(?:remov\w*|took out|taken out)\b.{0,40}\b(?:devices?|stents?|catheters?|"
            r"hardware|pins?|plates?|screws?|drains?|tubes?|pacemakers?|leads?)\b",
            "Removal",
        ),
        (
            r"\b(?:remov\w*|took out|taken out)\b.{0,40}\b(?:foreign body|stones?|calcul\w*|"
            r"clots?|thromb\w*|embol\w*)\b",
            "Extirpation",
        ),
        (r"\b(?:amputat\w*)\b", "Detachment"),
        (r"\b(?:biops\w*)\b", "Excision"),
        (r"\b(?:remov\w*|excis\w*|resect\w*|cut out|took out|taken out|\w+ectomy)\b", "Resection"),
        (r"\b(?:incision and drainage|I&D|drain(?:ed|age|ing)?|aspirat\w*)\b", "Drainage"),
        (r"\b(?:repair\w*|sutur\w*|\w+rrhaphy)\b", "Repair"),
        (r"\b(?:replace\w*|arthroplast\w*)\b", "Replacement"),
        (r"\b(?:insert\w*|implant\w*|placement)\b", "Insertion"),
        (r"\b(?:dilat\w*|angioplast\w*)\b", "Dilation"),
        (r"\b(?:bypass\w*)\b", "Bypass"),
        (r"\b(?:fusion|arthrodesis)\b", "Fusion"),
        (r"\b(?:ablat\w*|destr\w*|cauteri\w*|fulgurat\w*)\b", "Destruction"),
        (r"\b(?:transplant\w*)\b", "Transplantation"),
        (r"\b(?:lithotrips\w*|fragment\w*)\b", "Fragmentation"),
        (r"\b(?:ligat\w*|occlu\w*|emboliz\w*)\b", "Occlusion"),
        (r"\b(?:extract\w*|curettage)\b", "Extraction"),
    )
)
# a word naming a procedure whole, and an Index line's pointer ("-> 0FT4 - see Resection,
# Gallbladder")
PROCEDURE_WORD = re.compile(
    r"\b[a-z]+(?:ectomy|ectomies|otomy|ostomy|plasty|pexy|rrhaphy|lysis|tripsy)\b", re.I
)
SEE = re.compile(
    r"(?:-> (?P<start>[0-9A-Z]{3,7}) )?- see (?P<operation>[A-Z][a-z]+)(?:, (?P<place>.+))?$"
)
SIDES = frozenset(stems("right left bilateral"))
# character 5 of a Medical and Surgical code, and the words that say it
APPROACHES = {
    "0": "Open",
    "3": "Percutaneous",
    "4": "Percutaneous Endoscopic",
    "7": "Via Natural or Artificial Opening",
    "8": "Via Natural or Artificial Opening Endoscopic",
    "F": "Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance",
    "X": "External",
}
SAID_APPROACH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), char)
    for pattern, char in (
        (
            r"\b(?:colonoscop\w*|cystoscop\w*|hysteroscop\w*|bronchoscop\w*|ureteroscop\w*|"
            r"EGD|esophagogastroduodenoscop\w*|transurethral|via natural or artificial opening "
            r"endoscopic)\b",
            "8",
        ),
        (
            r"\b(?:laparoscop\w*|thoracoscop\w*|arthroscop\w*|endoscop\w*|percutaneous "
            r"endoscopic)\b",
            "4",
        ),
        (r"\b(?:via natural or artificial opening|transvaginal\w*)\b", "7"),
        (r"\b(?:percutaneous\w*|needle)\b", "3"),
        (r"\b(?:open|ORIF|incision and drainage)\b", "0"),
        (r"\b(?:closed reduction|external\w*)\b", "X"),
    )
)
# words of a title's device and qualifier part that say nothing is there
NOTHING_THERE = frozenset(stems("No Device No Qualifier"))


HELD: dict[tuple[str, str, str, str], Operation] = {}
HELD_LOCK = threading.Lock()
HELD_MOST = 64  # root operations x editions held at once
AXES_WORDS: dict[frozenset[str], frozenset[str]] = {}  # see shared


@dataclass(frozen=True)
class Built:
    code: str
    title: str
    operation: str  # "Resection"
    said: str  # the words that chose it ("removal")
    approach: str  # the approach's name, or "" when the question names none
    definition: Passage | None  # the root operation's definition, cited with the code


@dataclass(frozen=True)
class Axes:
    """A Medical and Surgical code's title, read into the parts that are matched apart."""

    body: frozenset[str]  # the body part's word stems ("radius", "right")
    rest: frozenset[str]  # those of its device and qualifier


@dataclass(frozen=True)
class Operation:
    definition: Passage | None
    codes: list[tuple[str, Axes]]  # (code, its title's axes); titles are read for the few built


def operation_of(text: str) -> tuple[str, str] | None:
    """(root operation, the words that name what was done), or None."""
    for pattern, operation in OPERATIONS:
        found = pattern.search(text)
        if found:
            if operation == "Resection" and re.search(rf"\b(?:{PARTIAL})\b", text, re.I):
                operation = "Excision"  # a part of the body part, not all of it
            return operation, found.group(0)
    return None


def indexed(catalog: Catalog, text: str, operation: str) -> tuple[set[str], tuple[str, ...]]:
    """What the ICD-10-PCS Index says of the question's procedure words ("cholecystectomy":
    see Resection, Gallbladder, 0FT4) for the root operation chosen: the words of the body
    part or system it names, and the code beginnings it gives."""
    words: set[str] = set()
    starts: list[str] = []
    for term in dict.fromkeys(w.lower() for w in PROCEDURE_WORD.findall(text)):
        for line in catalog.texts_titled("icd10pcs", "index", term):
            see = SEE.search(line)
            if see and see["operation"] == operation:
                words |= stems(see["place"] or "")
                starts += [see["start"]] if see["start"] else []
    return words, tuple(starts)


def approach_of(text: str) -> str:
    """Character 5 the question states, or ""."""
    return next((char for pattern, char in SAID_APPROACH if pattern.search(text)), "")


def coded(catalog: Catalog, operation: str) -> Operation:
    """One root operation's definition and every Medical and Surgical code of it, its title
    read into axes; read once per catalog state and edition (each read scans a table: 50 ms)."""
    key = (str(catalog.path), catalog.codes_table, operation, catalog.stamp())
    with HELD_LOCK:
        found = HELD.get(key)
    if found is None:
        rows = catalog.titles_like("icd10pcs", f"{SECTION}, %, {operation}: %")
        found = Operation(
            catalog.definition("icd10pcs", operation, "Operation"),
            [(code, parts) for code, title in rows if (parts := axes(code, title))],
        )
        with HELD_LOCK:
            if len(HELD) >= HELD_MOST:  # another catalog state or edition: start afresh
                HELD.clear()
            HELD[key] = found
    return found


def axes(code: str, title: str) -> Axes | None:
    right = title.split(": ", 1)[-1]
    approach = APPROACHES.get(code[4]) if len(code) == 7 else None
    marker = f", {approach}, " if approach else ""
    if not marker or marker not in right:
        return None
    body, rest = right.split(marker, 1)
    return Axes(shared(frozenset(stems(body))), shared(frozenset(stems(rest)) - NOTHING_THERE))


def shared(words: frozenset[str]) -> frozenset[str]:
    """One object per set of stems: a body part or device recurs on hundreds of codes (every
    root operation's codes held came to 28 MB of sets before, 2 after)."""
    return AXES_WORDS.setdefault(words, words)


def tied(score: tuple[int, int, bool, int], best: tuple[int, int, bool, int]) -> bool:
    """The same body part match and device fit, whatever the approach."""
    return score[:2] == best[:2] and score[3] == best[3]


def build(catalog: Catalog, text: str, limit: int = 3) -> list[Built]:
    """The codes the described procedure builds to, best first: the body part that shares
    most words with the question, the approach it states, and the device and qualifier whose
    words it says most of and adds least to (an internal fixation device for an ORIF, no
    qualifier for a resection).
    What the question leaves open (the side, the approach) gives one code for each choice, up
    to ``limit``. Nothing when no root operation or no body part is recognised."""
    text = expanded(text)  # "ORIF": open reduction internal fixation
    chosen = operation_of(text)
    if chosen is None:
        return []
    operation, said = chosen
    places, starts = indexed(catalog, text, operation)
    wanted = stems(text) | places
    approach = approach_of(text)
    scored = []
    held = coded(catalog, operation)
    for code, parts in held.codes:
        if starts and not code.startswith(starts):
            continue
        body = len(parts.body & wanted)
        if not parts.body & wanted - SIDES:  # "Lung, Right" is not found by "right" alone
            continue
        fitting = len(parts.rest & wanted) - len(parts.rest - wanted)
        score = (body, -len(parts.body - wanted), code[4] == approach, fitting)
        scored.append((score, code))
    if not scored:
        return []
    scored.sort(key=lambda item: item[0], reverse=True)
    best = scored[0][0]
    # what the question leaves open (a side, the approach) gives one code for each choice
    open_approach = not (approach and best[2])
    same = [s for s in scored if s[0] == best or (open_approach and tied(s[0], best))]
    kept = same[:limit]
    named = APPROACHES.get(approach, "")
    titles = catalog.titles("icd10pcs", [code for _, code in kept])
    return [
        Built(code, titles[code][1], operation, said, named, held.definition)
        for _, code in kept
        if code in titles
    ]


# a procedure described as done, in a setting ICD-10-PCS codes (not a physician's claim)
DONE = re.compile(
    r"\b(?:performed|surgery|surgeon|operative|operation|inpatient|admitted|hospital|"
    r"procedure|laparoscop\w*|thoracoscop\w*|arthroscop\w*|open approach)\b",
    re.I,
)
CLAIMED = re.compile(
    r"\b(?:bill\w*|claims?|E/M|modifiers?|office|visit|CPT|append\w*|trays?|supplies)\b", re.I
)


def asks_for(system_hint: str | None, names_codes: bool, text: str) -> bool:
    """Whether a question wants an ICD-10-PCS code built: it names ICD-10-PCS, or it describes
    a procedure done, names no code and no other code set, and is not about a claim."""
    if system_hint == "icd10pcs":
        return True
    return (
        system_hint is None
        and not names_codes
        and bool(DONE.search(text))
        and not (CLAIMED.search(text))
    )


def warm(catalog: Catalog) -> None:
    """Every root operation's codes read now (2 s and some 50 MB on the full tables), not by
    the first question that builds one."""
    for operation in dict.fromkeys([*(op for _, op in OPERATIONS), "Excision"]):
        coded(catalog, operation)
