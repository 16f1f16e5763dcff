"""The last step before an answer leaves: every code-like string is checked against the catalog,
unknown codes and category headers presented as codes are marked, stray citations removed."""

from __future__ import annotations

import re

from assistant.answer_types import Answer, CodeCheck
from assistant.catalog import Catalog

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


def check(catalog: Catalog, raw: str) -> CodeCheck:
    code = raw.removeprefix("CPT").strip()
    rows = catalog.find(code, written=True)
    if not rows:
        return CodeCheck(
            code=code, system=None, title=None, billable=False, valid=False, version=None
        )
    row = rows[0]
    return CodeCheck(
        code=row["code"],
        system=row["system"],
        title=row["title"],
        billable=bool(row["billable"]),
        valid=True,
        version=row["version"],
    )


def check_text(
    text: str, catalog: Catalog, known: set[int]
) -> tuple[str, list[CodeCheck], list[str]]:
    """Mark unknown codes and headers presented as codes; drop markers that cite nothing."""
    checks: dict[str, CodeCheck] = {}
    warnings: list[str] = []
    for match in reversed(list(CODE_LIKE.finditer(text))):
        result = check(catalog, match.group(0))
        checks.setdefault(result.code, result)
        mark = mark_for(result, text, match.start(), match.end())
        if mark:
            text = text[: match.end()] + mark + text[match.end() :]
            warnings.append(
                f"{result.code} is not a code in the loaded code sets; it was marked"
                if mark == UNKNOWN
                else f"{result.code} is a category header, not a billable code; it was marked"
            )
    text = MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in known else "", text)
    return text, list(reversed(checks.values())), list(reversed(warnings))


def validate(answer: Answer, catalog: Catalog) -> Answer:
    known = {c.n for c in answer.citations}
    text, checks, warnings = check_text(answer.answer, catalog, known)
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

    def __init__(self, catalog: Catalog, known: set[int]) -> None:
        self.catalog = catalog
        self.known = known
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
        out, checks, warnings = check_text(ready, self.catalog, self.known)
        for result in checks:
            self.codes.setdefault(result.code, result)
        self.warnings += warnings
        self.text += out
        return out


def is_header(result: CodeCheck) -> bool:
    return result.valid and not result.billable and result.system in ("icd10cm", "icd10pcs")


REFERENCE = re.compile(r"(?:\bat|\bfrom|\bsee|\bunder|\bcategory|\bsubcategory)\s+$", re.I)
SAYS_SO = ("not billable", "choose a more specific", "category", "subcategory")


def mark_for(result: CodeCheck, text: str, start: int, end: int) -> str:
    """A mark for an unknown code, or for a category header presented as a reportable code. A
    header that the text itself calls one, or only refers to, is left alone."""
    if not result.valid:
        return UNKNOWN if not text[end:].startswith(UNKNOWN) else ""
    if not is_header(result) or text[end:].startswith(HEADER):
        return ""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before, line = text[line_start:start], text[line_start : None if line_end < 0 else line_end]
    if any(words in line.lower() for words in SAYS_SO) or REFERENCE.search(before):
        return ""
    if before.count("(") > before.count(")"):
        return ""  # inside parentheses: a note quoting a range or a reference
    return HEADER
