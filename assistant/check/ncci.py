"""NCCI edits on an encounter's HCPCS and CPT lines, from the CMS tables a user loaded
(``medcode ingest`` reads the quarterly PTP and MUE files; see ingest/loaders/ncci.py):

- procedure-to-procedure: a pair in force on the date of service whose column 2 code is billed
  with its column 1 code. Modifier indicator 0: never paid together; 1: paid together only with
  a modifier CMS allows to bypass the edit on either code; 9: no edit.
- medically unlikely edits: units of a code over its MUE value, on a line (indicator 1) or on
  the day (2, policy: an error; 3, clinical: a warning, documentation may support more).

Practitioner tables apply to professional claims, hospital ones to outpatient claims; NCCI does
not edit inpatient facility claims. A table not loaded is said as an info finding."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from datetime import date

from assistant.catalog import Catalog
from assistant.check.context import Context, Line
from assistant.check.model import Finding, Severity
from assistant.check.tables import row_passage
from assistant.editions import in_effect, starts
from assistant.models import Passage

SETTINGS = {"professional": "practitioner", "outpatient": "hospital"}
# CMS's NCCI-associated modifiers: distinct service, anatomic, global surgery, repeat test
BYPASS = {
    "59", "XE", "XP", "XS", "XU", "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4",
    "F5", "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
    "LT", "RT", "LC", "LD", "RC", "LM", "RI", "24", "25", "57", "58", "78", "79", "27", "91",
}  # fmt: skip
INDICATORS = {"0": "not allowed", "1": "allowed", "9": "not applicable"}
MUE_KINDS = {
    "1": "line edit",
    "2": "date of service edit: policy",
    "3": "date of service edit: clinical",
}
OFFERED = "cms.gov, Medicare NCCI edits (PTP and MUE files, quarterly)"
ID = re.compile(r"ncci:(ncci-(?:ptp|mue)-[a-z]+@\d{4}-\d{2}):(\d+)")


def shelf_for(catalog: Catalog, source: str, day: date) -> str | None:
    """The loaded quarter of an NCCI table for a date of service (the oldest when every one is
    later)."""
    editions = {e: shelf for name, e, shelf in catalog.editions() if name == source}
    if not editions:
        return None
    picked = in_effect(list(editions), day) or min(editions, key=lambda e: starts(e) or day)
    return editions[picked]


def as_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def check(ctx: Context) -> list[Finding]:
    setting = SETTINGS.get(ctx.encounter.setting)
    lines = [x for x in ctx.procedures if x.system in ("hcpcs", "cpt")]
    if setting is None or not lines:
        return []
    found = []
    for kind, run in (("ptp", pairs), ("mue", units)):
        shelf = shelf_for(ctx.catalog, f"ncci-{kind}-{setting}", ctx.day)
        if shelf is None:
            message = (f"NCCI {kind.upper()} edits ({setting}) are not loaded: not checked "
                       f"(load the CMS {setting} {kind.upper()} file; {OFFERED})")  # fmt: skip
            found.append(ctx.finding("info", f"ncci_{kind}_not_loaded", message, []))
        else:
            found += run(ctx, lines, shelf)
    return found


def pairs(ctx: Context, lines: list[Line], shelf: str) -> list[Finding]:
    day = as_number(ctx.day)
    found = []
    for first in lines:
        for second in lines:
            if first is second or first.key == second.key:
                continue
            row = ctx.catalog.ptp_edit(shelf, first.key, second.key, day)
            if row is not None and row["indicator"] != "9":
                found.append(pair_finding(ctx, first, second, row))
    return found


def pair_finding(ctx: Context, first: Line, second: Line, row: sqlite3.Row) -> Finding:
    cited = [edit_passage(row)]
    said = f"NCCI PTP ({row['rationale'] or 'no rationale given'})"
    if row["indicator"] == "0":
        message = (f"{said}: {second.code} is not paid with {first.code} on the same day; "
                   "modifier indicator 0: no modifier bypasses the edit")  # fmt: skip
        return ctx.finding("error", "ncci_ptp", message, [first, second], cited)
    used = sorted(BYPASS & {*first.modifiers, *second.modifiers})
    if used:
        message = (f"{said}: {second.code} with {first.code} is paid only when the services are "
                   f"distinct; modifier {', '.join(used)} bypasses the edit (indicator 1): the "
                   "record must support it")  # fmt: skip
        return ctx.finding("info", "ncci_ptp_bypassed", message, [first, second], cited)
    message = (f"{said}: {second.code} is a column 2 code of {first.code}: not paid with it "
               "unless a distinct service is shown with an NCCI-associated modifier (59, XE, "
               "XP, XS, XU or an anatomic one; indicator 1)")  # fmt: skip
    return ctx.finding("error", "ncci_ptp", message, [first, second], cited)


def units(ctx: Context, lines: list[Line], shelf: str) -> list[Finding]:
    by_code: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_code[line.key].append(line)
    found = []
    for key, same in by_code.items():
        row = ctx.catalog.mue_edit(shelf, key)
        if row is None:
            continue
        limit, kind = int(row["value"]), str(row["indicator"])
        over = [x for x in same if x.units > limit] if kind == "1" else (
            same if sum(x.units for x in same) > limit else []
        )  # fmt: skip
        if over:
            found.append(mue_finding(ctx, over, row))
    return found


def mue_finding(ctx: Context, over: list[Line], row: sqlite3.Row) -> Finding:
    billed = sum(x.units for x in over) if row["indicator"] != "1" else max(x.units for x in over)
    kind = MUE_KINDS[str(row["indicator"])]
    severity: Severity = "warning" if row["indicator"] == "3" else "error"
    where = "on one line" if row["indicator"] == "1" else "on the day"
    appeal = "; documentation may support more on appeal" if severity == "warning" else ""
    message = (
        f"NCCI MUE: {billed} units of {over[0].code} {where}; the most CMS pays is "
        f"{row['value']} (MUE adjudication indicator {row['indicator']}, {kind}{appeal})"
    )
    return ctx.finding(severity, "ncci_mue", message, over, [edit_passage(row)])


def edit_passage(row: sqlite3.Row) -> Passage:
    shelf = str(row["shelf"])
    source, _, edition = shelf.partition("@")
    if row["kind"] == "ptp":
        deleted = row["deleted"] or "none"
        text = (
            f"Column 1 {row['code']}, column 2 {row['other']}: effective "
            f"{row['effective']}, deleted {deleted}, modifier indicator {row['indicator']} "
            f"({INDICATORS.get(row['indicator'], '?')}). Rationale: {row['rationale']}."
        )
        title = f"NCCI PTP {row['setting']} edit {row['code']} / {row['other']}"
    else:
        text = (f"{row['code']}: MUE value {row['value']}, adjudication indicator "
                f"{row['indicator']} ({MUE_KINDS.get(row['indicator'], '?')}). Rationale: "
                f"{row['rationale']}.")  # fmt: skip
        title = f"NCCI MUE {row['setting']}: {row['code']}"
    text += f" (CMS NCCI table, quarter {edition}, line {row['line']} of the file.)"
    return row_passage(f"ncci:{shelf}:{row['line']}", source, title, text, edition)


def by_id(catalog: Catalog, passage_id: str) -> Passage | None:
    match = ID.fullmatch(passage_id)
    if match is None:
        return None
    row = catalog.edit_row(match.group(1), int(match.group(2)))
    return edit_passage(row) if row else None
