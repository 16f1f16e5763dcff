"""Does each code exist, and is it reportable, on the date of service? ICD-10-CM and ICD-10-PCS
against the valid-code lists of the edition in effect (a category header is never reportable, a
7th character must be there and be one the category allows, a placeholder X must be written);
HCPCS against the loaded quarterly file, with its modifiers; CPT is reported as not verifiable
unless the licensed file is loaded."""

from __future__ import annotations

from assistant import change_notes
from assistant.check.context import NAMES, Context, Line
from assistant.check.model import Finding
from assistant.codes import display
from assistant.currency import quarter
from assistant.editions import edition_name
from assistant.validity import CHARACTERS, standing

NUMERIC_MODIFIER = "0123456789"


def check(ctx: Context) -> list[Finding]:
    found: list[Finding] = hcpcs_quarter(ctx)
    for line in ctx.lines:
        if line.system in ("icd10cm", "icd10pcs"):
            found += icd(ctx, line)
        elif line.system == "hcpcs":
            found += hcpcs(ctx, line)
        elif line.system == "cpt":
            found += cpt(ctx, line)
        found += modifiers(ctx, line)
    return found


def icd(ctx: Context, line: Line) -> list[Finding]:
    if line.valid:
        return []
    if line.valid is None:
        if line.row is None:
            return [ctx.finding("error", "unknown_code", f"{line.written}: not a code in the "
                                f"loaded {NAMES[line.system]} files", [line])]  # fmt: skip
        why = ctx.validity.broken or "the valid-code lists cover FY2016 to FY2027"
        message = f"{line.code}: could not be checked for {ctx.day} ({why})"
        return [ctx.finding("info", "not_checked_on_date", message, [line])]
    return [seventh(ctx, line) or placeholder(ctx, line) or header(ctx, line) or invalid(ctx, line)]


def valid_on_day(ctx: Context, line: Line, key: str) -> bool:
    return bool(ctx.valid(line.system, key))


def seventh_holder(ctx: Context, line: Line) -> str | None:
    """The code whose 7th-character note applies to the line's code, if any."""
    key = line.key
    for cut in range(min(len(key), 6), 2, -1):
        if ctx.catalog.note_texts(line.system, key[:cut], "seventh"):
            return key[:cut]
    return None


def seventh(ctx: Context, line: Line) -> Finding | None:
    """A 7th character missing (the code stops at six) or not one the category allows."""
    if line.system != "icd10cm" or len(line.key) < 6:
        return None
    base = line.key[:6]
    allowed = [c for c in CHARACTERS if valid_on_day(ctx, line, base + c)]
    if not allowed:
        return None
    holder = seventh_holder(ctx, line)
    cited = [ctx.code_passage(line.system, display(line.system, holder))] if holder else []
    cited.append(ctx.guideline("I.A.5"))
    shown = display("icd10cm", base)
    if len(line.key) == 6:
        message = (f"{line.written} needs a 7th character: {', '.join(allowed)} "
                   f"({shown}{allowed[0]} ...)")  # fmt: skip
        return ctx.finding("error", "seventh_character_required", message, [line], cited)
    message = (f"{line.written}: {line.key[6]!r} is not a 7th character {shown} takes "
               f"(it takes {', '.join(allowed)})")  # fmt: skip
    return ctx.finding("error", "seventh_character_invalid", message, [line], cited)


def placeholder(ctx: Context, line: Line) -> Finding | None:
    """A code that needs a 7th character written without its placeholder X ("T36.0A")."""
    if line.system != "icd10cm" or not 4 <= len(line.key) < 7:
        return None
    padded = line.key[:-1] + "X" * (7 - len(line.key)) + line.key[-1]
    if not valid_on_day(ctx, line, padded):
        return None
    right = display("icd10cm", padded)
    message = (f"{line.written} is missing its placeholder X: the code is {right} (guideline "
               "I.A.4: a placeholder X keeps the 7th character in the 7th position)")  # fmt: skip
    return ctx.finding("error", "placeholder_x", message, [line], [ctx.guideline("I.A.4")])


def header(ctx: Context, line: Line) -> Finding | None:
    """A category or subcategory: it has codes below it, so it is never reported."""
    row = line.row
    if row is None or row["billable"]:
        return None
    below = ctx.catalog.first_code_below(line.system, line.key, 4)
    more = f"; report a code below it ({', '.join(below)} ...)" if below else ""
    message = f"{line.code} is a {row['level']}, not a reportable code{more}"
    cited = [ctx.code_passage(line.system, line.code), ctx.guideline("I.B.2")]
    return ctx.finding("error", "not_reportable", message, [line], cited)


