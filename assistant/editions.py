"""Which edition of a code set is in effect on a date of service. ICD-10-CM and ICD-10-PCS
change every October 1: a date belongs to the fiscal year that starts on the October 1 before
it (2026-11-15 is FY2027, 2026-09-15 FY2026)."""

from __future__ import annotations

import re
from datetime import date

from assistant.errors import InvalidField

FISCAL_SYSTEMS = ("icd10cm", "icd10pcs")


def fiscal_year(day: date) -> int:
    return day.year + 1 if (day.month, day.day) >= (10, 1) else day.year


def edition(day: date) -> str:
    """The fiscal-year edition in effect on ``day``: "FY2027"."""
    return f"FY{fiscal_year(day)}"


def first_day(name: str) -> date:
    """The first date of service of a fiscal-year edition ("FY2027": 2026-10-01)."""
    return date(int(name.removeprefix("FY")) - 1, 10, 1)


def parse_day(value: str, field: str = "date_of_service") -> date:
    """An ISO date (YYYY-MM-DD), or an error naming the field."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidField(field, f"{value!r} is not a date as YYYY-MM-DD") from None


QUARTERS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}


def edition_name(version: str) -> str:
    """The edition a source's version names, in a form that sorts by date: "FY2026" for
    ICD-10-CM/PCS ("FY2026 (April 1, 2026 update)" too), "2025-10" for an HCPCS quarterly file
    ("2025 OCT"); "" for a source with one edition only (GEMs, a user's document), which a new
    load replaces."""
    fiscal = re.search(r"\bFY ?(\d{4})\b", version)
    if fiscal:
        return f"FY{fiscal.group(1)}"
    quarterly = re.fullmatch(r"(\d{4})[ -](JAN|APR|JUL|OCT)", version.strip().upper())
    if quarterly:
        return f"{quarterly.group(1)}-{QUARTERS[quarterly.group(2)]:02d}"
    return ""


def shelf_name(source: str, edition: str) -> str:
    """One edition of one source, as stored: "icd10pcs-tables@FY2025"; the source alone when it
    has one edition."""
    return f"{source}@{edition}" if edition else source


def starts(edition: str) -> date | None:
    """The first date of service of an edition ("FY2026": 2025-10-01, "2025-10": 2025-10-01);
    None for a source with one edition."""
    if re.fullmatch(r"FY\d{4}", edition):
        return first_day(edition)
    if re.fullmatch(r"\d{4}-\d{2}", edition):
        return date(int(edition[:4]), int(edition[5:]), 1)
    return None


def in_effect(editions: list[str], day: date) -> str | None:
    """Of one source's loaded ``editions``, the one for ``day``: the newest that started on or
    before it; None when every one starts later (the day is older than all that is loaded)."""
    started = [e for e in editions if (s := starts(e)) is None or s <= day]
    return max(started, key=lambda e: starts(e) or date.min) if started else None
