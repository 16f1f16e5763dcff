"""The words a note names conditions with: the Alphabetic Index's main terms whose entries lead
mostly to diseases, injuries and symptoms (chapters 1 to 19 and R), not to encounters, history
or status (Z) or external causes. "Diabetes, diabetic (mellitus)" gives "diabetes" and
"diabetic"; "History" and "Admission", which would mark half of every note, are left out by
the same count."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from assistant.catalog import Catalog
from assistant.text import stems

SOURCE = "icd10cm-index"
CONDITION_SHARE = 0.6  # of a main term's coded lines that must lead to a condition
FORM_PREFIX = 4  # letters the forms of one word share ("tuberculosis, tubercular")
SHORTEST = 3  # letters: shorter main terms are abbreviations that match ordinary words


def is_condition(code: str) -> bool:
    return code[:1] in "ABCDEFGHIJKLMNOPQRST"


@lru_cache(maxsize=50_000)
def main_term(head: str) -> tuple[frozenset[str], frozenset[str]]:
    """A main term's forms ("Failure, failed" -> failure, failed) and the stems of the words
    that qualify it ("Pattern, sleep-wake, irregular" -> sleep, wake, irregular): a note names
    the main term when it says one of the forms and the qualifiers. A main term that lists
    alternatives ("Poison ivy, oak, sumac or other plant dermatitis") has no qualifiers."""
    forms = frozenset(variants(head))
    parts = re.sub(r"\([^)]*\)", "", head).split(",")
    first = parts[0].strip().lower()
    if any(" or " in f" {p} " for p in parts[1:]):
        return forms, frozenset()
    qualifying = [p for p in parts[1:] if p.strip().lower()[:FORM_PREFIX] != first[:FORM_PREFIX]]
    return forms, frozenset(stems(" ".join(qualifying)))


def names(text: str, head: str) -> bool:
    """Whether words of a note say a main term in one of its forms, or its plural."""
    forms, _ = main_term(head)
    words = " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "
    return any(f" {f} " in words or f" {f}s " in words or f" {f}es " in words for f in forms)


def variants(main_term: str) -> list[str]:
    """The forms a main term is written in: "Diabetes, diabetic (mellitus) (sugar)" ->
    ["diabetes", "diabetic"]; "Pain(s)" -> ["pain", "pains"]. A part after a comma that is not
    a form of the first word qualifies it ("Acroasphyxia, chronic"): it is no name of its own."""
    plain = re.sub(r"\([^)]*\)", lambda m: "" if m.group(0) != "(s)" else "(s)", main_term)
    out = []
    parts = plain.split(",")
    first = parts[0].strip().lower()
    for part in parts:
        word = " ".join(part.split()).strip(" -").lower()
        if word[:FORM_PREFIX] != first[:FORM_PREFIX]:
            continue
        if "(s)" in word:
            out += [word.replace("(s)", "").strip(), word.replace(" (s)", "s").replace("(s)", "s")]
        elif word:
            out.append(word)
    return [w for w in out if len(w) >= SHORTEST and not w.isdigit()]


def condition_terms(catalog: Catalog) -> list[str]:
    leads: dict[str, list[str]] = defaultdict(list)
    qualifiers = set()
    for path, code, see in catalog.index_lines(SOURCE):
        main = path.split(" > ")[0]
        if code:
            leads[main].append(code)
        elif path == main and see and see.lower().startswith("condition"):
            qualifiers.add(main)  # "Chronic - see condition": a word that qualifies one
    terms: set[str] = set()
    for main, codes in leads.items():
        if main in qualifiers:
            continue
        if sum(is_condition(c) for c in codes) >= CONDITION_SHARE * len(codes):
            terms.update(variants(main))
    return sorted(terms)