def invalid(ctx: Context, line: Line) -> Finding:
    """Not valid that day: deleted (and split into which codes), or never a code."""
    said = standing(ctx.catalog, ctx.validity, line.written, ctx.day)
    deleted = "deleted" in said.message
    record = change_notes.by_id(
        ctx.catalog, change_notes.change_id(line.system, ctx.fiscal, line.key)
    )
    rule = "deleted_code" if deleted else "invalid_code"
    return ctx.finding("error", rule, f"{line.written}: {said.message}", [line], [record])


def hcpcs(ctx: Context, line: Line) -> list[Finding]:
    if not ctx.loaded("hcpcs"):
        return [not_loaded(ctx, line, "HCPCS Level II", "the CMS quarterly HCPCS file")]
    edition = ctx.titles_edition("hcpcs") or "loaded"
    if line.row is None or line.row["level"] == "modifier":
        message = f"{line.written}: not an HCPCS code in the {edition} file"
        return [ctx.finding("error", "unknown_code", message, [line])]
    return []


def hcpcs_quarter(ctx: Context) -> list[Finding]:
    """The HCPCS quarter read is not the one in effect on the date of service: a code added or
    ended since is not seen (the quarterly file carries no per-code end date to judge by)."""
    lines = [x for x in ctx.lines if x.system == "hcpcs"]
    held = ctx.titles_edition("hcpcs") if lines else None
    if not held:
        return []
    wanted, _ = quarter(ctx.day)
    wanted_edition = edition_name(wanted)
    if held == wanted_edition:
        return []
    message = (f"HCPCS Level II {wanted} is in effect on {ctx.day}; the codes were checked in "
               f"the {held} file loaded (a code added or ended since is not seen: load the "
               f"{wanted} quarterly file)")  # fmt: skip
    return [ctx.finding("info", "hcpcs_quarter", message, lines)]


def cpt(ctx: Context, line: Line) -> list[Finding]:
    if not ctx.loaded("cpt"):
        return [not_loaded(ctx, line, "CPT", "the AMA's licensed CPT data file")]
    if line.row is None:
        message = f"{line.written}: not a CPT code in the loaded file"
        return [ctx.finding("error", "unknown_code", message, [line])]
    return []


def not_loaded(ctx: Context, line: Line, name: str, file: str) -> Finding:
    message = f"{line.written}: not verifiable: {name} is not loaded (load {file})"
    return ctx.finding("info", "not_verifiable", message, [line])


def modifiers(ctx: Context, line: Line) -> list[Finding]:
    found = []
    for mod in line.modifiers:
        if line.system == "icd10pcs":
            message = f"{line.written}: ICD-10-PCS codes take no modifiers ({mod!r})"
            found.append(ctx.finding("error", "modifier_not_allowed", message, [line]))
        elif mod[:1] in NUMERIC_MODIFIER and not ctx.loaded("cpt"):
            message = f"modifier {mod} is a CPT modifier: not verifiable, CPT is not loaded"
            found.append(ctx.finding("info", "not_verifiable", message, [line]))
        elif unknown_modifier(ctx, mod):
            message = f"modifier {mod!r} on {line.written} is not a known modifier"
            found.append(ctx.finding("error", "unknown_modifier", message, [line]))
    return found


def unknown_modifier(ctx: Context, mod: str) -> bool:
    """Not a modifier of the code set it belongs to, when that set is loaded: a two-digit
    modifier is CPT's, a letter one HCPCS Level II's (CPT's own letter modifiers count too)."""
    if mod[:1] in NUMERIC_MODIFIER:
        return ctx.loaded("cpt") and ctx.row("cpt", mod) is None
    if not ctx.loaded("hcpcs"):
        return False
    return ctx.row("hcpcs", mod) is None and ctx.row("cpt", mod) is None


def duplicates(ctx: Context) -> list[Finding]:
    """A diagnosis code listed twice (guideline I.B.12: each code once per encounter)."""
    seen: dict[str, Line] = {}
    found = []
    for line in ctx.diagnoses:
        first = seen.setdefault(line.key, line)
        if first is not line:
            message = f"{line.code} is listed more than once; report each code once"
            found.append(ctx.finding("warning", "duplicate_code", message, [first, line],
                                     [ctx.guideline("I.B.12")]))  # fmt: skip
    return found
