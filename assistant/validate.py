"""The last step before an answer leaves: every code-like string is checked against the catalog,
unknown codes and category headers presented as codes are marked, stray citations removed."""

from __future__ import annotations

import re
from datetime import date

from assistant.answer_types import Answer, CodeCheck
from assistant.catalog import Catalog
from assistant.codes import display, systems_for, to_key
from assistant.editions import FISCAL_SYSTEMS, edition
from assistant.validity import VALIDITY, ever_valid

CODE_LIKE = re.compile(
    r"(?<![\w.-])(?:"
    r"[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"  # ICD-10-CM
    r"|[0-9][0-9A-HJ-NP-Z]{6}"  # ICD-10-PCS
    r"|[A-V][0-9]{4}"  # HCPCS Level II
    r"|(?:CPT\s+)[0-9]{4}[0-9FTU]"  # CPT, only when named as such
    r"|[0-9]{3}\.[0-9]{1,2}"  # ICD-9-CM with its dot
    r")(?![\w-]|\.-|\.[0-9A-Z])"
)
MARKER = re.compile(r"\[(\d{1,3})\]")
UNKNOWN = " ⚠ not a valid code"
HEADER = " ⚠ category, not billable"
NOT_ON_DATE = " ⚠ not valid on the date of service"


def check(catalog: Catalog, raw: str, day: date | None = None) -> CodeCheck:
    """The code as the catalog holds it; with a date of service, an ICD-10-CM or ICD-10-PCS
    code is also checked against the edition in effect then when its loaded title is of
    another edition (see validity.py)."""
    code = raw.removeprefix("CPT").strip()
    rows = catalog.find(code, written=True)
    if not rows:
        return on_date(code, day) or CodeCheck(
            code=code, system=None, title=None, billable=False, valid=False, version=None
        )
    row = rows[0]
    found = CodeCheck(
        code=row["code"],
        system=row["system"],
        title=row["title"],
        billable=bool(row["billable"]),
        valid=True,
        version=row["version"],
    )
    dated = day is not None and found.system in FISCAL_SYSTEMS and found.version != edition(day)
    if day is None or not dated or not found.billable:  # a category stays one
        return found
    system, key = str(found.system), to_key(found.code)
    valid = VALIDITY.valid(system, key, day)
    if valid is None:
        return found
    note = f"valid in {edition(day)}" if valid else f"not valid in {edition(day)}"
    split = [] if valid else VALIDITY.extensions(system, key, day)
    if split:
        note += f"; report one of {', '.join(display(system, k) for k in split)} instead"
    return found.model_copy(
        update={"valid": valid, "billable": valid, "version": edition(day), "note": note}
    )


def on_date(code: str, day: date | None) -> CodeCheck | None:
    """A code the loaded titles lack, valid in the edition in effect on ``day`` (new then)."""
    if day is None:
        return None
    for system in (s for s in systems_for(code) if s in FISCAL_SYSTEMS):
        if VALIDITY.valid(system, to_key(code), day):
            note = f"valid in {edition(day)}; title not loaded"
            return CodeCheck(
                code=code, system=system, title=None, billable=True, valid=True,
                version=edition(day), note=note,
            )  # fmt: skip
    return None


def check_text(
    text: str, catalog: Catalog, known: set[int], day: date | None = None
) -> tuple[str, list[CodeCheck], list[str]]:
    """Mark unknown codes and headers presented as codes; drop markers that cite nothing."""
    checks: dict[str, CodeCheck] = {}
    warnings: list[str] = []
    for match in reversed(list(CODE_LIKE.finditer(text))):
        result = check(catalog, match.group(0), day)
        checks.setdefault(result.code, result)
        mark = mark_for(result, text, match.start(), match.end())
        if mark:
            text = text[: match.end()] + mark + text[match.end() :]
            warnings.append(warning(result, mark, day))
    text = MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in known else "", text)
    return text, list(reversed(checks.values())), list(reversed(warnings))


