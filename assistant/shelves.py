"""Which loaded source editions a date of service, or an edition named in a search, selects.
A shelf is one edition of one source ("icd10pcs-tables@FY2025"); the catalog keeps every
edition loaded, and reads the newest of each source unless told otherwise."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from assistant.catalog import Catalog
from assistant.editions import in_effect, starts
from assistant.errors import EditionNotLoaded, InvalidField
from assistant.filters import Filters

Shelves = tuple[str, ...]
EDITION_FORM = r"FY20\d\d|20\d\d-(01|04|07|10)"  # an edition's name, as editions.edition_name gives


def by_source(catalog: Catalog) -> dict[str, dict[str, str]]:
    """Each loaded source's editions: {source: {edition: shelf}}."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for source, edition, shelf in catalog.editions():
        found[source][edition] = shelf
    return dict(found)


@dataclass(frozen=True)
class Chosen:
    """The source editions a date of service selects, and what to tell the user about them."""

    shelves: Shelves  # () when they are the editions in use
    notes: dict[str, str]  # source -> why its edition is not the one in effect that day


def on_day(catalog: Catalog, day: date) -> Chosen:
    """Of each source, the newest edition loaded that was in effect on ``day``. Where every
    loaded edition starts later, the oldest, with a note naming the editions loaded (its titles
    are the nearest held; the valid-code lists still judge each code for the day itself)."""
    chosen, notes = [], {}
    for source, editions in by_source(catalog).items():
        names = list(editions)
        picked = in_effect(names, day)
        if picked is None:
            picked = min(names, key=lambda e: starts(e) or date.min)
            notes[source] = (
                f"{day.isoformat()} is before every {source} edition loaded here (editions "
                f"loaded: {', '.join(sorted(names))}); {picked}, the oldest, is used"
            )
        chosen.append(editions[picked])
    return Chosen(in_use_or(catalog, tuple(sorted(chosen))), notes)


def dated(catalog: Catalog, filters: Filters, day: date) -> tuple[Filters, list[str]]:
    """``filters`` searching the editions in effect on ``day``, and the notes to show."""
    chosen = on_day(catalog, day)
    return replace(filters, shelves=chosen.shelves), list(chosen.notes.values())


def of_edition(catalog: Catalog, edition: str, field: str = "edition") -> Shelves:
    """Every loaded source edition called ``edition``; an error naming the field (and the
    editions loaded, when it is well formed but none is)."""
    if not re.fullmatch(EDITION_FORM, edition):
        raise InvalidField(field, f"{edition!r} is not an edition (FY2026, or 2025-10 for HCPCS)")
    shelves = tuple(sorted(s for _, e, s in catalog.editions() if e == edition))
    if not shelves:
        raise EditionNotLoaded(field, f"{edition!r} is not loaded here; {loaded(catalog)}")
    return shelves


def in_use_or(catalog: Catalog, shelves: Shelves) -> Shelves:
    """``shelves``, or () when they are exactly the editions in use (reads take the fast
    path)."""
    return () if set(shelves) == set(catalog.in_use()) else shelves


def loaded(catalog: Catalog) -> str:
    """The editions loaded, for a message: "editions loaded: icd10pcs-tables FY2025, FY2026;
    ..."."""
    parts = [
        f"{source} {', '.join(sorted(editions))}"
        for source, editions in sorted(by_source(catalog).items())
        if any(editions)
    ]
    return "editions loaded: " + ("; ".join(parts) if parts else "none")
