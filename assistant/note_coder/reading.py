"""A note read as a coder reads it: each condition the sources name (the Alphabetic Index's
main terms for diseases, injuries and symptoms) found in the text with its offsets, and whether
the note says it is there, ruled out, uncertain, in the past or a relative's. The assertions
come from NegEx (``negspacy``, over spaCy's blank English pipeline), run once per kind of
assertion with that kind's trigger terms; medspacy's ConText was the first choice but pins a
spaCy that needs numpy below 2, which this project's ONNX stack does not allow.

Nothing here logs or keeps the note."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.catalog import Catalog
from assistant.note_coder.model import Assertion

LABEL = "CONDITION"
# trigger terms per assertion, in NegEx's four lists; the negation list is negspacy's clinical
# one without the rule-out phrases, which say a diagnosis is uncertain, not absent
UNCERTAIN_BEFORE = [
    "possible", "possibly", "probable", "probably", "likely", "suspected", "suspect",
    "suspicion of", "suspicious for", "questionable", "question of", "rule out", "r/o",
    "to rule out", "cannot rule out", "cannot exclude", "concern for", "concerning for",
    "consistent with", "compatible with", "presumed", "presumptive", "may have", "might have",
    "working diagnosis", "differential includes", "versus", "vs",
]  # fmt: skip
UNCERTAIN_AFTER = [
    "suspected", "is suspected", "was suspected", "is likely", "likely", "not excluded",
    "cannot be excluded", "to be ruled out", "is possible", "?",
]  # fmt: skip
HISTORY_BEFORE = [
    "history of", "hx of", "h/o", "past history of", "status post", "s/p", "previous",
    "prior", "remote", "had a", "had an", "resolved",
]  # fmt: skip
# headings that say "history of" of the present: what follows them is current
HISTORY_HEADINGS = ["history of present illness", "history of the present illness"]
# ("years ago" is not one: "diagnosed six years ago" is an onset, the disease goes on)
HISTORY_AFTER = ["last year", "in the past", "resolved", "in childhood"]
FAMILY_BEFORE = [
    "family history of", "family history", "family hx of", "fhx", "mother", "father",
    "sister", "brother", "grandmother", "grandfather", "aunt", "uncle", "sibling", "siblings",
    "maternal", "paternal", "cousin", "daughter", "son",
]  # fmt: skip
FAMILY_AFTER = [
    f"in {who} {rel}"
    for who in ("her", "his", "the")
    for rel in ("mother", "father", "sister", "brother", "family", "grandmother", "grandfather")
]
TERMINATION = [
    "but", "however", "although", "though", "except", "aside from", "apart from", "which",
    "secondary to", "due to", "presents", "presented", "today", "now",
]  # fmt: skip
RULE_OUT = {"rule out", "ruled out", "r/o", "rule him out", "rule her out", "rule the patient out"}
FAMILY_SECTION = re.compile(r"^\s*family (history|hx)\b[^:\n]*:", re.I | re.M)
# a heading: a few words and a colon at the start of a line, or a line in capitals alone
HEADER = re.compile(r"^\s*(?:[A-Za-z][A-Za-z /&-]{2,40}:|[A-Z][A-Z /&-]{2,40}$)", re.M)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    sentence: tuple[int, int]  # its sentence's offsets
    assertion: Assertion
    section: str  # the heading it sits under, lower case ("assessment/plan"), or ""


def termset(
    before: list[str], after: list[str], pseudo: list[str] | None = None
) -> dict[str, list[str]]:
    return {
        "pseudo_negations": pseudo or [],
        "preceding_negations": before,
        "following_negations": after,
        "termination": TERMINATION,
    }


def negations() -> dict[str, list[str]]:
    from negspacy.termsets import termset as library_terms

    held: dict[str, list[str]] = library_terms("en_clinical").get_patterns()  # type: ignore[no-untyped-call]
    held["preceding_negations"] = [t for t in held["preceding_negations"] if t not in RULE_OUT]
    held["following_negations"] = [t for t in held["following_negations"] if t not in RULE_OUT] + [
        "ruled out",
        "was ruled out",
        "negative",
    ]
    return dict(held)


def lines_are_sentences(doc: Any) -> Any:
    """A note's lines are units of their own (a heading, a list item), whatever the stops."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws:
            token.is_sent_start = True
    return doc


def import_spacy() -> None:
    """Import spaCy and negspacy without thinc loading PyTorch for its optional layers: a blank
    English pipeline and NegEx use none of it, and it cost a server about 180 MB and a second
    and a half on its first note. Where PyTorch is already loaded, nothing changes."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" fails while held
    try:
        import negspacy.negation  # noqa: F401
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


class Reader:
    """The spaCy pipeline for one catalog state: built once (about a second), then shared."""

    def __init__(self, terms: list[str]) -> None:
        import_spacy()
        import spacy
        from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
        from spacy.language import Language

        if "medcode_lines" not in Language.factories:
            Language.component("medcode_lines")(lines_are_sentences)
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("medcode_lines")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns([{"label": LABEL, "pattern": term} for term in terms])  # type: ignore[attr-defined]
        layers = {
            "negated": negations(),
            "uncertain": termset(UNCERTAIN_BEFORE, UNCERTAIN_AFTER),
            "historical": termset(HISTORY_BEFORE, HISTORY_AFTER, HISTORY_HEADINGS),
            "family": termset(FAMILY_BEFORE, FAMILY_AFTER),
        }
        for name, terms_of in layers.items():
            config = {"neg_termset": terms_of, "ent_types": [LABEL], "extension_name": name}
            nlp.add_pipe("negex", name=name, config=config)
        self.nlp = nlp

    def read(self, note: str) -> list[Mention]:
        doc = self.nlp(note)
        headings = [(m.start(), m.group(0).strip(" :").lower()) for m in HEADER.finditer(note)]
        family = family_sections(note)
        found = []
        for ent in doc.ents:
            section = next((h for at, h in reversed(headings) if at <= ent.start_char), "")
            in_family = any(a <= ent.start_char < b for a, b in family)
            sent = ent.sent
            found.append(
                Mention(
                    ent.start_char,
                    ent.end_char,
                    ent.text,
                    (sent.start_char, sent.end_char),
                    assertion_of(ent, in_family),
                    section,
                )
            )
        return found


def assertion_of(ent: Any, in_family: bool) -> Assertion:
    if in_family or ent._.family:
        return "family"
    if ent._.negated:
        return "negated"
    if ent._.historical:
        return "historical"
    if ent._.uncertain:
        return "uncertain"
    return "present"


def family_sections(note: str) -> list[tuple[int, int]]:
    """(start, end) of each part of the note under a "Family history:" heading."""
    spans = []
    for match in FAMILY_SECTION.finditer(note):
        rest = HEADER.search(note, match.end())
        spans.append((match.start(), rest.start() if rest else len(note)))
    return spans


READERS: dict[str, Reader] = {}
LOCK = threading.Lock()


def reader_for(catalog: Catalog, terms: Callable[[], list[str]]) -> Reader:
    """One reader per catalog state (an ingest changes the vocabulary), built on first use."""
    key = catalog.stamp()
    with LOCK:
        if key not in READERS:
            READERS.clear()
            READERS[key] = Reader(terms())
        return READERS[key]
