"""Errors meant for the user. Each carries a stable name and the HTTP status it maps to.

MedcodeError
 +-- BadInput (400)
 |    +-- SourceError (400): a file that cannot be read as the source it claims to be
 |    +-- UnknownFileType (400): no loader recognises a file
 |    +-- InvalidField (422): a field that breaks a limit; the message names it
 +-- NotFound (404)
 |    +-- UnknownCode (404): a code that is not in the loaded code sets
 +-- NotReady (503): the index has not been built
"""

from __future__ import annotations


class MedcodeError(Exception):
    status = 500
    name = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(MedcodeError):
    status = 400
    name = "bad_input"


class SourceError(BadInput):
    name = "bad_source_file"

    def __init__(self, path: object, problem: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line


class UnknownFileType(BadInput):
    name = "unknown_file_type"


class InvalidField(BadInput):
    status = 422
    name = "invalid_request"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def field_path(loc: tuple[int | str, ...]) -> str:
    """A field's place as a user writes it: ``diagnoses[3].code`` (a request body's own
    "body" left out)."""
    said = ""
    for part in loc:
        if part == "body":
            continue
        said += f"[{part}]" if isinstance(part, int) else f".{part}" if said else str(part)
    return said


class NotFound(MedcodeError):
    status = 404
    name = "not_found"


class UnknownCode(NotFound):
    name = "unknown_code"

    def __init__(self, code: str, closest: list[str]) -> None:
        hint = f"; closest valid codes: {', '.join(closest)}" if closest else ""
        super().__init__(f"{code!r} is not a code in the loaded code sets{hint}")
        self.code = code
        self.closest = closest


class InvalidOnDate(UnknownCode):
    """A code the loaded sets do not hold, and not valid on the date of service either."""

    name = "not_valid_on_date"

    def __init__(self, code: str, why: str, closest: list[str]) -> None:
        super().__init__(code, closest)
        self.message = f"{code!r}: {why}"
        self.args = (self.message,)


class EditionNotLoaded(NotFound):
    """A well-formed edition that no loaded source has."""

    name = "edition_not_loaded"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotReady(MedcodeError):
    status = 503
    name = "not_ready"
