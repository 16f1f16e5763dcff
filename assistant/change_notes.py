"""What an edition did to a code, as a passage an answer can cite and a user can open: "ICD-10-CM
FY2027 (dates of service from 2026-10-01): I42.0 Dilated cardiomyopathy is deleted; report one
of I42.00, I42.01, I42.09". Built from the valid-code lists (code_lists.py) when asked for, with
the loaded titles; its id names the system, edition and code, so /v1/passages/{id} opens it."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.catalog import Catalog
from assistant.changes import EDITIONS, extending, previous
from assistant.code_lists import CODE_LISTS, FormatChanged
from assistant.codes import display, to_key
from assistant.editions import FISCAL_SYSTEMS, first_day
from assistant.models import Passage
from assistant.validity import NAMES

SOURCE = "cms-code-editor-tables"
ID = re.compile(r"changes:(icd10cm|icd10pcs):(FY20\d\d):([0-9A-Z]{3,7})")
KNOWN = EDITIONS[1:]  # an edition the lists hold, after their first


def change_id(system: str, edition: str, key: str) -> str:
    return f"changes:{system}:{edition}:{key}"


def lists(system: str, edition: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The codes valid on the first day of the edition before and of ``edition``."""
    if system not in FISCAL_SYSTEMS or edition not in KNOWN:
        return None
    old = previous(edition)
    try:
        return (
            CODE_LISTS.valid_on(system, first_day(old)),
            CODE_LISTS.valid_on(system, first_day(edition)),
        )
    except (ImportError, OSError, FormatChanged, KeyError):
        return None


@lru_cache(maxsize=8)
def ordered(system: str, edition: str) -> list[str]:
    """The codes valid in ``edition``, sorted once (a deleted code's extensions are looked up
    in it)."""
    held = lists(system, edition)
    return sorted(held[1]) if held else []


def change_passage(catalog: Catalog, system: str, edition: str, key: str) -> Passage | None:
    """The record of what ``edition`` did to one code (added, or deleted with the codes that
    extend it); None when it did neither."""
    held = lists(system, edition)
    if held is None:
        return None
    before, after = held
    if (key in before) == (key in after):
        return None
    code = display(system, key)
    titles = catalog.titles(system, [key[:cut] for cut in range(3, len(key) + 1)])
    since = first_day(edition).isoformat()
    head = f"{NAMES[system]} {edition} (dates of service from {since}): {code}"
    if key in after:
        parent = next(
            (titles[key[:c]] for c in range(len(key) - 1, 2, -1) if key[:c] in titles), None
        )
        under = f", under {parent[0]} {parent[1]}" if parent else ""
        title = titles[key][1] if key in titles else "(title not loaded here)"
        text = f"{head} {title} is a new code{under}."
        replaced: list[str] = []
        what = "added"
    else:
        title = titles[key][1] if key in titles else ""
        replaced = [display(system, k) for k in extending(ordered(system, edition), key)]
        instead = f"; report one of {', '.join(replaced)} instead" if replaced else ""
        text = f"{head} {title} is deleted{instead}.".replace("  ", " ")
        what = "deleted"
    return Passage(
        id=change_id(system, edition, key),
        source=SOURCE,
        system=system,
        kind="change",
        text=text,
        version=edition,
        title=f"{code} {what} in {edition}",
        code=code,
        codes=(code, *replaced),
        edition=edition,
    )


def by_id(catalog: Catalog, passage_id: str) -> Passage | None:
    """The change record a ``changes:...`` id names, or None."""
    match = ID.fullmatch(passage_id)
    if match is None:
        return None
    return change_passage(catalog, match.group(1), match.group(2), match.group(3))


def within(catalog: Catalog, system: str, edition: str, prefixes: list[str]) -> list[Passage]:
    """The change records of ``edition`` for codes under any of ``prefixes`` (categories,
    "I42"), deleted codes first."""
    held = lists(system, edition)
    if held is None or not prefixes:
        return []
    before, after = held
    starts = tuple(to_key(p) for p in prefixes)
    changed = sorted(k for k in before ^ after if k.startswith(starts))
    found = [change_passage(catalog, system, edition, key) for key in changed]
    return sorted((p for p in found if p), key=lambda p: (p.title.split()[1] != "deleted", p.id))


ASKS = re.compile(
    r"\b(?:chang\w*|new codes?|added|delet\w*|retired|still (?:a )?valid|still (?:be )?used|"
    r"still reportable|valid (?:in|for|after|on)|replaced|updates?)\b",
    re.I,
)
NAMED_EDITION = re.compile(r"\bFY ?(20\d\d)\b", re.I)
SHOWN = 12


def asked(
    catalog: Catalog,
    question: str,
    named: list[tuple[str, str]],
    found: list[tuple[str, str]],
    edition: str | None,
) -> list[Passage]:
    """The change records an answer shows: for each code the question names, what the edition
    of the date of service (or the one it names: "in FY2027") did to it; and when it asks what
    changed ("what changed in FY2027 for cardiomyopathy?"), every change in the categories of
    the codes it names or retrieval found. ``named``, ``found``: (system, code)."""
    stated = NAMED_EDITION.search(question)
    edition = f"FY{stated.group(1)}" if stated else edition
    if edition is None:
        return []
    out = [
        p
        for system, code in named
        if (p := change_passage(catalog, system, edition, to_key(code))) is not None
    ]
    if ASKS.search(question):
        categories: dict[str, list[str]] = {}
        for system, code in [*named, *found]:
            if system in FISCAL_SYSTEMS:
                heads = categories.setdefault(system, [])
                if to_key(code)[:3] not in heads and len(heads) < 3:
                    heads.append(to_key(code)[:3])
        for system, heads in categories.items():
            out += within(catalog, system, edition, heads)
    return list({p.id: p for p in out}.values())[:SHOWN]
