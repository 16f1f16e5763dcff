"""Code passages as the signals reach them: the passage that describes a code, and whether a
passage is a heading (a category or subcategory, which coders do not report)."""

from __future__ import annotations

from assistant.catalog import Catalog
from assistant.codes import to_key
from assistant.filters import Filters
from assistant.models import Passage
from assistant.retrieval.signal import Ranked


def describing(catalog: Catalog, system: str, code: str, filters: Filters) -> Ranked:
    """The passages that describe a code: its own, else its parent's (a 7th-character
    expansion's base code, or the ICD-10-PCS table row that lists the code)."""
    found = catalog.code_passages(system, code, filters)
    if found:
        return [pid for pid, _ in found]
    parent = catalog.parent_key(system, to_key(code))
    if parent is None:
        return []
    found = catalog.code_passages(system, catalog.display(system, parent), filters)
    return [pid for pid, codes in found if system != "icd10pcs" or f'"{code}"' in codes]


def is_heading(catalog: Catalog, passage: Passage) -> bool:
    if passage.kind != "code" or not passage.code or passage.system != "icd10cm":
        return False
    return catalog.is_header(passage.system, to_key(passage.code))
