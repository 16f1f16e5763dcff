"""The edition in effect on a day, against the loaded one."""

from __future__ import annotations

from datetime import date

from assistant.catalog import Catalog
from assistant.currency import currency, quarter, release_order
from assistant.settings import Settings


def test_quarters_of_hcpcs() -> None:
    assert quarter(date(2026, 12, 2)) == ("2026 OCT", date(2026, 10, 1))
    assert quarter(date(2026, 3, 31)) == ("2026 JAN", date(2026, 1, 1))
    assert quarter(date(2026, 4, 1)) == ("2026 APR", date(2026, 4, 1))
    assert max(["2025 OCT", "2026 JAN", "2025 JUL"], key=release_order) == "2026 JAN"


def test_the_loaded_titles_are_older_than_the_edition_in_effect(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    found = {c.system: c for c in currency(catalog, date(2026, 12, 2))}
    cm = found["icd10cm"]
    assert (cm.in_effect, cm.since, cm.loaded, cm.current) == (
        "FY2027", "2026-10-01", "FY2026", False
    )  # fmt: skip
    assert "titles loaded: FY2026; 190 codes added, 30 deleted" in cm.message
    assert found["hcpcs"].loaded is None and "no HCPCS codes are loaded" in found["hcpcs"].message
    september = {c.system: c for c in currency(catalog, date(2026, 9, 1))}
    assert september["icd10cm"].current and september["icd10cm"].message.endswith("and loaded")
