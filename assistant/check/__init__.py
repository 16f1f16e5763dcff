"""Check an encounter's codes: each rule is a small module over one reading of the encounter
(``Context``); ``check`` runs them all and returns one typed report."""

from __future__ import annotations

from assistant.catalog import Catalog
from assistant.check import excludes, existence, grouping, hcc, instructions, mce, ncci, tables
from assistant.check.context import Context
from assistant.check.model import Drg, Encounter, Finding, Report
from assistant.models import Passage
from assistant.validity import VALIDITY, Validity

RULES = (
    existence.check,
    existence.duplicates,
    excludes.check,
    instructions.check,
    mce.check,
    ncci.check,
)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def check(catalog: Catalog, encounter: Encounter, validity: Validity = VALIDITY) -> Report:
    ctx = Context(catalog, encounter, validity)
    findings = [f for rule in RULES for f in rule(ctx)] + edition_notes(ctx)
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


READS = {  # the sources the check reads for each code set on an encounter
    "icd10cm": ("icd10cm-tabular", "icd10cm-guidelines"),
    "icd10pcs": ("icd10pcs-tables",),
    "hcpcs": ("hcpcs",),
    "cpt": ("cpt",),
}


def edition_notes(ctx: Context) -> list[Finding]:
    """A date of service before every loaded edition of a source the check reads: its oldest
    edition is read, and the finding says so."""
    read = {source for line in ctx.lines for source in READS.get(line.system, ())}
    notes = [note for source, note in ctx.edition_notes.items() if source in read]
    return [ctx.finding("info", "edition_not_loaded", note, []) for note in notes]


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
    setting = ncci.SETTINGS.get(ctx.encounter.setting)
    for kind in ("ptp", "mue") if setting else ():
        shelf = ncci.shelf_for(ctx.catalog, f"ncci-{kind}-{setting}", ctx.day)
        used[f"ncci-{kind}"] = shelf.partition("@")[2] if shelf else "not loaded"
    return used


def table_passage(catalog: Catalog, passage_id: str) -> Passage | None:
    """A passage of the tables behind findings (MCE, MS-DRG, HCC, NCCI), by id."""
    return tables.by_id(catalog, passage_id) or ncci.by_id(catalog, passage_id)


def any_passage(catalog: Catalog, passage_id: str) -> Passage | None:
    """Any passage a citation may name: a loaded one, a change record or a table row."""
    from assistant import change_notes

    return (
        catalog.passage(passage_id)
        or change_notes.by_id(catalog, passage_id)
        or table_passage(catalog, passage_id)
    )


__all__ = ["Encounter", "Report", "any_passage", "check", "table_passage"]
