"""Check an encounter's codes: each rule is a small module over one reading of the encounter
(``Context``); ``check`` runs them all and returns one typed report."""

from __future__ import annotations

from assistant.catalog import Catalog
from assistant.check import excludes, existence, grouping, hcc, instructions, mce
from assistant.check.context import Context
from assistant.check.model import Drg, Encounter, Report
from assistant.validity import VALIDITY, Validity

RULES = (existence.check, existence.duplicates, excludes.check, instructions.check, mce.check)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def check(catalog: Catalog, encounter: Encounter, validity: Validity = VALIDITY) -> Report:
    ctx = Context(catalog, encounter, validity)
    findings = [f for rule in RULES for f in rule(ctx)]
    drg, grouped = grouping.group(ctx)
    risk, mapped = hcc.check(ctx)
    findings = sorted([*findings, *grouped, *mapped], key=lambda f: SEVERITY_ORDER[f.severity])
    return Report(
        date_of_service=ctx.day.isoformat(),
        setting=encounter.setting,
        findings=findings,
        drg=drg,
        hcc=risk,
        editions=editions(ctx, drg),
        citations=ctx.cites.items,
    )


def editions(ctx: Context, drg: Drg | None) -> dict[str, str]:
    used: dict[str, str] = {}
    for system in sorted({x.system for x in ctx.lines}):
        titles = ctx.titles_edition(system)
        if system in ("icd10cm", "icd10pcs"):
            used[system] = ctx.fiscal + (
                f" (titles and notes {titles})" if titles and titles != ctx.fiscal else ""
            )
        else:
            used[system] = titles or "not loaded"
    if ctx.inpatient:
        used["mce"] = ctx.fiscal
    if drg is not None:
        used["ms-drg"] = drg.grouper
    used["cms-hcc"] = f"V28, payment year {hcc.payment_year(ctx)}"
    return used


__all__ = ["Encounter", "Report", "check"]
