"""The words a note names conditions with: the Alphabetic Index's main terms whose entries lead
mostly to diseases, injuries and symptoms (chapters 1 to 19 and R), not to encounters, history
or status (Z) or external causes. "Diabetes, diabetic (mellitus)" gives "diabetes" and
"diabetic"; "History" and "Admission", which would mark half of every note, are left out by
the same count."""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.catalog import Catalog

SOURCE = "icd10cm-index"
CONDITION_SHARE = 0.6  # of a main term's coded lines that must lead to a condition
SHORTEST = 3  # letters: shorter main terms are abbreviations that match ordinary words


def is_condition(code: str) -> bool:
    return code[:1] in "ABCDEFGHIJKLMNOPQRST"


def variants(main_term: str) -> list[str]:
    """The forms a main term is written in: "Diabetes, diabetic (mellitus) (sugar)" ->
    ["diabetes", "diabetic"]; "Pain(s)" -> ["pain", "pains"]."""
    plain = re.sub(r"\([^)]*\)", lambda m: "" if m.group(0) != "(s)" else "(s)", main_term)
    out = []
    for part in plain.split(","):
        word = " ".join(part.split()).strip(" -").lower()
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