def warning(result: CodeCheck, mark: str, day: date | None) -> str:
    if mark == NOT_ON_DATE and day is not None:
        instead = (result.note or "").partition("; ")[2]
        return (
            f"{result.code} is not valid in {result.version}, the edition in effect on "
            f"{day.isoformat()}; it was marked" + (f" ({instead})" if instead else "")
        )
    if mark == UNKNOWN:
        return f"{result.code} is not a code in the loaded code sets; it was marked"
    return f"{result.code} is a category header, not a billable code; it was marked"


def validate(answer: Answer, catalog: Catalog, day: date | None = None) -> Answer:
    known = {c.n for c in answer.citations}
    text, checks, warnings = check_text(answer.answer, catalog, known, day)
    return answer.model_copy(
        update={
            "answer": text,
            "codes": checks,
            "warnings": list(dict.fromkeys([*answer.warnings, *warnings])),
        }
    )


class StreamValidator:
    """Validates a stream as it arrives: text is released up to the last white space, so that
    no code or citation marker is cut in two and nothing leaves unchecked."""

    def __init__(self, catalog: Catalog, known: set[int], day: date | None = None) -> None:
        self.catalog = catalog
        self.known = known
        self.day = day
        self.buffer = ""
        self.text = ""
        self.codes: dict[str, CodeCheck] = {}
        self.warnings: list[str] = []

    def feed(self, piece: str) -> str:
        self.buffer += piece
        cut = max(self.buffer.rfind(" "), self.buffer.rfind("\n"))
        if cut < 0:
            return ""
        ready, self.buffer = self.buffer[: cut + 1], self.buffer[cut + 1 :]
        return self.release(ready)

    def finish(self) -> str:
        ready, self.buffer = self.buffer, ""
        return self.release(ready)

    def release(self, ready: str) -> str:
        out, checks, warnings = check_text(ready, self.catalog, self.known, self.day)
        for result in checks:
            self.codes.setdefault(result.code, result)
        self.warnings += warnings
        self.text += out
        return out


def real_code(code: str) -> bool:
    """Valid in some ICD-10-CM or ICD-10-PCS edition the valid-code lists hold."""
    key = to_key(code)
    return any(ever_valid(system, key) for system in FISCAL_SYSTEMS)


def is_header(result: CodeCheck) -> bool:
    return result.valid and not result.billable and result.system in ("icd10cm", "icd10pcs")


REFERENCE = re.compile(r"(?:\bat|\bfrom|\bsee|\bunder|\bcategory|\bsubcategory)\s+$", re.I)
SAYS_SO = ("not billable", "choose a more specific", "category", "subcategory")
SAYS_CHANGED = (" is deleted", " is a new code")  # the lines of a change record


def mark_for(result: CodeCheck, text: str, start: int, end: int) -> str:
    """A mark for an unknown code, or for a category header presented as a reportable code. A
    header that the text itself calls one, or only refers to, is left alone; so are the codes
    of a change record's line, and a code not valid on the date that another is only under."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before, line = text[line_start:start], text[line_start : None if line_end < 0 else line_end]
    if not result.valid:
        mark = NOT_ON_DATE if result.system is not None else UNKNOWN
        # a change record names codes of the edition it describes, valid then or not: real
        # codes of some edition still (a made-up code in such a line is marked)
        explained = (any(words in line for words in SAYS_CHANGED) and real_code(result.code)) or (
            mark == NOT_ON_DATE and REFERENCE.search(before) is not None
        )
        return mark if not text[end:].startswith(mark) and not explained else ""
    if not is_header(result) or text[end:].startswith(HEADER):
        return ""
    if any(words in line.lower() for words in SAYS_SO) or REFERENCE.search(before):
        return ""
    if before.count("(") > before.count(")"):
        return ""  # inside parentheses: a note quoting a range or a reference
    return HEADER
