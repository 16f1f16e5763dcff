"""Which edition of each code set is in effect today, and whether the loaded titles are of it:
shown by `medcode sources`, GET /v1/sources, /readyz and the widget's header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from assistant.catalog import Catalog
from assistant.code_lists import CODE_LISTS, FormatChanged
from assistant.editions import FISCAL_SYSTEMS, edition, first_day
from assistant.settings import Settings
from assistant.validity import NAMES, TABULAR, VALIDITY

QUARTERS = ((1, "JAN"), (4, "APR"), (7, "JUL"), (10, "OCT"))
CODE_SOURCES = {"icd10cm-tabular": "icd10cm", "icd10pcs-tables": "icd10pcs", "hcpcs": "hcpcs"}


@dataclass(frozen=True)
class Currency:
    system: str
    in_effect: str  # the edition in effect on ``today``
    since: str  # its first date of service
    loaded: str | None  # the edition of the loaded codes
    current: bool
    message: str

    def public(self) -> dict[str, object]:
        return asdict(self)


def today(settings: Settings) -> date:
    """Today in the server's time zone (MEDCODE_TIMEZONE)."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def quarter(day: date) -> tuple[str, date]:
    """The HCPCS quarterly release in effect on ``day`` ("2026 OCT") and its first day."""
    month, name = [(m, n) for m, n in QUARTERS if m <= day.month][-1]
    return f"{day.year} {name}", date(day.year, month, 1)


def currency(catalog: Catalog, day: date) -> list[Currency]:
    """Read off the sources table (a few rows), not the codes: /readyz asks on every poll."""
    loaded: dict[str, list[str]] = {}
    for row in catalog.sources():
        if str(row["name"]) in CODE_SOURCES:
            system = CODE_SOURCES[str(row["name"])]
            held = row["edition"] if system in FISCAL_SYSTEMS else row["version"]
            loaded.setdefault(system, []).append(str(held or row["version"]))
    out = []
    for system in FISCAL_SYSTEMS:
        wanted = edition(day)
        since = first_day(wanted)
        newest = nearest(loaded.get(system, []), wanted, lambda e: e)
        stale = f"{NAMES[system]} {wanted} has been in effect since {since}; titles loaded: "
        if newest:
            stale += newest + (
                counts(system, first_day(newest), since, day) if newest[:2] == "FY" else ""
            )
        stale += f": load the {wanted} {TABULAR[system]}"
        label = f"{NAMES[system]} {wanted} is"
        out.append(judged(system, label, NAMES[system], wanted, since, newest, stale))
    wanted, since = quarter(day)
    newest = nearest(loaded.get("hcpcs", []), wanted, release_order)
    stale = f"HCPCS {wanted} is the quarter in effect since {since}; loaded: {newest}: "
    stale += f"load the {wanted} file from CMS"
    label = f"HCPCS {wanted} is the quarter"
    out.append(judged("hcpcs", label, "HCPCS", wanted, since, newest, stale))
    return out


def nearest(held: list[str], wanted: str, order: Callable[[str], Any]) -> str | None:
    """The edition wanted when it is loaded, else the newest loaded (None: none is)."""
    return wanted if wanted in held else max(held, key=order, default=None)


def judged(
    system: str, label: str, kind: str, wanted: str, since: date, newest: str | None, stale: str
) -> Currency:
    if newest == wanted:
        message = f"{label} in effect and loaded"
    elif newest is None:
        message = f"{label} in effect; no {kind} codes are loaded"
    else:
        message = stale
    return Currency(system, wanted, since.isoformat(), newest, newest == wanted, message)


def counts(system: str, old: date, new: date, day: date) -> str:
    """ "; 190 codes added, 30 deleted", or nothing when the lists do not cover ``day`` or
    cannot be read."""
    if not VALIDITY.covers(day):
        return ""
    try:
        before, after = CODE_LISTS.valid_on(system, old), CODE_LISTS.valid_on(system, new)
    except (ImportError, OSError, FormatChanged):
        return ""
    return f"; {len(after - before)} codes added, {len(before - after)} deleted"


def release_order(name: str) -> tuple[int, int]:
    """ "2025 OCT" -> (2025, 10); anything else first."""
    year, _, month = name.partition(" ")
    months = {n: m for m, n in QUARTERS}
    return (int(year), months.get(month, 0)) if year.isdigit() else (0, 0)


def annotated(catalog: Catalog, day: date, paths: bool) -> list[dict[str, object]]:
    """The loaded sources, each code-set source with the edition in effect on ``day`` and
    whether it is that one; ``paths``: with the files' paths (the operator's business: the
    command line shows them, the API does not)."""
    by_system = {c.system: c for c in currency(catalog, day)}
    in_use = set(catalog.in_use())
    out = []
    for row in catalog.sources():
        found = by_system.get(CODE_SOURCES.get(str(row["name"]), ""))
        entry = {k: v for k, v in row.items() if paths or k != "path"}
        entry["in_use"] = row["shelf"] in in_use  # False: an older edition, kept beside
        entry["in_effect"] = found.in_effect if found else None
        entry["current"] = found.in_effect in (row["edition"], row["version"]) if found else None
        entry["currency"] = found.message if found else None
        out.append(entry)
    return out
