"""Answers composed from the retrieved passages alone, no language model: every line quotes or
restates a passage and cites it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer_types import Missing
from assistant.catalog import Catalog, CodeInfo
from assistant.citations import Citations
from assistant.models import Passage, passage_id
from assistant.pcs_builder import Built
from assistant.query import CodeRef, Query
from assistant.retrieval import Hit
from assistant.scope import statement
from assistant.tuning import ALSO_SEE, HEADING_SLACK

SYSTEM_NAMES = {
    "icd10cm": "ICD-10-CM",
    "icd10pcs": "ICD-10-PCS",
    "hcpcs": "HCPCS Level II",
    "icd9cm": "ICD-9-CM",
    "cpt": "CPT",
}
NOTE_LABELS = {
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "inclusion": "Inclusion terms",
    "note": "Note",
}
NOTHING = (
    "No passage in the loaded sources answers this. Try other words for the condition or "
    "procedure, give a code (e.g. E11.9), or load the source that covers it "
    "(`medcode sources --available` lists them)."
)


@dataclass(frozen=True)
class Found:
    """What retrieval found for one question: the main search, the guideline search, one
    search per clinical concept, the sources the question needs that are not loaded, and
    what the edition of the date of service changed in the codes it is about."""

    query: Query
    hits: list[Hit]
    guidelines: list[Hit]
    concepts: list[tuple[str, list[Hit]]]
    missing: list[Missing]
    changes: list[Passage] = field(default_factory=list)
    checked: str = ""  # the codes named, checked as one encounter (see check/asked.py)
    built: list[Built] = field(default_factory=list)  # ICD-10-PCS codes built (pcs_builder)


def compose(found: Found, catalog: Catalog, cites: Citations) -> str:
    query, hits = found.query, found.hits
    parts = [statement(found.missing)] if found.missing else []
    if found.changes:
        parts.append(changes_block(found.changes, cites))
    if found.checked:
        parts.append(found.checked)
    if found.built:
        parts.append(built_block(catalog, found.built, cites))
    named = [ref for ref in query.codes if ref not in query.options]
    parts += [code_block(catalog, ref, cites) for ref in named[:3]]
    if query.options:
        parts.append(options_block(catalog, query.options, found, cites))
    shown = {ref.code for ref in query.codes} | {b.code for b in found.built}
    if found.concepts:
        parts.append(concepts_block(catalog, found, cites, shown))
    blocks = []
    has_codes = bool(query.codes or candidates(hits))
    if query.asks_guideline or query.is_question or query.options or not has_codes:
        # a question in prose gets the rule that governs it too, after its codes, and so does
        # a choice between codes: the rule is what tells the choices apart
        blocks.append((0 if query.asks_guideline else 50 if has_codes else 1, "guideline"))
    if not named:
        blocks += [
            (first_rank(hits, ("code",)), "codes"),
            (first_rank(hits, ("document", "definition")), "documents"),
        ]
    for _, block in sorted(blocks):
        if block == "guideline":
            shown_rules = 3 if query.is_question and query.asks_guideline else 2
            parts.append(guideline_block(query.focus, found.guidelines, cites, shown_rules))
        elif block == "codes":
            title = "Other candidate codes:" if found.concepts else "Candidate codes:"
            if found.missing:
                title = "Related codes in the loaded sources (not an answer to the part above):"
            parts.append(candidates_block(catalog, query, hits, cites, shown, title))
        else:
            parts.append(documents_block(query.focus, hits, cites))
    body = "\n\n".join(p for p in parts if p)
    return (body or NOTHING) + cites.footer()


def built_block(catalog: Catalog, built: list[Built], cites: Citations) -> str:
    """The ICD-10-PCS codes built from the procedure described, with the root operation's
    definition and the table row each code is read from."""
    first = built[0]
    lines = ["ICD-10-PCS code built from the procedure described:"]
    for b in built:
        row = catalog.own_passage_id("icd10pcs", b.code, b.code[:3])
        passage = catalog.passage(row) if row else None
        lines.append(f"- **{b.code}** {b.title} {cites.cite(passage) if passage else ''}".rstrip())
    meaning = ""
    if first.definition is not None:
        said = re.search(r"^Definition: (.+)$", first.definition.text, re.M)
        meaning = f": {said.group(1)} {cites.cite(first.definition)}" if said else ""
    lines.append(f'Root operation *{first.operation}* (from "{first.said}"){meaning}.')
    if first.approach:
        lines.append(f"Approach *{first.approach}*, as the question says.")
    if len(built) > 1:
        lines.append("The question leaves a character open (a side, the approach): one code each.")
    return "\n".join(lines)


def changes_block(changes: list[Passage], cites: Citations) -> str:
    """What an edition did to the codes asked about: added, or deleted and split."""
    editions = ", ".join(dict.fromkeys(p.edition for p in changes))
    lines = [f"Code changes in {editions}:"]
    lines += [f"- {p.text.split(': ', 1)[-1]} {cites.cite(p)}" for p in changes]
    return "\n".join(lines)


def concepts_block(catalog: Catalog, found: Found, cites: Citations, shown: set[str]) -> str:
    """The best codes for each condition the question names, two at most; a code that needs
    a 7th character is shown with it."""
    lines = ["Codes by condition:"]
    for concept, hits in found.concepts:
        best = [
            h.passage
            for h in hits
            if h.passage.code and agreed(h) and reportable(catalog, h.passage)
        ]
        codes = [
            f"{label(p)}{reporting_codes(catalog, p, found.query)} {cites.cite(p)}"
            for p in best[:2]
        ]
        shown.update(p.code for p in best[:2] if p.code)
        if codes:
            lines.append(f"- *{concept}*: {'; '.join(codes)}")
    return "\n".join(lines) if len(lines) > 1 else ""


ENCOUNTERS = ("initial encounter", "subsequent encounter", "sequela")
ASKS_SEVENTH = re.compile(r"\b(?:7th|seventh)\b", re.I)


def reportable(catalog: Catalog, passage: Passage) -> bool:
    """Billable, or made billable by a 7th character."""
    if "not billable" not in passage.text:
        return True
    return bool(passage.code and catalog.expansions(passage.system, passage.code))


def reporting_codes(catalog: Catalog, passage: Passage, query: Query) -> str:
    """The codes a 7th character makes of ``passage``'s code: the encounter the question
    states, or each choice when it states none or asks which one applies."""
    if passage.system == "icd10pcs":
        return row_codes(passage)
    if passage.system != "icd10cm" or not passage.code:
        return ""
    choices = catalog.expansions(passage.system, passage.code)
    if not choices:
        return ""
    stated = [e for e in ENCOUNTERS if e in query.prose.lower()]
    if stated and not ASKS_SEVENTH.search(query.text):
        choices = [c for c in choices if any(e in c[1] for e in stated)] or choices
    listed = "; ".join(f"**{code}** {title.split(', ')[-1]}" for code, title in choices[:6])
    return f" — reported with a 7th character: {listed}"


def label(passage: Passage) -> str:
    """A code and its title; an ICD-10-PCS table row by its title alone (its table, 0DT, is
    not a code: the row's codes follow it)."""
    if passage.system == "icd10pcs" and passage.codes:
        return passage.title
    return f"**{passage.code}** {passage.title}"


def row_codes(passage: Passage) -> str:
    """An ICD-10-PCS table row is reported by one of the codes it lists."""
    if not passage.codes or passage.kind != "code":
        return ""
    more = f" and {len(passage.codes) - 6} more" if len(passage.codes) > 6 else ""
    return f" — its codes: {', '.join(f'**{c}**' for c in passage.codes[:6])}{more}"


def agreed(hit: Hit) -> bool:
    """Evidence enough to name a code for a concept: the code itself, an Alphabetic Index
    entry, or words and meaning agreeing (a title vector alone finds a nearest title for
    anything, "cooking and baking" for "initial encounter")."""
    via = set(hit.via)
    return bool({"exact", "lookup"} & via) or {"lexical", "title"} <= via


def options_block(
    catalog: Catalog, options: tuple[CodeRef, ...], found: Found, cites: Citations
) -> str:
    """The codes a question offers as choices, the one retrieval ranks best first."""
    ranked = [h.passage.code for h in found.hits] + [
        h.passage.code for _, hits in found.concepts for h in hits
    ]

    def place(ref: CodeRef) -> int:
        codes = [ref.code, ref.code[:-1].rstrip("X."), ref.code[:-2].rstrip(".")]
        spots = [ranked.index(c) for c in codes if c in ranked]
        return min(spots) if spots else len(ranked)

    lines = ["The options offered, the best match to the question first:"]
    for ref in sorted(options, key=place)[:6]:
        info = catalog.brief(ref.code)
        own = own_passage(catalog, info)
        lines.append(f"- {code_line(info, cites.cite(own) if own else '')}")
    return "\n".join(lines)


def first_rank(hits: list[Hit], kinds: tuple[str, ...]) -> int:
    ranks = [n for n, h in enumerate(relevant(hits)) if h.passage.kind in kinds]
    return ranks[0] if ranks else 99


def relevant(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if {"exact", "lexical", "index"} & set(h.via)]


def candidates(hits: list[Hit]) -> list[Hit]:
    return [h for h in relevant(hits) if h.passage.kind == "code" and h.passage.code][:5]


def code_line(info: CodeInfo, cite: str) -> str:
    system = f"{SYSTEM_NAMES.get(info.system, info.system)} {info.version}"
    if info.system == "icd9cm":
        status = "retired ICD-9-CM code, not reportable"
    elif info.billable:
        status = "billable"
    else:
        status = f"not billable ({info.level})"
    return f"**{info.code}** {info.title} — {status}, {system} {cite}"


def code_block(catalog: Catalog, ref: CodeRef, cites: Citations) -> str:
    info = catalog.lookup(ref.code)
    own = own_passage(catalog, info)
    lines = [code_line(info, cites.cite(own) if own else "")]
    if info.system == "icd9cm":
        lines += crosswalk_lines(catalog, info, cites)
    if not info.billable and info.children and info.system != "icd9cm":
        shown = ", ".join(f"{c} {t}" for c, t in info.children[:12])
        more = f" and {len(info.children) - 12} more" if len(info.children) > 12 else ""
        lines.append(f"- Choose a more specific code: {shown}{more}")
    lines += note_lines(catalog, info, cites)
    return "\n".join(lines)


def own_passage(catalog: Catalog, info: CodeInfo) -> Passage | None:
    parent = info.parents[0][0] if info.parents else None
    found = catalog.own_passage_id(info.system, info.code, parent)
    return catalog.passage(found) if found else None


def crosswalk_lines(catalog: Catalog, info: CodeInfo, cites: Citations) -> list[str]:
    lines = []
    for _, code, flags in info.mappings:
        target = catalog.lookup(code)
        passage = own_passage(catalog, target)
        kind = "approximate" if flags[:1] == "1" else "equivalent"
        lines.append(
            f"- GEMs {kind} match: {code_line(target, cites.cite(passage) if passage else '')}"
        )
    return lines or ["- GEMs give no ICD-10-CM target for this code."]


def note_lines(catalog: Catalog, info: CodeInfo, cites: Citations) -> list[str]:
    near = {info.code} | {code for code, _ in info.parents[:3] if "-" not in code}
    grouped: dict[tuple[str, str], list[str]] = {}
    sevenths: dict[str, list[str]] = {}
    for at, kind, text in info.notes:
        if kind == "seventh" and not info.billable:
            sevenths.setdefault(at, []).append(text)
        elif at in near and kind in NOTE_LABELS:
            grouped.setdefault((at, kind), []).append(text)
    lines = []
    for (at, kind), texts in grouped.items():
        cite = cite_code(catalog, info.system, at, cites)
        lines.append(f"- {NOTE_LABELS[kind]} (at {at}): {'; '.join(texts)} {cite}")
    for at, texts in list(sevenths.items())[:1]:
        lines.append(
            f"- Needs a 7th character (from {at}): {'; '.join(texts)} "
            f"{cite_code(catalog, info.system, at, cites)}"
        )
    return lines


def cite_code(catalog: Catalog, system: str, code: str, cites: Citations) -> str:
    passage = catalog.passage(passage_id(f"{system}-tabular", code))
    return cites.cite(passage) if passage else ""


def candidates_block(
    catalog: Catalog,
    query: Query,
    hits: list[Hit],
    cites: Citations,
    shown: set[str],
    title: str = "Candidate codes:",
) -> str:
    found = [h for h in candidates(hits) if h.passage.code not in shown]
    if not found:
        return ""
    index_lines = [h.passage for h in relevant(hits) if h.passage.kind == "index"]
    lines = [title]
    for hit in found:
        p = hit.passage
        status = (
            "" if "not billable" not in p.text else " — not billable: choose a more specific code"
        )
        status = reporting_codes(catalog, p, query) or status
        line = f"- {label(p)}{status} {cites.cite(p)}"
        support = next((i for i in index_lines if p.code in i.codes), None)
        if support:
            line += f" — index: {support.title} {cites.cite(support)}"
        lines.append(line)
    return "\n".join(lines)


def guideline_block(question: str, hits: list[Hit], cites: Citations, count: int = 2) -> str:
    """Quotes of the guideline passages that words of the question (or a term the guidelines
    rule on) support; a question in prose often turns on a rule of its condition's chapter
    and a general one, so it gets three."""
    lines = []
    ruled = [h for h in hits if {"exact", "lexical", "index", "defined"} & set(h.via)]
    # a heading alone ("d. Ventilator associated Pneumonia") says no rule: it is named, not
    # quoted
    quoted = [h for h in ruled if not heading_only(h.passage)][:count]
    for hit in quoted:
        p = hit.passage
        quote = best_sentences(question, p.text)
        where = f"Section {p.section}" if p.section else p.title
        page = f", page {p.page}" if p.page else ""
        lines.append(f"> {quote}\n\n— {where}{page} {cites.cite(p)}")
    further = [h.passage for h in ruled if h not in quoted and h.passage.section][:ALSO_SEE]
    if lines and further:
        # the rule a question turns on is often a sibling of the best match (I.C.5.b.2 beside
        # I.C.5.b.4): name the next sections, so the coder can open them
        named = "; ".join(f"{p.section} {p.title.strip()} {cites.cite(p)}" for p in further)
        lines.append(f"Other sections that may apply: {named}")
    return "\n\n".join(lines)


def heading_only(passage: Passage) -> bool:
    """A guideline passage that holds its heading and nothing more."""
    return len(passage.text.strip()) <= len(passage.title.strip()) + HEADING_SLACK


def best_sentences(question: str, text: str, count: int = 2) -> str:
    words = {w for w in re.findall(r"[a-z]{3,}", question.lower())}
    sentences = re.split(r"(?<=[.;])\s+", text)
    scored = sorted(
        range(len(sentences)),
        key=lambda i: -len(words & set(re.findall(r"[a-z]{3,}", sentences[i].lower()))),
    )
    keep = sorted(scored[:count])
    quote = " ".join(sentences[i] for i in keep)
    return re.sub(r"\[(\d{1,3})\]", r"(\1)", quote)  # a quote cannot forge a citation marker


def documents_block(question: str, hits: list[Hit], cites: Citations) -> str:
    """Definitions and the user's own documents (payer policies, LCDs) that match."""
    found = [h.passage for h in relevant(hits)[:5] if h.passage.kind in ("document", "definition")]
    lines = []
    for p in found[:2]:
        where = p.trail or p.title
        page = f", page {p.page}" if p.page else ""
        lines.append(f"> {best_sentences(question, p.text)}\n\n— {where}{page} {cites.cite(p)}")
    return "\n\n".join(lines)
