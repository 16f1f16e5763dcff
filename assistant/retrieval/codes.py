"""Code passages as the signals reach them: the passage that describes a code, and whether a
passage is a heading (a category or subcategory, which coders do not report)."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.catalog import Catalog
from assistant.codes import to_key
from assistant.filters import Filters
from assistant.models import Passage
from assistant.retrieval.signal import Ranked


def describing(catalog: Catalog, system: str, code: str, filters: Filters) -> Ranked:
    """The passages that describe a code: its own, else its parent's (a 7th-character
    expansion's base code, or the ICD-10-PCS table row that lists the code)."""
    return describing_each(catalog, [(system, code)], filters)[(system, code)]


def describing_each(
    catalog: Catalog, wanted: list[tuple[str, str]], filters: Filters
) -> dict[tuple[str, str], Ranked]:
    """``describing`` of several (system, code) pairs: their own passages read in one query a
    system, a parent's only for a code that has none."""
    codes: dict[str, list[str]] = {}
    for system, code in wanted:
        codes.setdefault(system, []).append(code)
    out: dict[tuple[str, str], Ranked] = {}
    for system, some in codes.items():
        found = catalog.codes_passages(system, list(dict.fromkeys(some)), filters)
        for code in some:
            own = found.get(code)
            out[(system, code)] = (
                [pid for pid, _ in own] if own else parents(catalog, system, code, filters)
            )
    return out


def parents(catalog: Catalog, system: str, code: str, filters: Filters) -> Ranked:
    """The passages of a code's parent that describe it."""
    parent = catalog.parent_key(system, to_key(code))
    if parent is None:
        return []
    found = catalog.code_passages(system, catalog.display(system, parent), filters)
    return [pid for pid, codes in found if system != "icd10pcs" or f'"{code}"' in codes]


def headings(catalog: Catalog, passages: Iterable[Passage]) -> set[str]:
    """The ids of those of ``passages`` that are headings (categories and subcategories,
    which coders do not report), read in one query."""
    keyed = {p.id: to_key(p.code or "") for p in passages if may_be_heading(p)}
    headers = catalog.headers("icd10cm", list(set(keyed.values()))) if keyed else set()
    return {pid for pid, key in keyed.items() if key in headers}


def may_be_heading(passage: Passage) -> bool:
    """Only an ICD-10-CM code passage is held back as a heading."""
    return passage.kind == "code" and bool(passage.code) and passage.system == "icd10cm"
