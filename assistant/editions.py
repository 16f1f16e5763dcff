"""Which edition of a code set is in effect on a date of service. ICD-10-CM and ICD-10-PCS
change every October 1: a date belongs to the fiscal year that starts on the October 1 before
it (2026-11-15 is FY2027, 2026-09-15 FY2026)."""

from __future__ import annotations

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
