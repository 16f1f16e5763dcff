"""Search filters, expressed once and turned into SQL or a Chroma ``where``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Filters:
    system: str | None = None
    kind: str | None = None
    source: str | None = None
    version: str | None = None
    edition: str | None = None  # "FY2025": passages of that edition only, of any source
    # the source editions searched ("icd10pcs-tables@FY2025", ...); empty: those in use (the
    # newest loaded edition of each source), as a date of service in the current year picks
    shelves: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, str]]:
        """The single-valued filters that are set, as (field, value)."""
        return [
            (f.name, v)
            for f in fields(self)
            if f.name != "shelves" and (v := getattr(self, f.name))
        ]

    @property
    def table(self) -> str:
        """The passages a search reads: every edition when it names some, else those in use."""
        return "passages_all" if self.shelves or self.edition else "passages"

    def sql(self, alias: str) -> tuple[str, list[str]]:
        pairs = self.items()
        where = "".join(f" AND {alias}.{name} = ?" for name, _ in pairs)
        params = [v for _, v in pairs]
        if self.shelves:
            where += f" AND {alias}.shelf IN ({','.join('?' * len(self.shelves))})"
            params += list(self.shelves)
        return where, params

    def chroma(self) -> dict[str, Any] | None:
        pairs: list[dict[str, Any]] = [{name: value} for name, value in self.items()]
        if self.shelves:
            pairs.append({"shelf": {"$in": list(self.shelves)}})
        if not pairs:
            return None
        return pairs[0] if len(pairs) == 1 else {"$and": pairs}


def passing(
    rows: tuple[tuple[str, ...], ...],
    names: tuple[str, ...],
    wanted: tuple[tuple[str, str], ...],
    shelves: tuple[str, ...],
) -> np.ndarray:
    """Which ``rows`` (filter fields in the order of ``names``) pass the single-valued filters
    ``wanted`` (see Filters.items) and lie on ``shelves`` (any when none)."""
    at = [(names.index(name), value) for name, value in wanted]
    shelf = names.index("shelf")
    return np.array(
        [
            all(row[i] == value for i, value in at) and (not shelves or row[shelf] in shelves)
            for row in rows
        ],
        dtype=bool,
    )
